#pragma once
// OAuth refresh tokens in state.oauth_tokens. Each save commits at once.
#include <mutex>
#include <string>

#include "http/oauth.hpp"

namespace tributary::state {

class PgTokenStore final : public http::TokenStore {
 public:
  explicit PgTokenStore(std::string db_url) : db_url_(std::move(db_url)) {}
  std::optional<http::StoredRefreshToken> load(const std::string& key) override;
  void save(const std::string& key, const http::StoredRefreshToken& token) override;

 private:
  std::string db_url_;
  std::mutex mutex_;
};

}  // namespace tributary::state
