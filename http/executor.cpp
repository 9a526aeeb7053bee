#include "http/executor.hpp"

#include <spdlog/spdlog.h>

#include "core/text.hpp"

namespace tributary::http {

std::string describe_plainly(const HttpResponse& response) {
  if (response.body.empty()) return "(empty body)";
  return one_line(response.body, 203);  // a bounded excerpt: 200 characters and "..."
}

RequestExecutor::RequestExecutor(RetryPolicy policy, RateLimiter& limiter, Authenticator& auth,
                                 FailureDescriber describe, const StopFlag* stop, std::vector<Secret> secrets)
    : policy_(std::move(policy)), limiter_(limiter), auth_(auth),
      describe_(describe ? std::move(describe) : FailureDescriber(describe_plainly)), stop_(stop),
      secrets_(std::move(secrets)) {}

void RequestExecutor::fail(const HttpRequest& request, const HttpResponse& response) const {
  ErrorKind kind = ErrorKind::client;
  // 401 (after a refresh) means the credentials are refused: nothing else will work either. A 403
  // is about one resource or scope, so only its window fails.
  if (response.status == 401) kind = ErrorKind::auth;
  else if (response.status == 429) kind = ErrorKind::throttled;
  else if (response.status >= 500) kind = ErrorKind::server;
  throw Error(kind, scrub("HTTP " + std::to_string(response.status) + " from " + request.label + ": " +
                              describe_(response), secrets_));
}

HttpResponse RequestExecutor::execute(HttpClient& client, const HttpRequest& request) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  bool refreshed_once = false;
  for (int retry = 0;;) {
    if (stop_ != nullptr) stop_->check();
    HttpRequest attempt = request;
    std::optional<std::chrono::milliseconds> retry_after;
    std::string why;
    {
      auto permit = limiter_.acquire();
      auto credential = auth_.apply(attempt, client);
      ++stats_.requests;
      HttpResponse response;
      try {
        response = client.perform(attempt);
      } catch (const TransportError& e) {
        if (!e.retryable() || retry >= policy_.max_retries) throw;
        why = e.what();
      }
      if (why.empty()) {
        switch (classify_status(response.status, policy_)) {
          case Verdict::success:
            limiter_.on_success();
            return response;
          case Verdict::refresh_auth:
            // One refresh per request: a second 401 means the credentials really are refused.
            if (refreshed_once || !auth_.invalidate(credential)) fail(request, response);
            refreshed_once = true;
            ++stats_.auth_refreshes;
            spdlog::info("{}: HTTP 401, refreshing credentials and retrying once", request.label);
            continue;
          case Verdict::fail:
            fail(request, response);
          case Verdict::retry:
            break;
        }
        if (auto* h = response.header("retry-after")) retry_after = parse_retry_after(*h, now_utc());
        if (response.status == 429) {
          ++stats_.throttled;
          // The whole account waits, so by no more than the policy lets one request wait.
          std::optional<std::chrono::milliseconds> pause;
          if (retry_after && policy_.honour_retry_after) pause = std::min(*retry_after, policy_.max_retry_after);
          limiter_.on_throttled(pause);
        }
        if (retry >= policy_.max_retries) fail(request, response);
        why = "HTTP " + std::to_string(response.status);
      }
    }
    auto delay = delay_before_retry(policy_, retry, retry_after, rng);
    ++stats_.retries;
    spdlog::warn("{}: {}; retry {} of {} in {} ms", request.label, why, retry + 1,
                 policy_.max_retries, delay.count());
    interruptible_sleep(stop_, delay);
    ++retry;
  }
}

}  // namespace tributary::http
