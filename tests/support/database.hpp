#pragma once
// The test database: TRIBUTARY_TEST_DB_URL, started by scripts/test.sh. A test that needs it
// fails loudly when it is missing instead of passing silently.
#include <pqxx/pqxx>

#include <string>

namespace tributary::testing {

std::string test_db_url();  // fails the current test (ADD_FAILURE) and throws when unset

// Drops the raw and state schemas, so every test starts from an empty warehouse.
void reset_database();

long long scalar(const std::string& sql);
std::string text(const std::string& sql);

}  // namespace tributary::testing
