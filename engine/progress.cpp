#include "engine/progress.hpp"

#include <spdlog/spdlog.h>

#include "core/log.hpp"

namespace tributary::engine {
namespace {

std::string clock_text(long long seconds) {
  if (seconds >= 3600) return std::to_string(seconds / 3600) + "h" + std::to_string(seconds % 3600 / 60) + "m";
  if (seconds >= 60) return std::to_string(seconds / 60) + "m" + std::to_string(seconds % 60) + "s";
  return std::to_string(seconds) + "s";
}

}  // namespace

std::string progress_line(const ProgressSnapshot& start, const ProgressSnapshot& now, std::chrono::milliseconds elapsed) {
  std::string line = "windows " + std::to_string(now.windows_done) + "/" + std::to_string(now.windows_total) + " done";
  if (now.windows_failed > 0) line += ", " + std::to_string(now.windows_failed) + " failed";
  line += " | " + std::to_string(now.records) + " records";
  const double seconds = static_cast<double>(elapsed.count()) / 1000.0;
  const long long new_records = now.records - start.records;
  const long long rate = seconds >= 1 ? static_cast<long long>(static_cast<double>(new_records) / seconds) : 0;
  if (rate > 0) line += ", " + std::to_string(rate) + "/s";
  const long long finished = now.windows_done + now.windows_failed - start.windows_done - start.windows_failed;
  const long long left = now.windows_total - now.windows_done - now.windows_failed;
  if (finished > 0 && left > 0) {
    line += " | ETA " + clock_text(static_cast<long long>(seconds / static_cast<double>(finished) * static_cast<double>(left)));
  }
  if (now.retries > 0 || now.throttled > 0) {
    line += " | " + std::to_string(now.retries) + " retries, " + std::to_string(now.throttled) + " throttled";
  }
  return line;
}

ProgressReporter::ProgressReporter(bool terminal) : terminal_(terminal) {}

std::chrono::milliseconds ProgressReporter::interval() const {
  return terminal_ ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(30'000);
}

void ProgressReporter::tick(const ProgressSnapshot& now) {
  const auto t = Clock::now();
  if (!first_) first_ = now;
  if (last_ && t - *last_ < interval()) return;
  last_ = t;
  auto line = progress_line(*first_, now, std::chrono::duration_cast<std::chrono::milliseconds>(t - started_));
  if (!terminal_) return spdlog::info("progress: {}", line);
  show_status_line(line);
  drawn_ = true;
}

void ProgressReporter::finish() {
  if (!drawn_) return;
  show_status_line("");
  drawn_ = false;
}

}  // namespace tributary::engine
