// Sessions are pinned to what tributary parses: libpq applies PGDATESTYLE and PGTZ from the
// environment at connect, and an operator's shell may hold anything there.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "pg/pg.hpp"
#include "state/migrations.hpp"
#include "state/run_store.hpp"
#include "tests/support/database.hpp"
#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

// Sets an environment variable for the scope, restoring the previous value after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(PgSession, TimestampsReadBackRightWhateverPgDateStyleAndPgTzSay) {
  ScopedEnv style("PGDATESTYLE", "SQL, DMY");
  ScopedEnv zone("PGTZ", "America/New_York");
  reset_database();
  auto conn = pg::connect(test_db_url());
  {
    pqxx::nontransaction txn(*conn);
    EXPECT_EQ(txn.exec1("SHOW DateStyle")[0].as<std::string>(), "ISO, DMY");
    EXPECT_EQ(txn.exec1("SELECT timestamptz '2024-03-04 05:06:07Z'")[0].as<std::string>(), "2024-03-04 05:06:07+00");
  }

  // Through the state code that parses them: a window of 4 March read back as 4 March, not 3 April.
  state::migrate(*conn);
  state::RunStore runs(*conn);
  state::RunSpec spec;
  spec.connector = "c";
  spec.streams = {"s"};
  spec.range = Window{parse_timestamp("2024-03-04T05:06:07Z", "start"), parse_timestamp("2024-03-11", "end")};
  spec.chunk = boost::posix_time::hours(24 * 7);
  auto id = runs.create_run(spec, {{"s", spec.range}});
  auto run = runs.load_run(id);
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->spec.range.start, spec.range.start);
  EXPECT_EQ(run->spec.range.end, spec.range.end);
  auto windows = runs.windows(id);
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_EQ(windows[0].window.start, spec.range.start);
  EXPECT_EQ(windows[0].window.end, spec.range.end);
}

TEST(PgSession, QuotedTableNamesCanOnlyNameATable) {
  auto conn = pg::connect(test_db_url());
  EXPECT_EQ(pg::quote_qualified(*conn, "raw.acme_orders"), "\"raw\".\"acme_orders\"");
  for (const char* bad : {"raw.x; DROP TABLE y", "raw.x\"; DROP TABLE y; --", "raw.", ".x", "raw.a.b", "raw.x y"}) {
    SCOPED_TRACE(bad);
    try {
      pg::quote_qualified(*conn, bad);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::config);
    }
  }
}

// The whole binary, with the environment an operator in Europe might have.
TEST_F(RestConnectors, ABackfillRunsWithANonIsoPgDateStyle) {
  start_mock(small_data(PageStyle::Offset, 90));
  auto config = write_config("offset.yaml", rest_connector_file("", offset_stream()));
  EnvOverrides european{{"PGDATESTYLE", "SQL, DMY"}, {"PGTZ", "Europe/Paris"}};
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", "3"}, european);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status = 'done'"), 4);
  auto status = tributary({"status", "--run", "1"}, european);
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("2024-01-10T00:00:00Z"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace tributary::testing
