#include "tests/support/database.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "pg/pg.hpp"

namespace tributary::testing {

std::string test_db_url() {
  const char* url = std::getenv("TRIBUTARY_TEST_DB_URL");
  if (url == nullptr || *url == '\0') {
    ADD_FAILURE() << "TRIBUTARY_TEST_DB_URL is not set: run the PostgreSQL tests through scripts/test.sh";
    throw std::runtime_error("TRIBUTARY_TEST_DB_URL is not set");
  }
  return url;
}

void reset_database() {
  pqxx::connection conn(test_db_url());
  pqxx::work txn(conn);
  txn.exec("DROP SCHEMA IF EXISTS raw CASCADE");
  txn.exec("DROP SCHEMA IF EXISTS state CASCADE");
  txn.commit();
}

long long mismatches_against(const std::string& table, const std::vector<std::string>& ids,
                             const std::vector<std::string>& payloads) {
  pqxx::connection conn(test_db_url());
  pqxx::work txn(conn);
  auto row = txn.exec_params1(
      "SELECT count(*) FROM unnest($1::text[], $2::text[]) AS m(id, payload) "
      "FULL JOIN " + table + " AS r ON r.id = m.id "
      "WHERE r.id IS NULL OR m.id IS NULL OR r.payload <> m.payload::jsonb",
      pg::array_literal(ids), pg::array_literal(payloads));
  return row[0].as<long long>();
}

void wait_for_committed_pages(long long pages, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    long long done = 0;
    try {
      done = scalar("SELECT coalesce(sum(pages_loaded), 0) FROM state.windows");
    } catch (const std::exception&) {  // not migrated yet
    }
    if (done >= pages) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

long long scalar(const std::string& sql) {
  pqxx::connection conn(test_db_url());
  pqxx::work txn(conn);
  auto row = txn.exec1(sql);
  return row[0].is_null() ? 0 : row[0].as<long long>();
}

long long execute(const std::string& sql) {
  pqxx::connection conn(test_db_url());
  pqxx::work txn(conn);
  auto result = txn.exec(sql);
  txn.commit();
  return static_cast<long long>(result.affected_rows());
}

std::string text(const std::string& sql) {
  pqxx::connection conn(test_db_url());
  pqxx::work txn(conn);
  auto row = txn.exec1(sql);
  return row[0].is_null() ? "" : row[0].as<std::string>();
}

}  // namespace tributary::testing
