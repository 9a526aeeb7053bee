// A file of the requests a mock served, one line each, for tests that must see which client
// asked what and when (e.g. that two workers never worked one window at once):
//   <arrived_ms> <answered_ms> <status> <User-Agent>
// Times are milliseconds since the epoch on the mock's clock. Lines are flushed as written.
#pragma once

#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>

namespace tributary::mock {

class RequestLog {
 public:
  explicit RequestLog(const std::string& path);  // "" = no log
  void add(std::int64_t arrived_ms, std::int64_t answered_ms, int status, const std::string& user_agent);

 private:
  std::mutex mutex_;
  std::ofstream out_;
};

}  // namespace tributary::mock
