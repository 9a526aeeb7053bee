#include "core/interrupt.hpp"

#include <thread>

#include "core/error.hpp"

namespace tributary {

void StopFlag::request_stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  cv_.notify_all();
}

bool StopFlag::sleep_for(std::chrono::milliseconds d) const {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, d, [this] { return stopped_.load(); });
}

void StopFlag::check() const {
  if (stopped_) throw Error(ErrorKind::interrupted, "interrupted by signal");
}

void interruptible_sleep(const StopFlag* stop, std::chrono::milliseconds d) {
  if (stop == nullptr) {
    std::this_thread::sleep_for(d);
    return;
  }
  if (!stop->sleep_for(d)) stop->check();
}

}  // namespace tributary
