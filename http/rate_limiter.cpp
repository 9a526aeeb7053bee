#include "http/rate_limiter.hpp"

#include <algorithm>

namespace tributary::http {

namespace {
// Waits in slices so a stop request is noticed even when nobody notifies.
constexpr std::chrono::milliseconds kMaxWaitSlice{200};
}  // namespace

std::ostream& operator<<(std::ostream& os, const RateLimit& r) {
  return os << "RateLimit{" << r.requests_per_interval << " per " << r.interval.count()
            << "ms, concurrent=" << r.max_concurrent << "}";
}

RateLimiter::RateLimiter(RateLimit limit, const StopFlag* stop)
    : limit_(limit), stop_(stop), budget_(limit.requests_per_interval) {}

RateLimiter::Permit::~Permit() {
  if (owner_ != nullptr) owner_->release();
}

void RateLimiter::prune(Clock::time_point now) {
  while (!starts_.empty() && starts_.front() + limit_.interval <= now) starts_.pop_front();
}

RateLimiter::Permit RateLimiter::acquire() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stop_ != nullptr) stop_->check();
    auto now = Clock::now();
    prune(now);
    Clock::time_point wake = now + kMaxWaitSlice;
    if (now < paused_until_) {
      wake = std::min(wake, paused_until_);
    } else if (limit_.max_concurrent > 0 && in_flight_ >= limit_.max_concurrent) {
      // woken by release()
    } else if (limit_.requests_per_interval > 0 &&
               static_cast<int>(starts_.size()) >= budget_) {
      wake = std::min(wake, starts_.front() + limit_.interval);
    } else {
      starts_.push_back(now);
      ++in_flight_;
      return Permit(this);
    }
    cv_.wait_until(lock, wake);
  }
}

void RateLimiter::release() {
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
  }
  cv_.notify_one();
}

void RateLimiter::on_throttled(std::optional<std::chrono::milliseconds> retry_after) {
  std::lock_guard lock(mutex_);
  auto pause = retry_after.value_or(std::chrono::milliseconds(1'000));
  paused_until_ = std::max(paused_until_, Clock::now() + pause);
  if (limit_.requests_per_interval > 0) budget_ = std::max(1, budget_ / 2);
  successes_since_cut_ = 0;
}

void RateLimiter::on_success() {
  std::lock_guard lock(mutex_);
  if (budget_ >= limit_.requests_per_interval) return;
  // Additive increase: one more request per interval for every 10 that went through.
  if (++successes_since_cut_ >= 10) {
    successes_since_cut_ = 0;
    budget_ = std::min(limit_.requests_per_interval, budget_ + std::max(1, budget_ / 10));
  }
}

int RateLimiter::current_budget() const {
  std::lock_guard lock(mutex_);
  return budget_;
}

int RateLimiter::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_;
}

}  // namespace tributary::http
