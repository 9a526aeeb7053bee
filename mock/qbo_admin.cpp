// /__admin/* : the public C++ API over HTTP, so the demo script and CLI tests can steer a mock
// running in another process. JSON in, JSON out; unknown fields are rejected, not ignored.
#include <simdjson.h>

#include "mock/common/admin_json.hpp"
#include "mock/qbo_json.hpp"
#include "mock/qbo_mock_impl.hpp"

namespace tributary::mock {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

FaultRule fault_from_json(object obj) {
  FaultRule rule;
  for (auto [key, v] : obj) {
    if (read_fault_field(rule, key, v)) continue;
    if (key == "throttle_body_json") rule.throttle_body_json = bool_field(v, key);
    else throw AdminError("unknown field '" + std::string(key) + "'");
  }
  return rule;
}

std::string stats_json(const QboMockStats& s) {
  JsonWriter w;
  w.begin_object().field("total_requests", s.total_requests).field("query_requests", s.query_requests);
  w.field("cdc_requests", s.cdc_requests);
  w.field("token_requests", s.token_requests).field("throttled", s.throttled);
  w.field("faults_served", s.faults_served).field("max_concurrent_seen", s.max_concurrent_seen);
  w.field("max_requests_in_interval_seen", s.max_requests_in_interval_seen);
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

}  // namespace

void QboMock::Impl::register_admin_routes(httplib::Server& svr) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  svr.Post("/__admin/fault", [this](Req req, Res res) {
    run_admin(res, [&] {
      simdjson::dom::parser parser;
      add_fault(fault_from_json(parse_object(parser, req.body)));
      return std::string();
    });
  });
  svr.Post("/__admin/expire-tokens", [this](Req, Res res) {
    run_admin(res, [&] { expire_access_tokens(); return std::string(); });
  });
  svr.Post("/__admin/revoke", [this](Req, Res res) {
    run_admin(res, [&] { revoke_refresh_tokens(); return std::string(); });
  });
  // {"entity":"Invoice","ids":["1","2"]} applied with one of the id-list controls.
  using IdsControl = void (Impl::*)(const std::string&, const std::vector<std::string>&);
  auto ids_route = [this, &svr](const char* path, IdsControl control) {
    svr.Post(path, [this, control](Req req, Res res) {
      run_admin(res, [&] {
        simdjson::dom::parser parser;
        object obj = parse_object(parser, req.body);
        reject_unknown_fields(obj, {"entity", "ids"});
        (this->*control)(string_field(required_field(obj, "entity"), "entity"),
                         string_array(required_field(obj, "ids"), "ids"));
        return std::string();
      });
    });
  };
  ids_route("/__admin/touch", &Impl::touch);
  ids_route("/__admin/delete", &Impl::delete_records);
  ids_route("/__admin/restore", &Impl::restore_records);
  svr.Post("/__admin/mutate-during-paging", [this](Req req, Res res) {
    run_admin(res, [&] {
      simdjson::dom::parser parser;
      object obj = parse_object(parser, req.body);
      mutate_during_paging(string_field(required_field(obj, "entity"), "entity"),
                           static_cast<int>(int_field(required_field(obj, "on_query_request"), "on_query_request")),
                           static_cast<int>(int_field(required_field(obj, "count"), "count")));
      return std::string();
    });
  });
  svr.Get("/__admin/stats", [this](Req, Res res) { run_admin(res, [&] { return stats_json(stats()); }); });
  svr.Get(R"(/__admin/records/(\w+))", [this](Req req, Res res) {
    run_admin(res, [&] { return records_json(records(req.matches[1])); });
  });
  svr.Get("/__admin/refresh-token", [this](Req, Res res) {
    run_admin(res, [&] {
      JsonWriter w;
      w.begin_object().field("refresh_token", current_refresh_token()).end_object();
      return w.take();
    });
  });
}

}  // namespace tributary::mock
