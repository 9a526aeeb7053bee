#pragma once
// OAuth 2.0 refresh-token grant (RFC 6749 §6), as Intuit runs it: HTTP Basic client
// authentication, refresh tokens that rotate. One refresh at a time per refresher; every
// stream and thread of an account shares one refresher.
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "core/env.hpp"
#include "core/interrupt.hpp"
#include "http/auth.hpp"
#include "http/retry.hpp"

namespace tributary::http {

struct StoredRefreshToken {
  Secret token;
  // Fingerprint of the configured (environment) token this one descends from. When the operator
  // configures a different token, it is newer than the stored chain and wins.
  std::string origin_fingerprint;
};

// Storage the refresher does not own; `state` implements it in PostgreSQL.
class TokenStore {
 public:
  using Exchange = std::function<std::optional<StoredRefreshToken>(const std::optional<StoredRefreshToken>& stored)>;
  virtual ~TokenStore() = default;
  // Runs `exchange` with the stored token while holding a lock on `key` that every process
  // sharing the store respects (rotation makes two concurrent refreshes lock each other out),
  // and durably stores what it returns before the lock is released: a rotated token is saved
  // before it is ever used. If `exchange` throws, nothing is stored.
  virtual void exchange(const std::string& key, const Exchange& exchange) = 0;
};

struct OAuthSettings {
  std::string token_url;
  std::string client_id;
  Secret client_secret;
  Secret refresh_token;   // as configured (environment)
  std::string store_key;  // e.g. "quickbooks:<realm>"
  std::chrono::seconds refresh_margin{120};  // refresh this long before expiry
  RetryPolicy retry;                         // for transient token-endpoint failures
};

std::string fingerprint(const std::string& text);  // FNV-1a 64, hex; not a secret-safe hash

class OAuthRefresher final : public Authenticator {
 public:
  OAuthRefresher(OAuthSettings settings, TokenStore& store, const StopFlag* stop = nullptr);
  std::string apply(HttpRequest& request, HttpClient& client) override;
  bool invalidate(const std::string& tag) override;

 private:
  std::string access_token(HttpClient& client);
  void refresh(HttpClient& client);
  Secret pick_refresh_token(const std::optional<StoredRefreshToken>& stored) const;
  // `timed_out` is set when an attempt timed out (the endpoint may have rotated the token).
  HttpResponse post_refresh(HttpClient& client, const Secret& refresh_token, bool& timed_out);

  OAuthSettings settings_;
  TokenStore& store_;
  const StopFlag* stop_;
  mutable std::mutex mutex_;
  Secret access_token_;
  std::chrono::steady_clock::time_point expires_at_{};
};

}  // namespace tributary::http
