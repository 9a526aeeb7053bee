// /__admin/* : the public C++ API over HTTP, so the demo script and CLI tests can steer a mock
// running in another process. JSON in, JSON out; unknown fields are rejected, not ignored.
#include <simdjson.h>

#include <functional>
#include <stdexcept>

#include "mock/qbo_json.hpp"
#include "mock/qbo_mock_impl.hpp"

namespace tributary::mock {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

const char* const kJson = "application/json";

// Bad input from the caller; becomes a 400 {"error": ...}.
struct AdminError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

object parse_object(simdjson::dom::parser& parser, const std::string& body) {
  object obj;
  if (parser.parse(body.empty() ? std::string("{}") : body).get(obj)) {
    throw AdminError("body must be a JSON object");
  }
  return obj;
}

std::int64_t int_field(element v, std::string_view key) {
  std::int64_t out = 0;
  if (v.get(out)) throw AdminError("'" + std::string(key) + "' must be an integer");
  return out;
}

bool bool_field(element v, std::string_view key) {
  bool out = false;
  if (v.get(out)) throw AdminError("'" + std::string(key) + "' must be true or false");
  return out;
}

std::string string_field(element v, std::string_view key) {
  std::string_view out;
  if (v.get(out)) throw AdminError("'" + std::string(key) + "' must be a string");
  return std::string(out);
}

element required(object obj, const char* key) {
  element v;
  if (obj[key].get(v)) throw AdminError(std::string("missing '") + key + "'");
  return v;
}

FaultRule fault_from_json(object obj) {
  FaultRule rule;
  for (auto [key, v] : obj) {
    if (key == "path_prefix") rule.path_prefix = string_field(v, key);
    else if (key == "skip") rule.skip = static_cast<int>(int_field(v, key));
    else if (key == "times") rule.times = static_cast<int>(int_field(v, key));
    else if (key == "status") rule.status = static_cast<int>(int_field(v, key));
    else if (key == "retry_after_seconds") rule.retry_after_seconds = static_cast<int>(int_field(v, key));
    else if (key == "delay_ms") rule.delay_ms = static_cast<int>(int_field(v, key));
    else if (key == "drop_connection") rule.drop_connection = bool_field(v, key);
    else if (key == "malformed_json") rule.malformed_json = bool_field(v, key);
    else if (key == "throttle_body_json") rule.throttle_body_json = bool_field(v, key);
    else throw AdminError("unknown field '" + std::string(key) + "'");
  }
  return rule;
}

std::vector<std::string> string_array(element v, std::string_view key) {
  simdjson::dom::array arr;
  if (v.get(arr)) throw AdminError("'" + std::string(key) + "' must be an array of strings");
  std::vector<std::string> out;
  for (element item : arr) out.push_back(string_field(item, key));
  return out;
}

std::string stats_json(const QboMockStats& s) {
  JsonWriter w;
  w.begin_object().field("total_requests", s.total_requests).field("query_requests", s.query_requests);
  w.field("token_requests", s.token_requests).field("throttled", s.throttled);
  w.field("faults_served", s.faults_served).field("max_concurrent_seen", s.max_concurrent_seen);
  w.key("by_status").begin_object();
  for (const auto& [status, n] : s.by_status) w.field(std::to_string(status), n);
  w.end_object().end_object();
  return w.take();
}

std::string records_json(const std::vector<MockRecord>& records) {
  JsonWriter w;
  w.begin_array();
  for (const auto& r : records) w.begin_object().field("Id", r.id).field_raw("payload", r.json).end_object();
  w.end_array();
  return w.take();
}

// Runs an admin action, mapping caller mistakes to 400 and answering {"ok":true} by default.
void run(httplib::Response& res, const std::function<std::string()>& action) {
  try {
    std::string body = action();
    res.set_content(body.empty() ? "{\"ok\":true}" : body, kJson);
  } catch (const AdminError& e) {
    res.status = 400;
    res.set_content("{\"error\":" + json_quote(e.what()) + "}", kJson);
  } catch (const std::invalid_argument& e) {
    res.status = 400;
    res.set_content("{\"error\":" + json_quote(e.what()) + "}", kJson);
  }
}

}  // namespace

void QboMock::Impl::register_admin_routes(httplib::Server& svr) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  svr.Post("/__admin/fault", [this](Req req, Res res) {
    run(res, [&] {
      simdjson::dom::parser parser;
      add_fault(fault_from_json(parse_object(parser, req.body)));
      return std::string();
    });
  });
  svr.Post("/__admin/expire-tokens", [this](Req, Res res) {
    run(res, [&] { expire_access_tokens(); return std::string(); });
  });
  svr.Post("/__admin/revoke", [this](Req, Res res) {
    run(res, [&] { revoke_refresh_tokens(); return std::string(); });
  });
  svr.Post("/__admin/touch", [this](Req req, Res res) {
    run(res, [&] {
      simdjson::dom::parser parser;
      object obj = parse_object(parser, req.body);
      touch(string_field(required(obj, "entity"), "entity"), string_array(required(obj, "ids"), "ids"));
      return std::string();
    });
  });
  svr.Post("/__admin/mutate-during-paging", [this](Req req, Res res) {
    run(res, [&] {
      simdjson::dom::parser parser;
      object obj = parse_object(parser, req.body);
      mutate_during_paging(string_field(required(obj, "entity"), "entity"),
                           static_cast<int>(int_field(required(obj, "on_query_request"), "on_query_request")),
                           static_cast<int>(int_field(required(obj, "count"), "count")));
      return std::string();
    });
  });
  svr.Get("/__admin/stats", [this](Req, Res res) { run(res, [&] { return stats_json(stats()); }); });
  svr.Get(R"(/__admin/records/(\w+))", [this](Req req, Res res) {
    run(res, [&] { return records_json(records(req.matches[1])); });
  });
  svr.Get("/__admin/refresh-token", [this](Req, Res res) {
    run(res, [&] {
      JsonWriter w;
      w.begin_object().field("refresh_token", current_refresh_token()).end_object();
      return w.take();
    });
  });
}

}  // namespace tributary::mock
