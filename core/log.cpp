#include "core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "core/error.hpp"

namespace tributary {

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("tributary");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    throw Error(ErrorKind::usage, "--log-level: unknown level '" + level +
                                      "' (trace, debug, info, warn, error, off)");
  }
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
}

}  // namespace tributary
