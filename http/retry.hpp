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

// The sleep before retry number `retry`: Retry-After when given (capped), else backoff.
std::chrono::milliseconds delay_before_retry(const RetryPolicy& policy, int retry,
                                             std::optional<std::chrono::milliseconds> retry_after,
                                             std::mt19937_64& rng);

}  // namespace tributary::http
