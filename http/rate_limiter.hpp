#pragma once
// Client-side limiter shared by every stream and thread talking to one account (QBO: realm):
// at most N request starts in any moving interval and at most C requests in flight.
// A 429 pauses everyone and halves the budget; successes win it back slowly.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <ostream>

#include "core/interrupt.hpp"

namespace tributary::http {

struct RateLimit {
  int requests_per_interval = 500;  // 0 = unlimited
  std::chrono::milliseconds interval{60'000};
  int max_concurrent = 10;          // 0 = unlimited
};

std::ostream& operator<<(std::ostream& os, const RateLimit& r);

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(RateLimit limit, const StopFlag* stop = nullptr);

  class Permit {
   public:
    explicit Permit(RateLimiter* owner) : owner_(owner) {}
    Permit(Permit&& o) noexcept : owner_(o.owner_) { o.owner_ = nullptr; }
    Permit(const Permit&) = delete;
    ~Permit();

   private:
    RateLimiter* owner_;
  };

  // Blocks until a request may start; throws Error(interrupted) on a stop request.
  Permit acquire();
  void on_throttled(std::optional<std::chrono::milliseconds> retry_after);
  void on_success();

  int current_budget() const;
  int in_flight() const;

 private:
  void release();
  void prune(Clock::time_point now);

  const RateLimit limit_;
  const StopFlag* stop_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Clock::time_point> starts_;
  int in_flight_ = 0;
  int budget_;  // effective requests_per_interval, lowered by 429s
  int successes_since_cut_ = 0;
  Clock::time_point paused_until_{};
};

}  // namespace tributary::http
