// libFuzzer target: bytes read as a connector file (YAML). Checking may only report problems
// (or throw Error(config)); anything else (a crash, a sanitizer report, another exception) is a
// finding: `tributary check` must answer every file with FILE:LINE:COL lines.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "connectors/config.hpp"
#include "core/error.hpp"

namespace {

using namespace tributary;

// Deterministic: names ending in _URL are URLs, UNSET_* are unset, the rest are "7".
std::optional<std::string> fake_env(const std::string& name) {
  if (name.rfind("UNSET", 0) == 0) return std::nullopt;
  if (name.size() >= 4 && name.compare(name.size() - 4, 4, "_URL") == 0) return "http://127.0.0.1:8080";
  return "7";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string path = "fuzz.yaml";
  try {
    auto checked = connectors::check_connector_text(text, path, fake_env);
    connectors::sort_by_position(checked.problems, path);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::config) throw;
  }
  return 0;
}
