#pragma once
// A stop flag that sleeping code can wait on, so SIGINT/SIGTERM end a run within moments.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace tributary {

class StopFlag {
 public:
  void request_stop();
  bool stop_requested() const { return stopped_.load(); }
  // Sleeps up to `d`; returns false when woken by a stop request.
  bool sleep_for(std::chrono::milliseconds d) const;
  // Throws Error(interrupted) when a stop was requested.
  void check() const;

 private:
  std::atomic<bool> stopped_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
};

// Sleeps `d`, or until `stop` (may be null) is requested, then throws Error(interrupted).
void interruptible_sleep(const StopFlag* stop, std::chrono::milliseconds d);

}  // namespace tributary
