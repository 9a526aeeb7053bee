#include "http/executor.hpp"

#include <spdlog/spdlog.h>

#include "core/text.hpp"

namespace tributary::http {
namespace {

long long micros_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::microseconds>(b - a).count();
}

}  // namespace

std::string describe_plainly(const HttpResponse& response) {
  if (response.body.empty()) return "(empty body)";
  return one_line(response.body, 203);  // a bounded excerpt: 200 characters and "..."
}

RequestExecutor::RequestExecutor(RetryPolicy policy, RateLimiter& limiter, Authenticator& auth,
                                 FailureDescriber describe, const StopFlag* stop, std::vector<Secret> secrets,
                                 SharedLimits* shared)
    : policy_(std::move(policy)), limiter_(limiter), shared_(shared), auth_(auth),
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

void RequestExecutor::give_up(const HttpRequest& request, const Attempt& a) const {
  if (a.transport) std::rethrow_exception(a.transport);
  fail(request, a.failed);
}

void RequestExecutor::throttled(const RateLimiter::Permit& permit, const HttpRequest& request, Attempt& a,
                                bool retrying_429) {
  ++stats_.throttled;
  a.reason = RetryReason::throttled;
  // The whole account waits, so by no more than the policy lets one request wait.
  std::optional<std::chrono::milliseconds> pause;
  if (a.retry_after && policy_.honour_retry_after) pause = std::min(*a.retry_after, policy_.max_retry_after);
  auto outcome = limiter_.on_throttled(permit, pause, retrying_429);
  if (outcome.blame == Blame::same_episode) return;
  ++stats_.limit_decreases;
  spdlog::warn("{}: HTTP 429 blamed on {}: now {} requests per interval (was {}), {} in flight (was {}); "
               "0 = unlimited", request.label, to_string(outcome.blame), outcome.after.requests_per_interval,
               outcome.before.requests_per_interval, outcome.after.max_concurrent, outcome.before.max_concurrent);
}

RequestExecutor::Attempt RequestExecutor::attempt(HttpClient& client, const HttpRequest& request,
                                                  bool just_refreshed, bool retrying_429) {
  Attempt out;
  HttpRequest attempt = request;
  auto asked = std::chrono::steady_clock::now();
  auto permit = limiter_.acquire();
  auto credential = auth_.apply(attempt, client);
  // After the credentials: a token refresh never holds a shared slot or lets a token go stale.
  std::optional<SharedLimits::Pass> shared;
  if (shared_ != nullptr) {
    auto before = std::chrono::steady_clock::now();
    shared.emplace(shared_->acquire());
    stats_.shared_wait_us += micros_between(before, std::chrono::steady_clock::now());
  }
  ++stats_.requests;
  HttpResponse response;
  auto sent = std::chrono::steady_clock::now();
  stats_.limiter_wait_us += micros_between(asked, sent);
  try {
    response = client.perform(attempt);
    stats_.answer_wait_us += micros_between(sent, std::chrono::steady_clock::now());
  } catch (const TransportError& e) {
    stats_.answer_wait_us += micros_between(sent, std::chrono::steady_clock::now());
    ++stats_.transport_errors;
    if (!e.retryable()) throw;
    out.why = e.what();
    out.transport = std::current_exception();
    return out;
  }
  stats_.bytes += static_cast<long long>(response.body.size());
  if (response.status >= 200 && response.status < 300) ++stats_.answered_2xx;
  else if (response.status >= 500) ++stats_.answered_5xx;
  else if (response.status >= 400 && response.status != 429) ++stats_.answered_4xx;
  switch (classify_status(response.status, policy_)) {
    case Verdict::success:
      limiter_.on_success(permit);
      out.response = std::move(response);
      return out;
    case Verdict::refresh_auth:
      // A 401 straight after a refresh means the credentials really are refused. One after
      // another answer (a retried 5xx or 429 outlasting a short-lived token) earns a refresh.
      if (just_refreshed || !auth_.invalidate(credential)) fail(request, response);
      ++stats_.auth_refreshes;
      spdlog::info("{}: HTTP 401, refreshing credentials and retrying", request.label);
      out.refreshed = true;
      return out;
    case Verdict::fail:
      fail(request, response);
    case Verdict::retry:
      break;
  }
  if (auto* h = response.header("retry-after")) out.retry_after = parse_retry_after(*h, now_utc());
  if (response.status == 429) throttled(permit, request, out, retrying_429);
  out.why = "HTTP " + std::to_string(response.status);
  out.failed = std::move(response);
  return out;
}

HttpResponse RequestExecutor::execute(HttpClient& client, const HttpRequest& request) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  bool just_refreshed = false;
  RetrySpend spent;
  for (;;) {
    if (stop_ != nullptr) stop_->check();
    Attempt a = attempt(client, request, just_refreshed, spent.first_throttled.has_value());
    if (a.response) return std::move(*a.response);
    just_refreshed = a.refreshed;
    if (a.refreshed) continue;
    const auto now = std::chrono::steady_clock::now();
    if (!budget_left(policy_, spent, a.reason, now)) give_up(request, a);
    auto delay = retry_delay(policy_, spent, a.reason, a.retry_after, rng);
    spent.add(a.reason, now);
    ++stats_.retries;
    if (a.reason == RetryReason::throttled) {
      auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - *spent.first_throttled);
      spdlog::warn("{}: {}; throttled for {} s of the {} s allowed, retry in {} ms", request.label, a.why,
                   waited.count(), policy_.throttle_budget.count() / 1000, delay.count());
    } else {
      spdlog::warn("{}: {}; retry {} of {} in {} ms", request.label, a.why, spent.retries, policy_.max_retries,
                   delay.count());
    }
    interruptible_sleep(stop_, delay);
  }
}

}  // namespace tributary::http
