#include "engine/source.hpp"

#include <spdlog/spdlog.h>

#include <sstream>

#include "http/static_auth.hpp"

namespace tributary::engine {
namespace {

std::unique_ptr<http::Authenticator> make_authenticator(const connectors::ConnectorConfig& c,
                                                        http::TokenStore& tokens, const StopFlag* stop) {
  using Kind = http::StaticAuth::Kind;
  const auto& a = c.auth;
  if (a.kind == "bearer") return std::make_unique<http::StaticAuth>(Kind::bearer, "", a.token);
  if (a.kind == "basic") return std::make_unique<http::StaticAuth>(Kind::basic, a.username, a.password);
  if (a.kind == "api_key") {
    return std::make_unique<http::StaticAuth>(a.api_key_in == "query" ? Kind::api_key_query : Kind::api_key_header,
                                              a.api_key_name, a.api_key);
  }
  if (a.kind != "oauth2_refresh") return std::make_unique<http::NoAuth>();
  http::OAuthSettings s;
  s.token_url = c.auth.token_url;
  s.client_id = c.auth.client_id;
  s.client_secret = c.auth.client_secret;
  s.refresh_token = c.auth.refresh_token;
  s.store_key = c.name + ":" + c.account;
  s.retry = c.retry;
  return std::make_unique<http::OAuthRefresher>(std::move(s), tokens, stop);
}

std::unique_ptr<http::SharedLimits> make_shared_limits(const connectors::ConnectorConfig& c,
                                                       http::SharedLimitStore* store, const StopFlag* stop) {
  if (store == nullptr || !c.rate_limit.shared) return nullptr;
  auto limits = std::make_unique<http::SharedLimits>(
      *store, c.name + ":" + c.account, http::plan_shared_rate(c.rate_limit),
      http::plan_shared_slots(c.rate_limit), stop);
  if (!limits->enabled()) return nullptr;
  return limits;
}

}  // namespace

SourceSession::SourceSession(const connectors::Connector& connector, http::TokenStore& tokens,
                             const StopFlag* stop, std::unique_ptr<http::SharedLimitStore> shared)
    : limiter_(connector.config().rate_limit, stop),
      shared_store_(std::move(shared)),
      shared_(make_shared_limits(connector.config(), shared_store_.get(), stop)),
      auth_(make_authenticator(connector.config(), tokens, stop)) {
  // Every secret the file holds (auth, secret variables, secret params) is scrubbed from errors,
  // so a source that echoes a request back cannot leak one into a log or state.
  const auto& a = connector.config().auth;
  std::vector<Secret> secrets{a.token, a.api_key, a.password, a.client_secret, a.refresh_token};
  secrets.insert(secrets.end(), connector.config().secrets.begin(), connector.config().secrets.end());
  executor_ = std::make_unique<http::RequestExecutor>(
      connector.config().retry, limiter_, *auth_,
      [&connector](const http::HttpResponse& r) { return connector.describe_failure(r); }, stop, std::move(secrets),
      shared_.get());
  // The policies in force, so a log shows why a run waited or gave up (no secrets in either).
  std::ostringstream policy;
  policy << connector.config().rate_limit << ", " << connector.config().retry;
  spdlog::debug("{}: {}", connector.config().name, policy.str());
  if (shared_) {
    std::ostringstream plans;
    plans << http::plan_shared_rate(connector.config().rate_limit) << ", "
          << http::plan_shared_slots(connector.config().rate_limit);
    spdlog::debug("{}: limits shared with other processes as {}: {}", connector.config().name, shared_->scope(),
                  plans.str());
  }
}

SourceSession::~SourceSession() {
  if (!shared_) return;
  const auto& s = executor_->stats();
  spdlog::debug("{}: shared limits: {} requests, {} round trips to the database, {} ms waited", shared_->scope(),
                shared_->passes(), shared_->round_trips(), s.shared_wait_us.load() / 1000);
}

}  // namespace tributary::engine
