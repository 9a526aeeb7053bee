// The high-water mark over windows laid down by hand (gaps, failures, overlaps, other streams),
// and the stream locks between runs in one process (each lock its own session).
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "pg/pg.hpp"
#include "state/migrations.hpp"
#include "state/stream_lock.hpp"
#include "state/stream_state.hpp"
#include "tests/support/database.hpp"

namespace tributary::state {
namespace {

using testing::test_db_url;

class StreamState : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::reset_database();
    conn_ = pg::connect(test_db_url());
    state::migrate(*conn_);
  }

  // A run of `connector`/`account` holding one window per (stream, start day, end day, status).
  void run(const std::string& connector, const std::string& account,
           const std::vector<std::tuple<std::string, int, int, std::string>>& windows) {
    pqxx::work txn(*conn_);
    auto id = txn.exec_params1("INSERT INTO state.runs (connector, account, streams, mode, requested_start_utc, "
                               "requested_end_utc, chunk, page_size, status) VALUES ($1, $2, '{}', 'sync', "
                               "'2026-01-01', '2026-02-01', '1 day', 0, 'done') RETURNING run_id",
                               connector, account)[0]
                  .as<long long>();
    for (const auto& [stream, from, to, status] : windows) {
      txn.exec_params("INSERT INTO state.windows (run_id, stream, window_start_utc, window_end_utc, status) VALUES "
                      "($1, $2, '2026-01-01'::timestamptz + make_interval(days => $3), "
                      "'2026-01-01'::timestamptz + make_interval(days => $4), $5)",
                      id, stream, from - 1, to - 1, status);
    }
    txn.commit();
  }

  // The mark of qbo/realm-1/invoices as "YYYY-MM-DD", or "none".
  std::string mark(const std::string& stream = "invoices") {
    auto m = high_water_mark(*conn_, {"qbo", "realm-1", stream});
    return m ? format_utc(*m).substr(0, 10) : "none";
  }

  std::unique_ptr<pqxx::connection> conn_;
};

TEST_F(StreamState, TheMarkIsTheEndOfTheFirstUnbrokenStretchOfDoneWindows) {
  EXPECT_EQ(mark(), "none") << "no run yet";
  run("qbo", "realm-1", {{"invoices", 1, 8, "failed"}});
  EXPECT_EQ(mark(), "none") << "a failed window proves nothing";
  run("qbo", "realm-1", {{"invoices", 1, 8, "done"}, {"invoices", 8, 15, "done"}, {"invoices", 15, 22, "failed"},
                         {"invoices", 22, 29, "done"}});
  EXPECT_EQ(mark(), "2026-01-15") << "never past a failed window";
  run("qbo", "realm-1", {{"invoices", 14, 16, "done_with_rejects"}});  // a later sync with a lookback
  EXPECT_EQ(mark(), "2026-01-16") << "overlapping windows of another run extend the stretch";
  run("qbo", "realm-1", {{"invoices", 17, 23, "done"}});
  EXPECT_EQ(mark(), "2026-01-16") << "a gap [16th, 17th) stops it";
  run("qbo", "realm-1", {{"invoices", 16, 17, "running"}});
  EXPECT_EQ(mark(), "2026-01-16") << "nor does a window still running fill it";
  run("qbo", "realm-1", {{"invoices", 16, 17, "done"}});
  EXPECT_EQ(mark(), "2026-01-29") << "filled: on to the end of the done window after the old failure";
  // Other streams, accounts and connectors are their own.
  run("qbo", "realm-1", {{"customers", 1, 3, "done"}});
  run("qbo", "realm-2", {{"invoices", 1, 31, "done"}});
  run("other", "realm-1", {{"invoices", 1, 31, "done"}});
  EXPECT_EQ(mark(), "2026-01-29");
  EXPECT_EQ(mark("customers"), "2026-01-03");
}

TEST(StreamLocks, ARunHoldsItsStreamsAgainstOtherRunsButNotItsOwnWorkers) {
  testing::reset_database();
  const StreamKey invoices{"realm-1", "raw.qbo_invoices", "invoices"};
  const StreamKey customers{"realm-1", "raw.qbo_customers", "customers"};
  const StreamKey other_realm{"realm-2", "raw.qbo_invoices", "invoices"};
  auto none = [] { return 0LL; };
  auto run = [](long long id) { return [id] { return id; }; };

  auto first = std::make_unique<StreamLock>(test_db_url());
  EXPECT_EQ(first->acquire({invoices, customers}, std::chrono::milliseconds(0), nullptr, none, run(41)), 41);

  StreamLock second(test_db_url());
  try {
    second.acquire({invoices}, std::chrono::milliseconds(0), nullptr, none, run(42));
    FAIL() << "another run took a held stream";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::busy);
    EXPECT_NE(std::string(e.what()).find("stream invoices (raw.qbo_invoices) is being written by run 41"),
              std::string::npos)
        << e.what();
  }
  bool created = false;
  auto counting = [&] {
    created = true;
    return 43LL;
  };
  EXPECT_THROW(second.acquire({customers}, std::chrono::milliseconds(0), nullptr, none, counting), Error);
  EXPECT_FALSE(created) << "nothing is created for a run that cannot start";

  StreamLock same_run(test_db_url());  // another worker of run 41 (a resume, a joining host)
  EXPECT_EQ(same_run.acquire({invoices}, std::chrono::milliseconds(0), nullptr, run(41), none), 41);
  StreamLock elsewhere(test_db_url());  // the same table for another account is another stream
  EXPECT_EQ(elsewhere.acquire({other_realm}, std::chrono::milliseconds(0), nullptr, none, run(44)), 44);

  // Its session ends; run 41 still has a worker holding invoices, not customers. The server lets
  // go of a closed session's locks when its backend exits, a moment later: wait for that.
  first.reset();
  EXPECT_EQ(second.acquire({customers}, std::chrono::seconds(60), nullptr, none, run(45)), 45);
  StreamLock third(test_db_url());
  EXPECT_THROW(third.acquire({invoices}, std::chrono::milliseconds(0), nullptr, none, run(46)), Error);

  StreamLock nothing_to_do(test_db_url());
  EXPECT_EQ(nothing_to_do.acquire({other_realm}, std::chrono::milliseconds(0), nullptr, run(44), none), 44);
  EXPECT_EQ(testing::scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2"), 4)
      << "41 (same_run), 44 (elsewhere and nothing_to_do), 45 (second)";
}

TEST(StreamLocks, KeysAreStableAcrossBuildsAndHosts) {
  // FNV-1a of "realm-1\x1fraw.qbo_invoices", 31 bits: a change here splits running fleets.
  EXPECT_EQ(lock_key({"realm-1", "raw.qbo_invoices", "invoices"}), 640513934);
  EXPECT_EQ(lock_key({"realm-1", "raw.qbo_invoices", "x"}), lock_key({"realm-1", "raw.qbo_invoices", "y"}));
  EXPECT_NE(lock_key({"realm-1", "raw.qbo_invoices", ""}), lock_key({"realm-2", "raw.qbo_invoices", ""}));
  EXPECT_GE(lock_key({"", "", ""}), 0);
}

}  // namespace
}  // namespace tributary::state
