#pragma once
// Logs go to stderr, one line each, UTC timestamps. Level names as spdlog's ("info", "debug").
#include <optional>
#include <string>

namespace tributary {

enum class LogFormat { text, json };

// `format` json: one JSON object a line, {"time","level","message"} plus the run, stream and
// window the line's thread is working on (LogContext), for log shippers.
void setup_logging(const std::string& level, LogFormat format = LogFormat::text);
// "text" | "json"; nullopt for anything else.
std::optional<LogFormat> log_format_from(const std::string& name);

// What the current thread works on, stamped on its JSON log lines; 0 / "" = not known.
struct LogContext {
  long long run = 0;
  std::string stream;
  long long window = 0;
};
void set_log_context(const LogContext& context);
const LogContext& log_context();

// A live status line under the logs on a terminal: log lines are written above it and it is
// redrawn after each. "" removes it. Ignored when stderr is not a terminal.
void show_status_line(const std::string& line);
bool stderr_is_terminal();

}  // namespace tributary
