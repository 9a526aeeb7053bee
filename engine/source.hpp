#pragma once
// Everything a run shares to talk to one source account: limiter, credentials, executor.
#include <memory>

#include "connectors/connector.hpp"
#include "http/executor.hpp"
#include "http/oauth.hpp"

namespace tributary::engine {

class SourceSession {
 public:
  // `tokens` is where a rotated OAuth refresh token is stored (state implements it). `shared`
  // (optional) keeps the limits every process on the account shares; without it, or with
  // `rate_limit: {shared: false}`, the limits hold for this process only.
  SourceSession(const connectors::Connector& connector, http::TokenStore& tokens, const StopFlag* stop,
                std::unique_ptr<http::SharedLimitStore> shared = nullptr);
  ~SourceSession();

  http::HttpResponse fetch(http::HttpClient& client, const http::HttpRequest& request) {
    return executor_->execute(client, request);
  }
  // The answer to `request` as a page of `window`, not parsed yet (Stream::parse_page reads it).
  connectors::Page fetch_page(http::HttpClient& client, const connectors::SourceRequest& request,
                              const Window& window, long long records_before = 0) {
    auto response = fetch(client, request.http);
    connectors::Page page;
    page.body = std::move(response.body);
    page.headers = std::move(response.headers);
    page.window = window;
    page.records_before = records_before;
    return page;
  }
  const http::ExecutorStats& stats() const { return executor_->stats(); }

 private:
  http::RateLimiter limiter_;
  std::unique_ptr<http::SharedLimitStore> shared_store_;
  std::unique_ptr<http::SharedLimits> shared_;
  std::unique_ptr<http::Authenticator> auth_;
  std::unique_ptr<http::RequestExecutor> executor_;
};

}  // namespace tributary::engine
