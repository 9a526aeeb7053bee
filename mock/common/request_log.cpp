#include "mock/common/request_log.hpp"

#include <stdexcept>

namespace tributary::mock {

RequestLog::RequestLog(const std::string& path) {
  if (path.empty()) return;
  out_.open(path, std::ios::app);
  if (!out_) throw std::runtime_error("cannot open request log " + path);
}

void RequestLog::add(std::int64_t arrived_ms, std::int64_t answered_ms, int status, const std::string& user_agent) {
  if (!out_.is_open()) return;
  std::lock_guard lock(mutex_);
  out_ << arrived_ms << ' ' << answered_ms << ' ' << status << ' ' << user_agent << '\n' << std::flush;
}

}  // namespace tributary::mock
