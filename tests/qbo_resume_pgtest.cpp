// Killed at any instant, resumed: nothing lost, nothing duplicated, done windows not refetched.
#include <signal.h>

#include <cstdio>

#include <thread>

#include "tests/support/qbo_fixture.hpp"

namespace tributary::testing {
namespace {

constexpr const char* kStart = "2024-01-01";
constexpr const char* kEnd = "2024-04-01";

class QboResume : public QboPgTest {
 protected:
  void slow_down_source(int delay_ms) {
    mock::FaultRule slow;
    slow.delay_ms = delay_ms;
    slow.times = 1'000'000;
    mock_->add_fault(slow);
  }

  // Starts a backfill, waits until `pages` pages are committed, and SIGKILLs it.
  void kill_after_pages(long long pages, const std::vector<std::string>& extra) {
    auto pid = spawn(binary(), backfill_args(kStart, kEnd, extra), env(), "/dev/null", "/tmp/tributary-killed.err");
    wait_for_committed_pages(pages);
    kill(pid, SIGKILL);
    EXPECT_EQ(wait_exit(pid, std::chrono::seconds(10)), 128 + SIGKILL);
  }

  // Every committed page's rows are in raw, and raw holds no row of an uncommitted page.
  void expect_pages_and_checkpoints_agree() {
    EXPECT_EQ(scalar(R"(
      SELECT count(*) FROM state.windows w
      WHERE w.records_loaded <> (SELECT count(*) FROM raw.qbo_invoices r
                                 WHERE r.extract_window_start_utc = w.window_start_utc))"), 0);
  }
};

TEST_F(QboResume, KilledMidRunThenResumedEndsWithExactlyTheSourcesRows) {
  slow_down_source(15);
  kill_after_pages(6, {"--stream", "invoices", "--workers", "2"});
  ASSERT_EQ(text("SELECT status FROM state.runs WHERE run_id = 1"), "running");
  expect_pages_and_checkpoints_agree();
  auto done_before = scalar("SELECT count(*) FROM state.windows WHERE status = 'done'");

  auto r = tributary({"resume", "--run", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", kStart, kEnd), 0);
  EXPECT_EQ(text("SELECT status FROM state.runs WHERE run_id = 1"), "done");
  // A window done before the kill was never claimed again.
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status = 'done' AND attempts = 1"),
            scalar("SELECT count(*) FROM state.windows") - scalar("SELECT count(*) FROM state.windows WHERE attempts > 1"));
  EXPECT_GE(scalar("SELECT count(*) FROM state.windows WHERE attempts = 1"), done_before);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.runs"), 1);
}

// At the default settings a run pages ahead (the next page is fetched while this one is
// written) and adds workers while the source's answers are slow: killed with several windows and
// their next pages in flight, it resumes to exactly the source's records.
class QboResumeLarger : public QboResume {
 protected:
  mock::QboMockOptions mock_options() const override {
    auto o = QboResume::mock_options();
    o.invoices = 6000;  // about 65 in each 2-day window: pages enough for the run to add workers
    return o;
  }
};

TEST_F(QboResumeLarger, AConcurrentBackfillKilledWithPagesInFlightResumesToTheExactSourceSet) {
  slow_down_source(150);
  const std::string err = "/tmp/tributary-killed-concurrent.err";
  std::remove(err.c_str());  // the child truncates it only once it runs: never read an older one
  auto pid = spawn(binary(), backfill_args(kStart, kEnd, {"--stream", "invoices", "--page-size", "20", "--chunk-days", "2"}),
                   env(), "/dev/null", err);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (slurp(err).find("worker 6 of at most 10 started") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(slurp(err).find("worker 6 of at most 10 started"), std::string::npos) << slurp(err);
  kill(pid, SIGKILL);
  EXPECT_EQ(wait_exit(pid, std::chrono::seconds(10)), 128 + SIGKILL);
  expect_pages_and_checkpoints_agree();
  EXPECT_GE(scalar("SELECT count(*) FROM state.windows WHERE status = 'running'"), 1);

  auto r = tributary({"resume", "--run", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", kStart, kEnd), 0);
  EXPECT_EQ(text("SELECT status FROM state.runs WHERE run_id = 1"), "done");
}

TEST_F(QboResume, KilledRepeatedlyAtDifferentPointsLosesNothing) {
  slow_down_source(5);
  for (long long pages : {2, 5, 9}) {
    kill_after_pages(pages, {"--stream", "invoices", "--page-size", "20"});
    expect_pages_and_checkpoints_agree();
  }
  // Re-running the same command continues the same run rather than starting another.
  auto r = backfill(kStart, kEnd, {"--stream", "invoices", "--page-size", "20"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.runs"), 1);
  EXPECT_NE(r.out.find("(continued)"), std::string::npos) << r.out;
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", kStart, kEnd), 0);
}

TEST_F(QboResume, AWindowThatFailedAfterItsRetriesIsResumedFromItsLastPage) {
  // Page 3 of the first window keeps answering 503: its retries run out.
  mock::FaultRule outage;
  outage.skip = 2;
  outage.times = 6;  // the first try and 5 retries
  outage.status = 503;
  mock_->add_fault(outage);
  auto failed = backfill(kStart, "2024-01-08", {"--stream", "invoices", "--page-size", "10", "--workers", "1"});
  EXPECT_EQ(failed.exit_code, 6) << failed.err;
  EXPECT_NE(failed.err.find("HTTP 503"), std::string::npos) << failed.err;
  EXPECT_EQ(text("SELECT status FROM state.windows"), "failed");
  EXPECT_EQ(scalar("SELECT pages_loaded FROM state.windows"), 2);
  EXPECT_NE(text("SELECT last_error FROM state.windows").find("page 3"), std::string::npos);
  auto status = tributary({"status", "--run", "1"});
  EXPECT_NE(status.out.find("HTTP 503"), std::string::npos) << status.out;

  auto before = mock_->stats().query_requests;
  auto r = tributary({"resume", "--run", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(text("SELECT status FROM state.windows"), "done");
  EXPECT_EQ(text("SELECT coalesce(last_error, '') FROM state.windows"), "");
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", kStart, "2024-01-08"), 0);
  // Paging restarted at page 3: pages 3..last, then two id sweeps (the resumed paging pass saw
  // only part of the window, so two sweeps must agree) and one COUNT. With n records and 10 a
  // page there are n/10 + 1 pages (the last one short or empty); one id page holds them all.
  auto n = expected_records("Invoice", kStart, "2024-01-08");
  EXPECT_EQ(mock_->stats().query_requests - before, (n / 10 + 1) - 2 + 3);
  EXPECT_EQ(text("SELECT guarantee || ' ' || sweeps FROM state.windows"), "sweep 2");
}

}  // namespace
}  // namespace tributary::testing

namespace tributary::testing {
namespace {

class QboGracefulStop : public QboPgTest {};

TEST_F(QboGracefulStop, SigtermFinishesThePageInHandAndLeavesTheRunResumable) {
  mock::FaultRule slow;
  slow.delay_ms = 10;
  slow.times = 1'000'000;
  mock_->add_fault(slow);
  auto pid = spawn(binary(), backfill_args("2024-01-01", "2024-04-01", {"--stream", "invoices", "--page-size", "10"}),
                   env(), "/dev/null", "/tmp/tributary-sigterm.err");
  wait_for_committed_pages(5);
  kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid, std::chrono::seconds(20)), 130);
  EXPECT_EQ(text("SELECT status FROM state.runs"), "failed");
  EXPECT_EQ(text("SELECT last_error FROM state.runs"), "interrupted");
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status = 'running'"), 0);  // released
  EXPECT_EQ(scalar(R"(SELECT count(*) FROM state.windows w WHERE w.records_loaded <>
                      (SELECT count(*) FROM raw.qbo_invoices r WHERE r.extract_window_start_utc = w.window_start_utc))"), 0);
  auto r = tributary({"resume", "--run", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", "2024-01-01", "2024-04-01"), 0);
}

}  // namespace
}  // namespace tributary::testing
