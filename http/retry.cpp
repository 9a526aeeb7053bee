#include "http/retry.hpp"

#include <algorithm>
#include <boost/date_time/posix_time/posix_time.hpp>
#include <cctype>
#include <charconv>
#include <ctime>

namespace tributary::http {

std::ostream& operator<<(std::ostream& os, const RetryPolicy& p) {
  os << "RetryPolicy{max_retries=" << p.max_retries << ", base=" << p.base_delay.count()
     << "ms, cap=" << p.max_delay.count() << "ms, retry_after="
     << (p.honour_retry_after ? "honoured" : "ignored") << ", 429s for " << p.throttle_budget.count()
     << "ms (cap " << p.throttle_max_delay.count() << "ms), statuses=[";
  bool first = true;
  for (int s : p.retry_statuses) {
    os << (first ? "" : ",") << s;
    first = false;
  }
  return os << "]}";
}

Verdict classify_status(int status, const RetryPolicy& policy) {
  if (status >= 200 && status < 300) return Verdict::success;
  if (status == 401) return Verdict::refresh_auth;
  if (policy.retry_statuses.count(status) > 0) return Verdict::retry;
  return Verdict::fail;
}

std::chrono::milliseconds backoff_ceiling(const RetryPolicy& policy, int retry) {
  long long ceiling = policy.base_delay.count();
  for (int i = 0; i < retry && ceiling < policy.max_delay.count(); ++i) ceiling *= 2;
  return std::chrono::milliseconds(std::min<long long>(ceiling, policy.max_delay.count()));
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, std::mt19937_64& rng) {
  auto ceiling = backoff_ceiling(policy, retry).count();
  std::uniform_int_distribution<long long> dist(0, ceiling);
  return std::chrono::milliseconds(dist(rng));
}

std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value,
                                                           const Timestamp& now) {
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    // A number too large to read is still "much later", never "now"; a year is plenty.
    constexpr long long kYear = 365LL * 24 * 3600;
    long long seconds = kYear;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc{}) seconds = kYear;
    return std::chrono::milliseconds(std::min(seconds, kYear) * 1000);
  }
  // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT"
  std::tm tm{};
  const char* end = strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  try {
    auto when = boost::posix_time::ptime_from_tm(tm);
    auto diff = (when - now).total_milliseconds();
    return std::chrono::milliseconds(std::max<long long>(0, diff));
  } catch (const std::exception&) {
    return std::nullopt;  // a date Boost's calendar cannot hold
  }
}

std::chrono::milliseconds delay_before_retry(const RetryPolicy& policy, int retry,
                                             std::optional<std::chrono::milliseconds> retry_after,
                                             std::mt19937_64& rng) {
  if (retry_after && policy.honour_retry_after) return std::min(*retry_after, policy.max_retry_after);
  return backoff_delay(policy, retry, rng);
}

void RetrySpend::add(RetryReason reason, std::chrono::steady_clock::time_point now) {
  if (reason == RetryReason::transient) {
    ++retries;
    return;
  }
  ++throttled_retries;
  if (!first_throttled) first_throttled = now;
}

bool budget_left(const RetryPolicy& policy, const RetrySpend& spent, RetryReason reason,
                 std::chrono::steady_clock::time_point now) {
  if (reason == RetryReason::transient) return spent.retries < policy.max_retries;
  // The first 429 always has budget left (unless the budget is zero): it is what starts the clock.
  const auto since_first = spent.first_throttled ? now - *spent.first_throttled : std::chrono::nanoseconds(0);
  return since_first < policy.throttle_budget;
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, const RetrySpend& spent, RetryReason reason,
                                      std::optional<std::chrono::milliseconds> retry_after, std::mt19937_64& rng) {
  if (reason == RetryReason::transient) return delay_before_retry(policy, spent.retries, retry_after, rng);
  RetryPolicy throttled = policy;
  throttled.max_delay = std::min(policy.max_delay, policy.throttle_max_delay);
  return delay_before_retry(throttled, spent.throttled_retries, retry_after, rng);
}

}  // namespace tributary::http
