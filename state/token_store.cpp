#include "state/token_store.hpp"

#include "pg/pg.hpp"

namespace tributary::state {

// Its own short-lived connection: the save must commit independently of any page transaction.
std::optional<http::StoredRefreshToken> PgTokenStore::load(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto conn = pg::connect(db_url_);
  try {
    pqxx::work txn(*conn);
    auto rows = txn.exec_params(
        "SELECT refresh_token, origin_fingerprint FROM state.oauth_tokens WHERE token_key = $1", key);
    if (rows.empty()) return std::nullopt;
    return http::StoredRefreshToken{Secret(rows[0][0].as<std::string>()), rows[0][1].as<std::string>()};
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reading the stored OAuth token");
  }
}

void PgTokenStore::save(const std::string& key, const http::StoredRefreshToken& token) {
  std::lock_guard lock(mutex_);
  auto conn = pg::connect(db_url_);
  try {
    pqxx::work txn(*conn);
    txn.exec_params(R"(
INSERT INTO state.oauth_tokens (token_key, refresh_token, origin_fingerprint, updated_at_utc)
VALUES ($1, $2, $3, now())
ON CONFLICT (token_key) DO UPDATE SET refresh_token = EXCLUDED.refresh_token,
  origin_fingerprint = EXCLUDED.origin_fingerprint, updated_at_utc = now())",
                    key, token.token.reveal(), token.origin_fingerprint);
    txn.commit();
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "storing the rotated OAuth token");
  }
}

}  // namespace tributary::state
