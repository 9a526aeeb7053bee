#pragma once
// The one retry loop: rate limit, credentials, transport, classification, backoff.
// It knows nothing about any particular API; a connector supplies how to read an error body.
#include <atomic>
#include <exception>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "core/env.hpp"
#include "core/interrupt.hpp"
#include "http/auth.hpp"
#include "http/rate_limiter.hpp"
#include "http/retry.hpp"
#include "http/shared_limits.hpp"

namespace tributary::http {

// Turns an error answer into one readable line ("ValidationFault 4000: Error parsing query: ...").
using FailureDescriber = std::function<std::string(const HttpResponse&)>;

std::string describe_plainly(const HttpResponse& response);  // status and a bounded body excerpt

struct ExecutorStats {
  std::atomic<long> requests{0};
  std::atomic<long> retries{0};
  std::atomic<long> throttled{0};
  std::atomic<long> limit_decreases{0};  // 429s that lowered the rate or concurrency
  std::atomic<long> auth_refreshes{0};
  // Answers by class (429 counted in `throttled`), transport failures, and body bytes received.
  std::atomic<long> answered_2xx{0}, answered_4xx{0}, answered_5xx{0}, transport_errors{0};
  std::atomic<long long> bytes{0};
  // Summed over every thread: time spent waiting for answers, and for the limiter's permission
  // (what tells a run held back by the source's latency from one held back by its limits).
  std::atomic<long long> answer_wait_us{0}, limiter_wait_us{0};
  // The part of limiter_wait_us spent on the limits shared with other processes (none when the
  // session has no shared limits).
  std::atomic<long long> shared_wait_us{0};
};

class RequestExecutor {
 public:
  // `secrets` are scrubbed from every error this executor raises. `shared` (optional): limits
  // other processes on the account share, applied after the local limiter's permit.
  RequestExecutor(RetryPolicy policy, RateLimiter& limiter, Authenticator& auth,
                  FailureDescriber describe, const StopFlag* stop = nullptr, std::vector<Secret> secrets = {},
                  SharedLimits* shared = nullptr);

  // Returns a 2xx answer or throws Error whose kind says why (throttled, server, client,
  // auth, network, timeout, interrupted).
  HttpResponse execute(HttpClient& client, const HttpRequest& request);

  const ExecutorStats& stats() const { return stats_; }

 private:
  // One try: a 2xx, a credential refresh to try again at once, or a failure worth retrying.
  struct Attempt {
    std::optional<HttpResponse> response;
    bool refreshed = false;
    RetryReason reason = RetryReason::transient;
    std::optional<std::chrono::milliseconds> retry_after;
    std::string why;
    HttpResponse failed;             // the retryable answer, for the error when budgets run out
    std::exception_ptr transport;    // or the retryable transport error
  };

  // `retrying_429`: an earlier attempt of this request was refused with 429.
  Attempt attempt(HttpClient& client, const HttpRequest& request, bool just_refreshed, bool retrying_429);
  void throttled(const RateLimiter::Permit& permit, const HttpRequest& request, Attempt& a, bool retrying_429);
  [[noreturn]] void give_up(const HttpRequest& request, const Attempt& a) const;
  [[noreturn]] void fail(const HttpRequest& request, const HttpResponse& response) const;

  RetryPolicy policy_;
  RateLimiter& limiter_;
  SharedLimits* shared_;
  Authenticator& auth_;
  FailureDescriber describe_;
  const StopFlag* stop_;
  std::vector<Secret> secrets_;
  ExecutorStats stats_;
};

}  // namespace tributary::http
