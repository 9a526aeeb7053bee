#include "http/rate_limiter.hpp"

#include <algorithm>

namespace tributary::http {

namespace {
// Waits in slices so a stop request, or a limit rising during recovery, is noticed even when
// nobody notifies.
constexpr std::chrono::milliseconds kMaxWaitSlice{200};
}  // namespace

std::ostream& operator<<(std::ostream& os, const RateLimit& r) {
  return os << "RateLimit{" << r.requests_per_interval << " per " << r.interval.count()
            << "ms, concurrent=" << r.max_concurrent << ", hold=" << r.recovery_hold.count()
            << "ms, recovery=" << r.recovery.count() << "ms, shared=" << (r.shared ? "yes" : "no") << "}";
}

std::ostream& operator<<(std::ostream& os, const Limits& l) {
  return os << l.requests_per_interval << " per interval, " << l.max_concurrent << " in flight";
}

int recovered_limit(int ceiling, int cut, std::chrono::milliseconds elapsed, const RateLimit& policy) {
  if (elapsed >= policy.recovery) return ceiling;
  if (elapsed <= policy.recovery_hold) return cut;
  const int target = ceiling > 0 ? ceiling : 2 * cut;
  const auto span = (policy.recovery - policy.recovery_hold).count();
  const auto into = (elapsed - policy.recovery_hold).count();
  return cut + static_cast<int>(static_cast<long long>(target - cut) * into / span);
}

int lowered_rate(int current, int admitted, int in_window) {
  const int base = current > 0 ? current : in_window + 1;
  return std::min(base, std::max({1, admitted, base / 2}));
}

int lowered_concurrency(int current, int in_flight_at_start) {
  const int fit = std::max(1, in_flight_at_start - 1);
  return current > 0 ? std::min(current, fit) : fit;
}

std::string_view to_string(Blame b) {
  switch (b) {
    case Blame::same_episode: return "same episode";
    case Blame::concurrency: return "concurrency";
    case Blame::rate: return "rate";
    case Blame::both: return "rate and concurrency";
  }
  return "?";
}

Blame blame(const ThrottleEvidence& e) {
  if (e.started_before_last_decrease || e.retry_unanswered_since_last_decrease) return Blame::same_episode;
  const bool rate_probing = e.rate_cut && e.window_at_start >= *e.rate_cut;
  const bool concurrency_probing = e.concurrency_cut && e.in_flight_at_start > *e.concurrency_cut;
  if (rate_probing && concurrency_probing) return Blame::both;
  if (rate_probing) return Blame::rate;
  if (concurrency_probing) return Blame::concurrency;
  return e.in_flight_at_start > 1 ? Blame::concurrency : Blame::rate;
}

RateLimiter::RateLimiter(RateLimit limit, const StopFlag* stop, Now now)
    : limit_(limit), stop_(stop), now_(std::move(now)) {}

RateLimiter::Permit::Permit(Permit&& o) noexcept
    : owner_(o.owner_), id_(o.id_), started_(o.started_), in_flight_(o.in_flight_), window_(o.window_) {
  o.owner_ = nullptr;
}

RateLimiter::Permit::~Permit() {
  if (owner_ != nullptr) owner_->release();
}

void RateLimiter::prune(Clock::time_point now) {
  while (!window_.empty() && window_.begin()->first.first + limit_.interval <= now) window_.erase(window_.begin());
}

Limits RateLimiter::limits_at(Clock::time_point now) const {
  auto at = [&](int ceiling, const std::optional<Cut>& cut) {
    if (!cut) return ceiling;
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - cut->at);
    return recovered_limit(ceiling, cut->to, elapsed, limit_);
  };
  return {at(limit_.requests_per_interval, rate_cut_), at(limit_.max_concurrent, concurrency_cut_)};
}

std::optional<RateLimiter::Clock::time_point> RateLimiter::blocked_until(Clock::time_point now) const {
  if (now < paused_until_) return paused_until_;
  const Limits l = limits_at(now);
  if (l.max_concurrent > 0 && in_flight_ >= l.max_concurrent) return now + kMaxWaitSlice;  // or a release
  if (l.requests_per_interval > 0 && static_cast<int>(window_.size()) >= l.requests_per_interval) {
    return window_.begin()->first.first + limit_.interval;
  }
  return std::nullopt;
}

std::optional<RateLimiter::Permit> RateLimiter::admit(Clock::time_point now) {
  prune(now);
  if (blocked_until(now)) return std::nullopt;
  const std::uint64_t id = next_id_++;
  const int window_before = static_cast<int>(window_.size());
  window_.emplace(Key{now, id}, Entry{});
  ++in_flight_;
  return Permit(this, id, now, in_flight_, window_before);
}

std::optional<RateLimiter::Permit> RateLimiter::try_acquire() {
  std::lock_guard lock(mutex_);
  return admit(now_());
}

RateLimiter::Permit RateLimiter::acquire() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stop_ != nullptr) stop_->check();
    const auto now = now_();
    if (auto permit = admit(now)) return std::move(*permit);
    const auto until = blocked_until(now).value_or(now);
    const auto wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(until - now),
                                 std::chrono::milliseconds(1), kMaxWaitSlice);
    cv_.wait_for(lock, wait);
  }
}

void RateLimiter::release() {
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
  }
  cv_.notify_all();
}

void RateLimiter::on_success(const Permit& p) {
  std::lock_guard lock(mutex_);
  window_.erase(Key{p.started_, p.id_});
  window_.emplace(Key{now_(), p.id_}, Entry{true});
  if (last_decrease_ && p.started_ >= *last_decrease_) answered_since_last_decrease_ = true;
}

int RateLimiter::admitted_in_window() const {
  return static_cast<int>(std::count_if(window_.begin(), window_.end(), [](const auto& e) { return e.second.admitted; }));
}

ThrottleEvidence RateLimiter::evidence(const Permit& p, bool retry) const {
  ThrottleEvidence e;
  e.started_before_last_decrease = last_decrease_ && p.started_ < *last_decrease_;
  e.in_flight_at_start = p.in_flight_;
  e.window_at_start = p.window_;
  if (rate_cut_) e.rate_cut = rate_cut_->to;
  if (concurrency_cut_) e.concurrency_cut = concurrency_cut_->to;
  if (retry && last_decrease_ && !answered_since_last_decrease_) {
    const Limits now = limits_at(now_());
    const bool at_cuts = (!rate_cut_ || now.requests_per_interval == rate_cut_->to) &&
                         (!concurrency_cut_ || now.max_concurrent == concurrency_cut_->to);
    e.retry_unanswered_since_last_decrease = at_cuts;
  }
  return e;
}

ThrottleOutcome RateLimiter::on_throttled(const Permit& p, std::optional<std::chrono::milliseconds> pause_for,
                                          bool retry) {
  std::unique_lock lock(mutex_);
  const auto now = now_();
  prune(now);
  window_.erase(Key{p.started_, p.id_});  // refused: the source did not count it
  if (pause_for) paused_until_ = std::max(paused_until_, now + *pause_for);
  ThrottleOutcome out;
  out.before = out.after = limits_at(now);
  out.blame = blame(evidence(p, retry));
  if (out.blame == Blame::same_episode) return out;
  if (out.blame == Blame::rate || out.blame == Blame::both) {
    rate_cut_ = Cut{lowered_rate(out.before.requests_per_interval, admitted_in_window(),
                                 static_cast<int>(window_.size())), now};
  }
  if (out.blame == Blame::concurrency || out.blame == Blame::both) {
    concurrency_cut_ = Cut{lowered_concurrency(out.before.max_concurrent, p.in_flight_), now};
  }
  last_decrease_ = now;
  answered_since_last_decrease_ = false;
  out.after = limits_at(now);
  return out;
}

void RateLimiter::pause(std::chrono::milliseconds d) {
  std::lock_guard lock(mutex_);
  paused_until_ = std::max(paused_until_, now_() + d);
}

Limits RateLimiter::limits() const {
  std::lock_guard lock(mutex_);
  return limits_at(now_());
}

int RateLimiter::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_;
}

}  // namespace tributary::http
