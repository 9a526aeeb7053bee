#pragma once
// The test database: TRIBUTARY_TEST_DB_URL, started by scripts/test.sh. A test that needs it
// fails loudly when it is missing instead of passing silently.
#include <pqxx/pqxx>

#include <chrono>
#include <string>
#include <vector>

namespace tributary::testing {

std::string test_db_url();  // fails the current test (ADD_FAILURE) and throws when unset

// Drops the raw and state schemas, so every test starts from an empty warehouse.
void reset_database();

long long scalar(const std::string& sql);
// Runs `sql` and commits it; returns the rows it affected.
long long execute(const std::string& sql);

// Polls state.windows until runs have committed at least `pages` pages (or `timeout` passes);
// the schema may not exist yet when it starts.
void wait_for_committed_pages(long long pages, std::chrono::seconds timeout = std::chrono::seconds(60));

// Rows of `table` that differ from the expected records: missing ids, extra ids, or payloads
// that are not equal as JSON. 0 means the table holds exactly these records.
long long mismatches_against(const std::string& table, const std::vector<std::string>& ids,
                             const std::vector<std::string>& payloads);
std::string text(const std::string& sql);

}  // namespace tributary::testing
