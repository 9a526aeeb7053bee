#include "http/shared_limits_policy.hpp"

#include <algorithm>
#include <cmath>

namespace tributary::http {
namespace {

using std::chrono::milliseconds;

constexpr double kMicrosPerSecond = 1e6;
constexpr std::chrono::microseconds kLongestWait = std::chrono::minutes(1);

milliseconds clamp_ms(milliseconds v, milliseconds lo, milliseconds hi) { return std::clamp(v, lo, hi); }

}  // namespace

std::ostream& operator<<(std::ostream& os, const SharedRatePlan& p) {
  return os << "SharedRatePlan{" << p.limit << " per " << p.interval.count() << "ms, batch=" << p.batch
            << ", capacity=" << p.capacity << ", refill=" << p.refill_per_second
            << "/s, token_lifetime=" << p.token_lifetime.count() << "ms, transit_margin=" << p.transit_margin.count()
            << "ms}";
}

std::ostream& operator<<(std::ostream& os, const SharedSlotPlan& p) {
  return os << "SharedSlotPlan{" << p.slots << " slots, lease=" << p.lease.count()
            << "ms, longest_request=" << p.longest_request.count() << "ms, max_reuses=" << p.max_reuses << "}";
}

SharedRatePlan plan_shared_rate(const RateLimit& limit) {
  SharedRatePlan p;
  p.limit = std::max(0, limit.requests_per_interval);
  p.interval = limit.interval;
  if (!p.enabled()) return p;
  // A batch small against the limit: the bucket's burst, and what one process may hold unspent.
  p.batch = std::max(1, std::min(5, p.limit / 20));
  p.capacity = p.batch;
  // A token has time to reach a request that is ready (a fraction of the interval, so the
  // refill loses little of the limit), and the margin covers the network between hosts and source.
  p.token_lifetime = clamp_ms(limit.interval / 40, milliseconds(10), milliseconds(1'500));
  p.transit_margin = clamp_ms(limit.interval / 100, milliseconds(5), milliseconds(500));
  const double span_s =
      std::chrono::duration<double>(p.interval + p.token_lifetime + p.transit_margin).count();
  // capacity + refill * span < limit + 1, by a margin no rounding can cross.
  p.refill_per_second = (p.limit + 1 - p.capacity) / span_s * (1 - 1e-6);
  return p;
}

double most_taken_within(const SharedRatePlan& p, std::chrono::microseconds span) {
  return p.capacity + p.refill_per_second * static_cast<double>(span.count()) / kMicrosPerSecond;
}

BucketState fresh_bucket(const SharedRatePlan& p, std::int64_t now_us) { return {p.capacity, now_us}; }

BucketTake take_tokens(const BucketState& s, std::int64_t now_us, int want, const SharedRatePlan& p) {
  BucketTake out;
  const std::int64_t at = std::max(s.at_us, now_us);
  const double elapsed_s = static_cast<double>(at - s.at_us) / kMicrosPerSecond;
  const double available = std::min(p.capacity, std::max(0.0, s.tokens) + p.refill_per_second * elapsed_s);
  want = std::max(0, want);
  out.granted = static_cast<int>(std::min<double>(want, std::floor(available)));
  out.after = {available - out.granted, at};
  // Waiting for as many as were wanted (no more than the bucket holds) spares round trips that
  // would each bring back one token.
  const double target = std::min<double>(std::max(1, want), p.capacity);
  const double missing = target - out.after.tokens;
  if (missing <= 0) return out;
  if (p.refill_per_second <= 0) {
    out.next_in = kLongestWait;
    return out;
  }
  const auto wait_us = std::ceil(missing / p.refill_per_second * kMicrosPerSecond);
  out.next_in = std::min(kLongestWait, std::chrono::microseconds(static_cast<std::int64_t>(wait_us)));
  return out;
}

SharedSlotPlan plan_shared_slots(const RateLimit& limit, std::chrono::milliseconds longest_request) {
  SharedSlotPlan p;
  p.slots = std::max(0, limit.max_concurrent);
  p.longest_request = longest_request;
  p.lease = longest_request + std::chrono::minutes(1);
  return p;
}

AfterUse after_use(bool request_waiting, int uses, std::chrono::milliseconds held, const SharedSlotPlan& p) {
  if (!request_waiting || uses >= p.max_reuses) return AfterUse::release;
  // The next request may take as long as the longest one; the lease must outlast it.
  if (held + p.longest_request >= p.lease) return AfterUse::renew_and_keep;
  return AfterUse::keep;
}

}  // namespace tributary::http
