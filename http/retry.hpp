#pragma once
// Retry policy as data, and the pure functions that apply it.
#include <chrono>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <string>

#include "core/time.hpp"

namespace tributary::http {

struct RetryPolicy {
  int max_retries = 5;                                 // attempts = max_retries + 1
  std::chrono::milliseconds base_delay{1'000};
  std::chrono::milliseconds max_delay{60'000};         // cap of the exponential term
  std::chrono::milliseconds max_retry_after{300'000};  // longest Retry-After we will sleep
  std::set<int> retry_statuses{429, 500, 502, 503, 504};
  bool honour_retry_after = true;
  // 429s have a budget of their own, in time rather than attempts: a throttled request is
  // retried until its first 429 is this long past (Intuit: wait 60 s after a 429), whatever it
  // spent on 5xx and network retries, and 429s spend nothing of max_retries. The rate limiter
  // does the pacing; the backoff between 429 retries is capped at throttle_max_delay.
  std::chrono::milliseconds throttle_budget{120'000};
  std::chrono::milliseconds throttle_max_delay{10'000};
};

std::ostream& operator<<(std::ostream& os, const RetryPolicy& p);

enum class Verdict { success, retry, refresh_auth, fail };

// What an HTTP status means for the request that produced it.
// 2xx success; 401 refresh credentials once; a status in retry_statuses retry; else fail.
Verdict classify_status(int status, const RetryPolicy& policy);

// Full jitter: uniform in [0, min(max_delay, base_delay * 2^retry)], retry counted from 0.
std::chrono::milliseconds backoff_ceiling(const RetryPolicy& policy, int retry);
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, std::mt19937_64& rng);

// Retry-After as delta-seconds or an HTTP-date; nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value, const Timestamp& now);

// Why a request is being retried: 5xx and network failures share max_retries; 429s have
// throttle_budget.
enum class RetryReason { transient, throttled };

// What one request has spent of its two retry budgets.
struct RetrySpend {
  int retries = 0;            // transient
  int throttled_retries = 0;  // 429
  std::optional<std::chrono::steady_clock::time_point> first_throttled;

  void add(RetryReason reason, std::chrono::steady_clock::time_point now);
};

// Whether a request that has spent `spent` may be retried after failing for `reason` at `now`.
bool budget_left(const RetryPolicy& policy, const RetrySpend& spent, RetryReason reason,
                 std::chrono::steady_clock::time_point now);

// The sleep before the next retry for `reason`: Retry-After when given and honoured (capped),
// else full jitter over that reason's own retry count (429s capped at throttle_max_delay).
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, const RetrySpend& spent, RetryReason reason,
                                      std::optional<std::chrono::milliseconds> retry_after, std::mt19937_64& rng);

// The sleep before retry number `retry`: Retry-After when given (capped), else backoff.
std::chrono::milliseconds delay_before_retry(const RetryPolicy& policy, int retry,
                                             std::optional<std::chrono::milliseconds> retry_after,
                                             std::mt19937_64& rng);

}  // namespace tributary::http
