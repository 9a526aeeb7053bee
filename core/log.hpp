#pragma once
#include <string>

namespace tributary {
// Logs go to stderr, one line each, UTC timestamps. Level names as spdlog's ("info", "debug").
void setup_logging(const std::string& level);
}  // namespace tributary
