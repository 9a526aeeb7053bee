#include "mock/common/admin_json.hpp"

#include <algorithm>

#include "mock/common/json_writer.hpp"

namespace tributary::mock {

using simdjson::dom::element;
using simdjson::dom::object;

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

std::vector<std::string> string_array(element v, std::string_view key) {
  simdjson::dom::array arr;
  if (v.get(arr)) throw AdminError("'" + std::string(key) + "' must be an array of strings");
  std::vector<std::string> out;
  for (element item : arr) out.push_back(string_field(item, key));
  return out;
}

element required_field(object obj, const char* key) {
  element v;
  if (obj[key].get(v)) throw AdminError(std::string("missing '") + key + "'");
  return v;
}

void reject_unknown_fields(object obj, std::initializer_list<std::string_view> allowed) {
  for (auto field : obj) {
    if (std::find(allowed.begin(), allowed.end(), field.key) == allowed.end()) {
      throw AdminError("unknown field '" + std::string(field.key) + "'");
    }
  }
}

HttpFaultRule http_fault_from_json(const std::string& body) {
  simdjson::dom::parser parser;
  HttpFaultRule rule;
  for (auto [key, v] : parse_object(parser, body)) {
    if (key == "html_page") {
      rule.html_page = bool_field(v, key);
      continue;
    }
    if (!read_fault_field(rule, key, v)) throw AdminError("unknown field '" + std::string(key) + "'");
  }
  return rule;
}

std::string mock_stats_json(const MockStats& s) {
  JsonWriter w;
  w.begin_object().field("requests", s.requests).field("faults_served", s.faults_served);
  w.key("by_status").begin_object();
  for (const auto& [status, n] : s.by_status) w.field(std::to_string(status), n);
  w.end_object().key("targets").begin_array();
  for (const auto& t : s.targets) w.str(t);
  w.end_array().end_object();
  return w.take();
}

void run_admin(httplib::Response& res, const std::function<std::string()>& action) {
  const char* const json = "application/json";
  try {
    std::string body = action();
    res.set_content(body.empty() ? "{\"ok\":true}" : body, json);
  } catch (const AdminError& e) {
    res.status = 400;
    res.set_content("{\"error\":" + json_quote(e.what()) + "}", json);
  } catch (const std::invalid_argument& e) {
    res.status = 400;
    res.set_content("{\"error\":" + json_quote(e.what()) + "}", json);
  }
}

}  // namespace tributary::mock
