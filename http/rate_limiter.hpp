#pragma once
// Client-side limiter shared by every stream and thread talking to one account (QBO: realm): at
// most N requests in any moving interval and at most C in flight. Both start at the configured
// values, are lowered when the source answers 429, and rise back over `recovery`.
//
// QuickBooks refuses "too many a minute" and "too many at once" with the same 429 and no
// Retry-After, so the limiter decides from what it knew of the refused request which limit to
// lower (blame()), lowers it to what the source demonstrably accepted, and does so once per
// throttle episode: a 429 for a request that started before the last decrease answers the old
// limits, not the new ones.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string_view>

#include "core/interrupt.hpp"

namespace tributary::http {

struct RateLimit {
  int requests_per_interval = 500;  // 0 = unlimited
  std::chrono::milliseconds interval{60'000};
  int max_concurrent = 10;  // 0 = unlimited
  // After a decrease a limit holds for `recovery_hold` (probing at once would only earn the next
  // 429), then rises linearly and is back at the configured value `recovery` after the decrease.
  std::chrono::milliseconds recovery_hold{30'000};
  std::chrono::milliseconds recovery{60'000};
  // The two limits hold for every process on the account together, through the database
  // (http/shared_limits.hpp), when the session has one; false: per process only.
  bool shared = true;
};

std::ostream& operator<<(std::ostream& os, const RateLimit& r);

// The limits in force at one moment; 0 = unlimited.
struct Limits {
  int requests_per_interval = 0;
  int max_concurrent = 0;
  bool operator==(const Limits&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Limits& l);

// The value of a limit configured at `ceiling` (0 = unlimited) `elapsed` after a decrease to
// `cut`. An unlimited limit rises towards twice the cut, and is lifted once recovered.
int recovered_limit(int ceiling, int cut, std::chrono::milliseconds elapsed, const RateLimit& policy);

// The rate after a 429 blamed on it: what the source admitted of ours in the interval, but no
// less than half the current rate in one episode (a refusal early in an interval, or one sent
// for the source's own reasons, says little) and at least 1. `in_window` stands in for an
// unlimited (0) current rate.
int lowered_rate(int current, int admitted, int in_window);
// The concurrency after a 429 blamed on it: the source refused our `in_flight_at_start`-th
// request at once, so at most one fewer fit; at least 1.
int lowered_concurrency(int current, int in_flight_at_start);

// What the limiter knew about a request the source refused with 429.
struct ThrottleEvidence {
  bool started_before_last_decrease = false;
  int in_flight_at_start = 1;  // ours, itself included
  int window_at_start = 0;     // ours in the moving interval when it started, itself excluded
  std::optional<int> rate_cut;         // the last decreases, if any
  std::optional<int> concurrency_cut;
  // A request refused again while retrying its own 429, with no request started since the last
  // decrease answered and both limits still at their cuts: the source's interval is draining,
  // and the refusal says nothing new about the lowered limits.
  bool retry_unanswered_since_last_decrease = false;
};

enum class Blame { same_episode, concurrency, rate, both };

std::string_view to_string(Blame b);

// Which limit a 429 speaks against. A refusal that answers the old limits (it started before
// the last decrease, or it is a retry refused again while nothing has been answered since and
// recovery has not begun) belongs to the same episode and lowers nothing.
// A limit that has risen above its last decrease is probing,
// so a refusal blames it. Otherwise a request refused while others of ours were in flight blames
// concurrency (cheap to test: a refusal with fewer in flight then blames the rate), and one
// refused alone blames the rate.
Blame blame(const ThrottleEvidence& e);

struct ThrottleOutcome {
  Blame blame = Blame::same_episode;
  Limits before, after;
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  // `now` is injectable so tests can drive time; acquire() still waits in real time.
  explicit RateLimiter(RateLimit limit, const StopFlag* stop = nullptr, Now now = Clock::now);

  // One request's place in flight and in the interval; what the limiter knew when it started.
  class Permit {
   public:
    Permit(Permit&& o) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    Permit& operator=(Permit&&) = delete;
    ~Permit();

   private:
    friend class RateLimiter;
    Permit(RateLimiter* owner, std::uint64_t id, Clock::time_point started, int in_flight, int window)
        : owner_(owner), id_(id), started_(started), in_flight_(in_flight), window_(window) {}
    RateLimiter* owner_;
    std::uint64_t id_;
    Clock::time_point started_;
    int in_flight_;  // at start, itself included
    int window_;     // in the interval at start, itself excluded
  };

  // Blocks until a request may start; throws Error(interrupted) on a stop request.
  Permit acquire();
  // A permit if a request may start now, else nothing; never waits.
  std::optional<Permit> try_acquire();

  // The source accepted the request: it fills the interval from its answer's arrival on, which
  // is never earlier than the source counted it.
  void on_success(const Permit& p);
  // The source refused it with 429; `pause` (a Retry-After) makes every request wait.
  // `retry`: the request was itself a retry after a 429.
  ThrottleOutcome on_throttled(const Permit& p, std::optional<std::chrono::milliseconds> pause, bool retry = false);
  void pause(std::chrono::milliseconds d);

  Limits limits() const;
  int in_flight() const;

 private:
  struct Cut {
    int to = 0;
    Clock::time_point at;
  };
  struct Entry {
    bool admitted = false;  // false: in flight, or its outcome is unknown (5xx, network)
  };
  using Key = std::pair<Clock::time_point, std::uint64_t>;

  void release();
  void prune(Clock::time_point now);
  Limits limits_at(Clock::time_point now) const;
  // When a request may start: now (nullopt) or the earliest time worth looking again.
  std::optional<Clock::time_point> blocked_until(Clock::time_point now) const;
  std::optional<Permit> admit(Clock::time_point now);
  ThrottleEvidence evidence(const Permit& p, bool retry) const;
  int admitted_in_window() const;

  const RateLimit limit_;
  const StopFlag* stop_;
  const Now now_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<Key, Entry> window_;  // requests counted in the moving interval, oldest first
  std::uint64_t next_id_ = 1;
  int in_flight_ = 0;
  std::optional<Cut> rate_cut_, concurrency_cut_;
  std::optional<Clock::time_point> last_decrease_;
  bool answered_since_last_decrease_ = false;
  Clock::time_point paused_until_{};
};

}  // namespace tributary::http
