// Bad input: a clear one-line error, a documented exit code, and nothing written.
#include <fstream>

#include "sql/sql.hpp"
#include "tests/support/qbo_fixture.hpp"

namespace tributary::testing {
namespace {

class CliErrors : public QboPgTest {
 protected:
  void expect_clean_failure(const ProcessResult& r, int code, const std::string& needle) {
    EXPECT_EQ(r.exit_code, code) << r.err;
    auto last = r.err.substr(r.err.rfind('\n', r.err.size() - 2) + 1);
    EXPECT_EQ(r.err.rfind("tributary: error: ", 0) == 0 || last.rfind("tributary: error: ", 0) == 0, true) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_EQ(scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'raw'") == 0 ||
                  scalar("SELECT count(*) FROM state.runs") == 0,
              true);
    EXPECT_EQ(mock_->stats().total_requests, 0);
  }
};

TEST_F(CliErrors, EndNotAfterStart) {
  expect_clean_failure(backfill("2024-02-01", "2024-01-01"), 2, "must be after start");
  expect_clean_failure(backfill("2024-02-01", "2024-02-01"), 2, "must be after start");
}

TEST_F(CliErrors, UnparseableDate) {
  expect_clean_failure(backfill("2024-13-01", "2024-02-01"), 2, "--start: cannot parse '2024-13-01'");
  expect_clean_failure(backfill("2024-01-01", "yesterday"), 2, "--end: cannot parse 'yesterday'");
}

TEST_F(CliErrors, UnknownStream) {
  expect_clean_failure(backfill("2024-01-01", "2024-02-01", {"--stream", "payments"}), 2,
                       "unknown stream 'payments'");
}

// "LINE:COL" of the first `text` in the shipped QuickBooks file.
std::string position_in_config(const std::string& text) {
  std::ifstream in(std::string(TRIBUTARY_SOURCE_DIR "/config/quickbooks.yaml"));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (auto col = line.find(text); col != std::string::npos) return std::to_string(n) + ":" + std::to_string(col + 1);
  }
  ADD_FAILURE() << text << " is not in " << std::string(TRIBUTARY_SOURCE_DIR "/config/quickbooks.yaml");
  return "";
}

TEST_F(CliErrors, MissingEnvironmentVariableNamesTheFileAndLine) {
  auto r = tributary(backfill_args("2024-01-01", "2024-02-01"), {{"QBO_CLIENT_SECRET", kUnset}});
  expect_clean_failure(r, 3, "quickbooks.yaml:" + position_in_config("${QBO_CLIENT_SECRET}") +
                                 ": environment variable QBO_CLIENT_SECRET is not set");
}

TEST_F(CliErrors, MissingConfigFile) {
  auto r = tributary({"backfill", "--config", "/nonexistent/qbo.yaml", "--start", "2024-01-01", "--end", "2024-02-01"});
  expect_clean_failure(r, 3, "/nonexistent/qbo.yaml: connector file not found");
}

TEST_F(CliErrors, UnreachableDatabase) {
  auto r = tributary(backfill_args("2024-01-01", "2024-02-01"),
                     {{"TRIBUTARY_DB_URL", "postgresql://tributary:hunter2@127.0.0.1:1/none"}});
  expect_clean_failure(r, 4, "cannot connect to PostgreSQL tributary@127.0.0.1:1/none");
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos);
  for (const char* url : {"postgresql://etl@127.0.0.1:1/x?password=hunter2", "host=127.0.0.1 port=1 password = hunter2",
                          "postgresql://etl:hunter2%40x@127.0.0.1:1/x"}) {
    auto other = tributary(backfill_args("2024-01-01", "2024-02-01"), {{"TRIBUTARY_DB_URL", url}});
    EXPECT_EQ(other.exit_code, 4) << url;
    EXPECT_EQ(other.err.find("hunter2"), std::string::npos) << other.err;
  }
}

TEST_F(CliErrors, BadArgumentsAreUsageErrors) {
  expect_clean_failure(tributary({"backfill", "--config", config_path(), "--start", "2024-01-01"}), 2, "--end");
  expect_clean_failure(tributary({"frobnicate"}), 2, "frobnicate");
  expect_clean_failure(backfill("2024-01-01", "2024-02-01", {"--page-size", "1001"}), 2, "1001");
}

TEST_F(CliErrors, ResumeOfAnUnknownRun) {
  auto r = tributary({"resume", "--run", "42"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no run 42"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tributary::testing

namespace tributary::testing {
namespace {

class CliMigrate : public QboPgTest {};

TEST_F(CliMigrate, MigrateIsIdempotentAndCreatesTheConnectorsRawTables) {
  auto first = tributary({"migrate", "--config", config_path()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto migrations = static_cast<long long>(sql::migrations().size());
  ASSERT_GE(migrations, 2);
  EXPECT_NE(first.out.find(std::to_string(migrations) + " migration(s) applied"), std::string::npos) << first.out;
  auto second = tributary({"migrate", "--config", config_path()});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("0 migration(s) applied"), std::string::npos) << second.out;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.schema_migrations"), migrations);
  EXPECT_EQ(scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' "
                   "AND table_name IN ('qbo_customers', 'qbo_invoices', 'qbo_items')"), 3);
  EXPECT_EQ(text("SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_index i JOIN pg_attribute a "
                 "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                 "WHERE i.indrelid = 'raw.qbo_invoices'::regclass AND i.indisprimary"), "account,id");
}

}  // namespace
}  // namespace tributary::testing
