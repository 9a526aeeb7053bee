#include "connectors/json_text.hpp"

#include "connectors/json_kernel.hpp"

namespace tributary::connectors {

simdjson::ondemand::document iterate_json(std::string& body) {
  log_json_kernel_once();  // before the first parser allocates: a kernel that cannot run is named first
  thread_local simdjson::ondemand::parser parser;
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return parser.iterate(simdjson::padded_string_view(body.data(), body.size(), body.capacity()));
}

std::string_view trim_trailing_space(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool ends_like_json(std::string_view body) {
  auto tail = trim_trailing_space(body);
  return !tail.empty() && (tail.back() == '}' || tail.back() == ']');
}

}  // namespace tributary::connectors
