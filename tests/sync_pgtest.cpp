// `tributary sync` end to end against the generic REST mock: a first sync from its start, a
// later one that picks up what changed since, an up-to-date one, and one writer per stream
// (a second run refused, or waiting, while the first writes; never held by a killed process).
#include <csignal>

#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

// Milliseconds in the window bounds, so a record touched just before a sync with no lag is in it.
std::string sync_stream() { return offset_stream("window: {format: iso8601_millis, granularity: 1ms}\n"); }

class Sync : public RestConnectors {
 protected:
  std::string config() { return write_config("sync.yaml", rest_connector_file("", sync_stream())); }

  ProcessResult sync(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"sync", "--config", config(), "--workers", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return tributary(args);
  }

  // Every record the mock holds now, in raw exactly once with its newest payload.
  void expect_raw_equals_source() {
    auto all = records_in(kStart, "2100-01-01");
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), static_cast<long long>(all.size()));
    EXPECT_EQ(mismatches(kRestTable, all), 0);
  }

  pid_t spawn_sync(const std::string& name, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"sync", "--config", config(), "--workers", "1", "--start", kStart, "--lag", "0s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return spawn(binary(), args, env(), "/dev/null", (dir_ / (name + ".err")).string());
  }
  std::string log_of(const std::string& name) { return slurp((dir_ / (name + ".err")).string()); }
};

TEST_F(Sync, AFirstSyncWithoutAStartIsRefusedBeforeAnyRun) {
  start_mock(small_data(PageStyle::Offset, 50));
  auto r = sync();
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--start"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sync.start"), std::string::npos) << r.err;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.runs"), 0);
}

TEST_F(Sync, FromItsStartThenWhatChangedThenNothing) {
  start_mock(small_data(PageStyle::Offset, 300));
  // First sync: almost three years up to now, 300 records in their first ten days.
  auto first = sync({"--start", kStart, "--lag", "0s"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("first sync over"), std::string::npos) << first.err;
  expect_raw_equals_source();
  const auto first_requests = mock_->stats().requests;
  EXPECT_LT(first_requests, 80) << "a quiet stretch costs a probe per halving, not a request per weekly window";
  EXPECT_EQ(text("SELECT mode FROM state.runs"), "sync");

  // Two records change in the source: the next sync reads them from the high-water mark on.
  mock_->touch({5, 17});
  auto second = sync({"--lag", "0s"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("syncing"), std::string::npos) << second.err;
  expect_raw_equals_source();  // the same rows, their new payloads
  EXPECT_LE(mock_->stats().requests - first_requests, 10) << "one short window past the mark";
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable + " WHERE id IN ('5', '17') "
                   "AND source_updated_at > '2025-01-01'"), 2);

  // Straight away again: the lookback is re-read, and nothing in it is new.
  auto again = sync({"--lag", "0s"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("0 raw rows inserted or changed (nothing new)"), std::string::npos) << again.out;

  // Asked to stay an hour short of now, right after a sync: nothing can be new yet.
  auto third = sync({"--lag", "1h"});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("up to date"), std::string::npos) << third.out;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.runs"), 3) << "no run for nothing";
}

TEST_F(Sync, ASecondRunOfTheSameStreamIsRefusedOrWaitsWhileTheFirstWrites) {
  start_mock(small_data(PageStyle::Offset, 200));
  slow_pages(150);  // slowly enough for a second process to find the first one running
  auto first = spawn_sync("first");
  wait_for_committed_pages(1);

  // A backfill of the same stream: refused at once, naming the run that holds it.
  auto refused = backfill(config(), kStart, kEnd);
  EXPECT_EQ(refused.exit_code, 8) << refused.err;
  EXPECT_NE(refused.err.find("is being written by run 1"), std::string::npos) << refused.err;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.runs"), 1) << "the refused one created no run";

  // Another sync told to wait: it starts once the first has finished.
  auto waiting = spawn_sync("waiting", {"--wait", "300"});
  EXPECT_EQ(wait_exit(first, std::chrono::seconds(300)), 0) << log_of("first");
  EXPECT_EQ(wait_exit(waiting, std::chrono::seconds(300)), 0) << log_of("waiting");
  EXPECT_NE(log_of("waiting").find("waiting up to 300 s"), std::string::npos) << log_of("waiting");
  EXPECT_EQ(text("SELECT string_agg(status, ',' ORDER BY run_id) FROM state.runs"), "done,done");
  expect_raw_equals_source();
}

TEST_F(Sync, AKilledRunLeavesNoStreamHeld) {
  start_mock(small_data(PageStyle::Offset, 200));
  slow_pages(150);  // slowly enough for a second process to find the first one running
  auto killed = spawn_sync("killed");
  wait_for_committed_pages(1);
  ::kill(killed, SIGKILL);
  EXPECT_EQ(wait_exit(killed, std::chrono::seconds(60)), 128 + SIGKILL);
  // The server dropped the lock with the session: the next sync starts at once.
  auto next = sync({"--start", kStart, "--lag", "0s"});
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(next.err.find("waiting"), std::string::npos) << next.err;
  expect_raw_equals_source();
  // The killed run's windows do not stay open for ever: the next sync took over their range.
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status IN ('pending', 'running')"), 0);
  EXPECT_EQ(text("SELECT status FROM state.runs WHERE run_id = 1"), "failed");
  EXPECT_NE(text("SELECT last_error FROM state.runs WHERE run_id = 1").find("superseded by the sync"), std::string::npos);
  auto status = tributary({"status", "--json"});
  EXPECT_NE(status.out.find("\"open_windows\":0"), std::string::npos) << status.out;
}

// A connector file's own deletion feed (`deletions:`), paged like a stream: the mock's
// GET /items/deleted?since=&until= lists what was removed.
TEST_F(Sync, AConnectorFileDeletionFeedMarksDeletedRowsAndClearsThemOnReturn) {
  start_mock(small_data(PageStyle::Offset, 60));
  const std::string feed =
      "deletions:\n"
      "  path: /items/deleted\n"
      "  params: {since: \"{window_start}\", until: \"{window_end}\"}\n"
      "  records: /deleted\n"
      "  id: /id\n"
      "  deleted_at: /deleted_at\n"
      "  format: iso8601_millis\n"
      "  paginator: {kind: offset, total: /total, limit_param: limit}\n";
  auto config = write_config("deletions.yaml", rest_connector_file("", sync_stream() + feed));
  auto run = [&] { return tributary({"sync", "--config", config, "--workers", "1", "--lag", "0s", "--start", kStart}); };
  auto marked = [] {
    return text(std::string("SELECT coalesce(string_agg(id, ',' ORDER BY id::int), '') FROM ") + kRestTable +
                " WHERE deleted_at_utc IS NOT NULL");
  };
  auto first = run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(marked(), "");

  mock_->remove({4, 9, 31});
  auto second = run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("deletions: 3 reported, 3 raw rows newly marked deleted"), std::string::npos) << second.out;
  EXPECT_EQ(marked(), "4,9,31");
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), 60) << "rows are marked, never removed";
  for (const auto& d : mock_->deleted()) {
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable + " WHERE id = '" + std::to_string(d.id) +
                     "' AND deleted_at_utc = '" + d.updated_at_utc + "'"), 1) << "the source's deletion time, id " << d.id;
  }

  mock_->restore({9});
  auto third = run();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(marked(), "4,31") << "a record the source returns again is not deleted";
}

}  // namespace
}  // namespace tributary::testing
