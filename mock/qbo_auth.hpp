// Intuit's OAuth 2.0 token endpoint (refresh grant only) and the bearer check the data API
// gateway performs. Not thread-safe; the server calls it under its state mutex.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "mock/common/base64.hpp"
#include "mock/qbo_faults.hpp"
#include "mock/qbo_mock.hpp"

namespace tributary::mock {

// Intuit's refresh tokens live 101 days (the x_refresh_token_expires_in Intuit returns).
constexpr std::int64_t kRefreshTokenLifetimeSeconds = 8726400;

class TokenStore {
 public:
  explicit TokenStore(const QboMockOptions& options);

  // POST /oauth2/v1/tokens/bearer with its Authorization header and form body.
  HttpAnswer exchange(const std::string& authorization, const std::string& form_body, std::int64_t now_ms);

  // nullopt when the "Authorization: Bearer ..." header holds a live access token; otherwise
  // the detail the gateway's 401 carries.
  std::optional<std::string> check_bearer(const std::string& authorization, std::int64_t now_ms) const;

  std::string current_refresh_token() const { return refresh_token_; }  // dead once revoked
  void expire_access_tokens(std::int64_t now_ms);
  void revoke_refresh_tokens() { revoked_ = true; }

 private:
  bool client_authenticated(const std::string& authorization) const;
  std::string mint(const char* prefix);

  std::string client_id_;
  std::string client_secret_;
  int ttl_seconds_;
  bool rotate_;
  std::uint64_t seed_;
  std::uint64_t counter_ = 0;
  std::string refresh_token_;
  bool revoked_ = false;
  std::map<std::string, std::int64_t> access_expiry_ms_;  // token -> expiry (UTC ms)
};

}  // namespace tributary::mock
