#pragma once
// Reading the QuickBooks mock's JSON answers in its HTTP tests.
#include <simdjson.h>

#include <string>

namespace tributary::testing {

inline std::string json_string(const std::string& body, const char* key) {
  simdjson::dom::parser p;
  return std::string(p.parse(body)[key].get_string().value());
}

// The first Fault.Error entry's field, for the capitalized service envelope.
inline std::string fault_field(const std::string& body, const char* key) {
  simdjson::dom::parser p;
  return std::string(p.parse(body)["Fault"]["Error"].at(0)[key].get_string().value());
}

}  // namespace tributary::testing
