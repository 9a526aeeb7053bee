// Helpers for the /__admin/* endpoints every mock offers: JSON objects in, JSON out, caller
// mistakes answered 400 {"error": ...}, unknown fields rejected rather than ignored.
#pragma once

#include <httplib.h>
#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mock/common/mock_controls.hpp"

namespace tributary::mock {

// Bad input from the caller; becomes a 400 {"error": ...}.
struct AdminError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An empty body reads as {}.
simdjson::dom::object parse_object(simdjson::dom::parser& parser, const std::string& body);
std::int64_t int_field(simdjson::dom::element v, std::string_view key);
bool bool_field(simdjson::dom::element v, std::string_view key);
std::string string_field(simdjson::dom::element v, std::string_view key);
std::vector<std::string> string_array(simdjson::dom::element v, std::string_view key);
simdjson::dom::element required_field(simdjson::dom::object obj, const char* key);
// AdminError naming the first field of `obj` not in `allowed`.
void reject_unknown_fields(simdjson::dom::object obj, std::initializer_list<std::string_view> allowed);

// Reads one of the fault fields every mock's rule shares; false when `key` is not one of them.
template <typename Rule>
bool read_fault_field(Rule& rule, std::string_view key, simdjson::dom::element v) {
  if (key == "path_prefix") rule.path_prefix = string_field(v, key);
  else if (key == "skip") rule.skip = static_cast<int>(int_field(v, key));
  else if (key == "times") rule.times = static_cast<int>(int_field(v, key));
  else if (key == "status") rule.status = static_cast<int>(int_field(v, key));
  else if (key == "retry_after_seconds") rule.retry_after_seconds = static_cast<int>(int_field(v, key));
  else if (key == "delay_ms") rule.delay_ms = static_cast<int>(int_field(v, key));
  else if (key == "drop_connection") rule.drop_connection = bool_field(v, key);
  else if (key == "malformed_json") rule.malformed_json = bool_field(v, key);
  else return false;
  return true;
}

// POST /__admin/fault body for the JSON API mocks.
HttpFaultRule http_fault_from_json(const std::string& body);

// {"requests":..,"faults_served":..,"by_status":{"200":n,...},"targets":["/path?query",...]}
std::string mock_stats_json(const MockStats& stats);

// Runs an admin action, mapping caller mistakes (AdminError, std::invalid_argument) to 400 and
// answering {"ok":true} when the action returns an empty body.
void run_admin(httplib::Response& res, const std::function<std::string()>& action);

}  // namespace tributary::mock
