#include "mock/qbo_auth.hpp"

#include <httplib.h>

#include <cstdio>

#include "mock/qbo_data.hpp"
#include "mock/qbo_json.hpp"
#include "mock/qbo_time.hpp"

namespace tributary::mock {
namespace {

bool starts_with_ci(const std::string& s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(std::string_view(s).substr(0, prefix.size()), prefix);
}

std::string form_value(const httplib::Params& params, const char* key) {
  auto it = params.find(key);
  return it == params.end() ? "" : it->second;
}

}  // namespace

TokenStore::TokenStore(const QboMockOptions& options)
    : client_id_(options.client_id),
      client_secret_(options.client_secret),
      ttl_seconds_(options.access_token_ttl_seconds),
      rotate_(options.rotate_refresh_tokens),
      seed_(options.seed),
      refresh_token_(options.initial_refresh_token) {}

std::string TokenStore::mint(const char* prefix) {
  ++counter_;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s-%llu-%016llx", prefix, static_cast<unsigned long long>(counter_),
                static_cast<unsigned long long>(mix_seed(seed_, 99, counter_, 7)));
  return buf;
}

bool TokenStore::client_authenticated(const std::string& authorization) const {
  if (!starts_with_ci(authorization, "Basic ")) return false;
  auto decoded = base64_decode(authorization.substr(6));
  return decoded && *decoded == client_id_ + ":" + client_secret_;
}

HttpAnswer TokenStore::exchange(const std::string& authorization, const std::string& form_body,
                                std::int64_t now_ms) {
  if (!client_authenticated(authorization)) return oauth_error(401, "invalid_client");
  httplib::Params params;
  httplib::detail::parse_query_text(form_body, params);
  std::string grant = form_value(params, "grant_type");
  if (grant.empty()) return oauth_error(400, "invalid_request");
  // The mock never issued an authorization code, so that grant can only be invalid.
  if (grant == "authorization_code") return oauth_error(400, "invalid_grant");
  if (grant != "refresh_token") return oauth_error(400, "unsupported_grant_type");
  std::string presented = form_value(params, "refresh_token");
  if (presented.empty()) return oauth_error(400, "invalid_request");
  if (revoked_ || presented != refresh_token_) return oauth_error(400, "invalid_grant");

  if (rotate_) refresh_token_ = mint("mock-refresh-token");
  std::string access = mint("mock-access-token");
  access_expiry_ms_[access] = now_ms + static_cast<std::int64_t>(ttl_seconds_) * 1000;
  JsonWriter w;
  w.begin_object().field("token_type", "bearer").field("expires_in", ttl_seconds_);
  w.field("refresh_token", refresh_token_);
  w.field("x_refresh_token_expires_in", kRefreshTokenLifetimeSeconds);
  w.field("access_token", access).end_object();
  return ok_answer(BodyFormat::Json, w.take());
}

std::optional<std::string> TokenStore::check_bearer(const std::string& authorization,
                                                    std::int64_t now_ms) const {
  if (!starts_with_ci(authorization, "Bearer ")) return "Authorization header missing or not a Bearer token";
  std::string token = authorization.substr(7);
  auto it = access_expiry_ms_.find(token);
  if (it == access_expiry_ms_.end()) return "Token invalid";
  if (now_ms >= it->second) return "Token expired: " + format_utc(it->second / 1000);
  return std::nullopt;
}

void TokenStore::expire_access_tokens(std::int64_t now_ms) {
  for (auto& [token, expiry] : access_expiry_ms_) {
    if (expiry > now_ms) expiry = now_ms;
  }
}

}  // namespace tributary::mock
