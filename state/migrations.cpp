#include "state/migrations.hpp"

#include <spdlog/spdlog.h>

#include "pg/pg.hpp"
#include "sql/sql.hpp"

namespace tributary::state {
namespace {

constexpr const char* kLock = "SELECT pg_advisory_xact_lock(hashtext('tributary:migrate'))";
constexpr const char* kLedger = R"(
CREATE SCHEMA IF NOT EXISTS state;
CREATE TABLE IF NOT EXISTS state.schema_migrations (
  version        text        PRIMARY KEY,
  applied_at_utc timestamptz NOT NULL DEFAULT now()
))";

}  // namespace

int migrate(pqxx::connection_base& conn) {
  int applied = 0;
  try {
    for (const auto& file : sql::migrations()) {
      pqxx::work txn(conn);
      txn.exec(kLock);
      txn.exec(kLedger);
      std::string version(file.name);
      if (!txn.exec_params("SELECT 1 FROM state.schema_migrations WHERE version = $1", version).empty()) {
        continue;
      }
      txn.exec(std::string(file.text));
      txn.exec_params("INSERT INTO state.schema_migrations (version) VALUES ($1)", version);
      txn.commit();
      spdlog::info("migrate: applied {}", version);
      ++applied;
    }
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "applying migrations");
  }
  return applied;
}

}  // namespace tributary::state
