#include "state/token_store.hpp"

#include "pg/pg.hpp"

namespace tributary::state {
namespace {

constexpr const char* kLock = "SELECT pg_advisory_xact_lock(hashtext('tributary:oauth:' || $1))";
constexpr const char* kLoad =
    "SELECT refresh_token, origin_fingerprint FROM state.oauth_tokens WHERE token_key = $1";
constexpr const char* kSave = R"(
INSERT INTO state.oauth_tokens (token_key, refresh_token, origin_fingerprint, updated_at_utc)
VALUES ($1, $2, $3, now())
ON CONFLICT (token_key) DO UPDATE SET refresh_token = EXCLUDED.refresh_token,
  origin_fingerprint = EXCLUDED.origin_fingerprint, updated_at_utc = now())";

}  // namespace

// Its own connection and transaction: the token commits independently of any page, and the
// lock lasts exactly as long as the exchange.
void PgTokenStore::exchange(const std::string& key, const Exchange& exchange) {
  auto conn = pg::connect(db_url_);
  try {
    pqxx::work txn(*conn);
    txn.exec_params(kLock, key);
    std::optional<http::StoredRefreshToken> stored;
    auto rows = txn.exec_params(kLoad, key);
    if (!rows.empty()) {
      stored = http::StoredRefreshToken{Secret(rows[0][0].as<std::string>()), rows[0][1].as<std::string>()};
    }
    auto fresh = exchange(stored);
    if (fresh) txn.exec_params(kSave, key, fresh->token.reveal(), fresh->origin_fingerprint);
    txn.commit();
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "exchanging the stored OAuth token");
  }
}

}  // namespace tributary::state
