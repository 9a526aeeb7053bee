#include "connectors/json_kernel.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <mutex>

#define TRIB_STRINGIFY_IMPL(x) #x
#define TRIB_STRINGIFY(x) TRIB_STRINGIFY_IMPL(x)

namespace tributary::connectors {

JsonKernel json_kernel() {
  JsonKernel k;
  const simdjson::implementation* active = simdjson::get_active_implementation();
  k.active = active->name();
  k.description = active->description();
  k.compiled = TRIB_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION);
  for (const simdjson::implementation* impl : simdjson::get_available_implementations()) {
    if (impl->supported_by_runtime_system()) k.supported.push_back(impl->name());
  }
  if (const char* forced = std::getenv("SIMDJSON_FORCE_IMPLEMENTATION")) k.forced = forced;
  k.runnable = active->supported_by_runtime_system() && k.active != "unsupported";
  return k;
}

std::string describe_json_kernel(const JsonKernel& k) {
  std::string out = "JSON: simdjson " + k.active + " kernel (" + k.description + "), ";
  out += k.forced.empty() ? "chosen at run time for this CPU" : "forced by SIMDJSON_FORCE_IMPLEMENTATION=" + k.forced;
  if (!k.runnable) out += ", which cannot run here (an unknown name, or instructions this CPU lacks)";
  out += "; On-Demand walk compiled for " + k.compiled + "; this CPU runs:";
  for (size_t i = 0; i < k.supported.size(); ++i) out += (i ? ", " : " ") + k.supported[i];
  return out;
}

void log_json_kernel_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto kernel = json_kernel();
    if (kernel.runnable) {
      spdlog::debug(describe_json_kernel(kernel));
    } else {
      spdlog::warn(describe_json_kernel(kernel));
    }
  });
}

}  // namespace tributary::connectors
