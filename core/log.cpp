#include "core/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "core/error.hpp"
#include "core/json.hpp"

namespace tributary {
namespace {

thread_local LogContext t_context;

// stderr, keeping a status line (if any) below the log lines.
class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  void set_status(const std::string& line) {
    std::lock_guard lock(mutex_);
    std::fputs("\r\033[K", stderr);
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
    status_ = line;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    if (!status_.empty()) std::fputs("\r\033[K", stderr);
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
    if (!status_.empty()) std::fputs(status_.c_str(), stderr);
    std::fflush(stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  std::string status_;
};

std::shared_ptr<StderrSink> g_sink;

// %* : the message as a JSON string.
class JsonMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    auto quoted = json_quote(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(quoted.data(), quoted.data() + quoted.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessage>(); }
};

// %& : ,"run":N,"stream":"S","window":W for what is known of the thread's work.
class JsonContext final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string out;
    if (t_context.run != 0) out += ",\"run\":" + std::to_string(t_context.run);
    if (!t_context.stream.empty()) out += ",\"stream\":" + json_quote(t_context.stream);
    if (t_context.window != 0) out += ",\"window\":" + std::to_string(t_context.window);
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonContext>(); }
};

}  // namespace

std::optional<LogFormat> log_format_from(const std::string& name) {
  if (name == "text") return LogFormat::text;
  if (name == "json") return LogFormat::json;
  return std::nullopt;
}

void setup_logging(const std::string& level, LogFormat format) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    throw Error(ErrorKind::usage, "--log-level: unknown level '" + level +
                                      "' (trace, debug, info, warn, error, off)");
  }
  g_sink = std::make_shared<StderrSink>();
  auto logger = std::make_shared<spdlog::logger>("tributary", g_sink);
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == LogFormat::json) {
    formatter->add_flag<JsonMessage>('*').add_flag<JsonContext>('&').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l"%&,"message":%*})");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5l %v");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
}

void set_log_context(const LogContext& context) { t_context = context; }
const LogContext& log_context() { return t_context; }

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

void show_status_line(const std::string& line) {
  if (g_sink && stderr_is_terminal()) g_sink->set_status(line);
}

}  // namespace tributary
