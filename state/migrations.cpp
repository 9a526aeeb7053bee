#include "state/migrations.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
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
constexpr const char* kLedgerExists = "SELECT to_regclass('state.schema_migrations') IS NOT NULL";
constexpr const char* kApplied = "SELECT version FROM state.schema_migrations ORDER BY version";

std::vector<std::string> known_versions() {
  std::vector<std::string> out;
  for (const auto& file : sql::migrations()) out.emplace_back(file.name);
  return out;
}

// The versions recorded, or none when the ledger does not exist yet.
std::vector<std::string> applied_versions(pqxx::transaction_base& txn) {
  std::vector<std::string> out;
  if (!txn.exec1(kLedgerExists)[0].as<bool>()) return out;
  for (const auto& row : txn.exec(kApplied)) out.push_back(row[0].as<std::string>());
  return out;
}

// user@host:port/dbname, as pg::redact_url writes it: never a password.
std::string where(pqxx::connection_base& conn) {
  auto text = [](const char* s) { return std::string(s != nullptr ? s : ""); };
  return text(conn.username()) + "@" + text(conn.hostname()) + ":" + text(conn.port()) + "/" + text(conn.dbname());
}

void refuse_newer_schema(pqxx::transaction_base& txn) {
  if (auto problem = newer_schema_problem(applied_versions(txn), known_versions())) {
    throw Error(ErrorKind::database, where(txn.conn()) + ": " + *problem);
  }
}

}  // namespace

std::optional<long long> migration_number(const std::string& name) {
  auto slash = name.rfind('/');
  auto base = slash == std::string::npos ? name : name.substr(slash + 1);
  size_t digits = 0;
  while (digits < base.size() && digits < 18 && std::isdigit(static_cast<unsigned char>(base[digits]))) ++digits;
  if (digits == 0) return std::nullopt;
  return std::stoll(base.substr(0, digits));
}

std::optional<std::string> newer_schema_problem(const std::vector<std::string>& applied,
                                                const std::vector<std::string>& known) {
  std::vector<std::string> unknown;
  for (const auto& v : applied) {
    if (std::find(known.begin(), known.end(), v) == known.end()) unknown.push_back(v);
  }
  if (unknown.empty()) return std::nullopt;
  // The highest number names the database's version; a version without one is quoted as written.
  auto label = [](const std::string& v) {
    auto n = migration_number(v);
    return n ? std::to_string(*n) : "'" + v + "'";
  };
  auto newest = *std::max_element(unknown.begin(), unknown.end(), [](const auto& a, const auto& b) {
    return migration_number(a).value_or(-1) < migration_number(b).value_or(-1);
  });
  std::string knows = known.empty() ? "none" : label(known.back());
  return "the database's schema is version " + label(newest) + ", newer than this tributary (knows up to " + knows +
         "): upgrade tributary";
}

bool schema_is_current(pqxx::connection_base& conn) {
  try {
    pqxx::read_transaction txn(conn);
    refuse_newer_schema(txn);
    auto applied = applied_versions(txn);
    for (const auto& version : known_versions()) {
      if (std::find(applied.begin(), applied.end(), version) == applied.end()) return false;
    }
    return true;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reading state.schema_migrations");
  }
}

int migrate(pqxx::connection_base& conn) {
  int applied = 0;
  try {
    for (const auto& file : sql::migrations()) {
      pqxx::work txn(conn);
      txn.exec(kLock);
      refuse_newer_schema(txn);  // before the ledger exists too: then it is a no-op
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
