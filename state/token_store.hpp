#pragma once
// OAuth refresh tokens in state.oauth_tokens, exchanged under a PostgreSQL advisory lock so
// processes sharing a realm never refresh at the same time.
#include <string>

#include "http/oauth.hpp"

namespace tributary::state {

class PgTokenStore final : public http::TokenStore {
 public:
  explicit PgTokenStore(std::string db_url) : db_url_(std::move(db_url)) {}
  void exchange(const std::string& key, const Exchange& exchange) override;

 private:
  std::string db_url_;
};

}  // namespace tributary::state
