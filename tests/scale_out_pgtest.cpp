// Many worker processes on one run (docs/operations.md "Many workers on one run"): a planned run
// worked by `tributary worker` processes that are killed, frozen past their lease and stopped
// early; the run still ends exactly the source's records, and its status is settled once, by
// the last worker.
//
// "No window worked by two processes at once" is checked from the mock's request log, not from
// state: the log is what the API saw, independent of the claims and fences it is meant to check
// (a claim history written by tributary would only repeat tributary's own view). Every request
// names its worker and window in its User-Agent; for each window, the arrival times of one
// worker's requests must form a span that no other worker's requests fall into. Arrival times
// are used (not answer times) because the mock still answers a killed worker's last request
// after the worker is gone.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <thread>

#include "state/claim_identity.hpp"
#include "state/window_store.hpp"
#include "tests/support/database.hpp"
#include "tests/support/qbo_fixture.hpp"

namespace tributary::testing {
namespace {

constexpr const char* kStart = "2024-01-01";
constexpr const char* kEnd = "2024-04-01";

bool wait_until(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

struct LoggedRequest {
  long long arrived_ms = 0;
  std::string worker;  // "instance …; worker N"
  long long window = 0;
};

class ScaleOut : public QboPgTest {
 protected:
  mock::QboMockOptions mock_options() const override {
    auto o = QboPgTest::mock_options();
    o.request_log_path = log_path();
    return o;
  }
  void SetUp() override {
    std::remove(log_path().c_str());
    QboPgTest::SetUp();
  }
  // A test that failed half-way leaves no worker behind, frozen or not.
  void TearDown() override {
    for (auto pid : children_) {
      kill(pid, SIGCONT);
      wait_exit(pid, std::chrono::seconds(0));
    }
    QboPgTest::TearDown();
  }

  // The exit code of a child started here; SIGKILLs it after `timeout`.
  int finish(pid_t pid, std::chrono::seconds timeout) {
    children_.erase(std::remove(children_.begin(), children_.end(), pid), children_.end());
    return wait_exit(pid, timeout);
  }

  std::string log_path() const {
    return "/tmp/tributary-scale-out-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".log";
  }

  // backfill --plan-only of invoices: the run id it prints.
  long long plan(const std::vector<std::string>& extra, const std::string& start = kStart,
                 const std::string& end = kEnd) {
    std::vector<std::string> args{"--stream", "invoices", "--plan-only"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = backfill(start, end, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::regex_match(r.out, std::regex("[0-9]+\n"))) << "stdout: '" << r.out << "'";
    return std::atoll(r.out.c_str());
  }

  pid_t start_worker(long long run_id, const std::string& name, const std::vector<std::string>& extra) {
    std::vector<std::string> args{"worker", "--run", std::to_string(run_id)};
    args.insert(args.end(), extra.begin(), extra.end());
    return start(args, name);
  }
  pid_t start(const std::vector<std::string>& args, const std::string& name) {
    auto err = "/tmp/tributary-scale-out-" + name + ".err";
    std::remove(err.c_str());  // the child truncates it only once it runs: never read an older one
    children_.push_back(spawn(binary(), args, env(), "/dev/null", err));
    return children_.back();
  }
  static std::string err_of(const std::string& name) { return slurp("/tmp/tributary-scale-out-" + name + ".err"); }

  // SQL: windows whose claim is held by the process `pid` (a claim names host:pid for display).
  static std::string held_by(pid_t pid) {
    return "split_part(split_part(claimed_by, '/', 2), ':', 2) = '" + std::to_string(pid) + "'";
  }
  static long long windows_where(const std::string& condition) {
    return scalar("SELECT count(*) FROM state.windows WHERE " + condition);
  }

  std::vector<LoggedRequest> logged_requests() const {
    std::vector<LoggedRequest> out;
    std::ifstream in(log_path());
    static const std::regex agent(R"(^(\d+) \d+ \d+ .*\((instance \w+; worker \d+); window (\d+)\)$)");
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_match(line, m, agent)) out.push_back({std::stoll(m[1]), m[2], std::stoll(m[3])});
    }
    return out;
  }

  // Windows whose requests from two workers interleave in time (see the top of the file).
  std::vector<std::string> windows_worked_at_once() const {
    std::map<long long, std::map<std::string, std::pair<long long, long long>>> spans;  // window -> worker -> span
    for (const auto& r : logged_requests()) {
      auto [it, fresh] = spans[r.window].try_emplace(r.worker, r.arrived_ms, r.arrived_ms);
      if (!fresh) {
        it->second.first = std::min(it->second.first, r.arrived_ms);
        it->second.second = std::max(it->second.second, r.arrived_ms);
      }
    }
    std::vector<std::string> out;
    for (const auto& [window, by_worker] : spans) {
      for (auto a = by_worker.begin(); a != by_worker.end(); ++a) {
        for (auto b = std::next(a); b != by_worker.end(); ++b) {
          bool apart = a->second.second < b->second.first || b->second.second < a->second.first;
          if (!apart) out.push_back("window " + std::to_string(window) + ": " + a->first + " and " + b->first);
        }
      }
    }
    return out;
  }

  std::vector<pid_t> children_;
};

// Every answer takes longer than the lease the workers are given.
class ScaleOutSlowAnswers : public ScaleOut {
 protected:
  mock::QboMockOptions mock_options() const override {
    auto o = ScaleOut::mock_options();
    o.latency_ms = 2'500;
    return o;
  }
};

TEST_F(ScaleOut, PlanOnlyPrintsTheRunIdAndFetchesNothing) {
  auto run_id = plan({"--chunk-days", "7"});
  EXPECT_EQ(run_id, 1);
  EXPECT_EQ(mock_->stats().query_requests, 0);
  EXPECT_EQ(text("SELECT status FROM state.runs"), "pending");
  EXPECT_GT(scalar("SELECT count(*) FROM state.windows"), 10);
  EXPECT_EQ(windows_where("status <> 'pending'"), 0);
  // The same plan again names the same unfinished run; no stream lock outlives the command.
  EXPECT_EQ(plan({"--chunk-days", "7"}), run_id);
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"), 0);
  EXPECT_EQ(mock_->stats().query_requests, 0);
}

// An idle worker waits only for windows other processes hold: those of its own process are
// theirs to finish, and waiting for them would only delay the run's end by a poll.
TEST_F(ScaleOut, OnlyWindowsHeldByOtherProcessesCountAsElsewhere) {
  auto run_id = plan({"--chunk-days", "7"});
  pqxx::connection conn(test_db_url());
  state::WindowStore windows(conn);
  ASSERT_TRUE(windows.claim_next(run_id, state::make_worker_id(0)));
  auto open = windows.open_work(run_id);
  EXPECT_EQ(open.running, 1);
  EXPECT_EQ(open.elsewhere, 0) << "this process's own window";
  auto other = state::ProcessIdentity::current();
  other.instance = other.instance == "000000000000" ? "111111111111" : "000000000000";
  ASSERT_TRUE(windows.claim_next(run_id, state::format_claim({other, 0})));
  open = windows.open_work(run_id);
  EXPECT_EQ(open.running, 2);
  EXPECT_EQ(open.elsewhere, 1) << "a window of another instance, though on this host and pid";
  EXPECT_GT(open.pending, 0);
}

TEST_F(ScaleOut, ThreeWorkersOneKilledOneFrozenPastItsLeaseEndDoneWithTheExactSourceSet) {
  mock::FaultRule slow;
  slow.delay_ms = 120;
  slow.times = 1'000'000;
  mock_->add_fault(slow);
  auto run_id = plan({"--chunk-days", "7", "--page-size", "10"});
  const std::vector<std::string> opts{"--workers", "2", "--lease-seconds", "3"};
  auto killed = start_worker(run_id, "killed", opts);
  auto frozen = start_worker(run_id, "frozen", opts);
  auto steady = start_worker(run_id, "steady", opts);

  // SIGKILL one in the middle of a window (pages committed, more to come).
  ASSERT_TRUE(wait_until([&] { return windows_where("status = 'running' AND pages_loaded >= 1 AND " + held_by(killed)) > 0; },
                         std::chrono::seconds(30)));
  kill(killed, SIGKILL);
  EXPECT_EQ(finish(killed, std::chrono::seconds(10)), 128 + SIGKILL);

  // Freeze another while it holds a window (it may finish the one it had as the signal lands:
  // then thaw it and try again), until another worker has taken that window over.
  long long held = 0;
  for (int attempt = 0; attempt < 5 && held == 0; ++attempt) {
    ASSERT_TRUE(wait_until([&] { return windows_where("status = 'running' AND pages_loaded >= 1 AND " +
                                                      held_by(frozen)) > 0; }, std::chrono::seconds(30)));
    kill(frozen, SIGSTOP);
    held = scalar("SELECT coalesce(min(window_id), 0) FROM state.windows WHERE status = 'running' AND " +
                  held_by(frozen));
    if (held == 0) kill(frozen, SIGCONT);
  }
  ASSERT_NE(held, 0);
  auto taken_over = [&] {
    return scalar("SELECT count(*) FROM state.windows WHERE window_id = " + std::to_string(held) +
                  " AND (status IN ('done', 'done_with_rejects') OR (claimed_by IS NOT NULL AND NOT " + held_by(frozen) +
                  "))") == 1;
  };
  bool was_taken_over = wait_until(taken_over, std::chrono::seconds(40));
  kill(frozen, SIGCONT);
  ASSERT_TRUE(was_taken_over) << "window " << held << " was not taken over while its worker was frozen";

  EXPECT_EQ(finish(steady, std::chrono::seconds(60)), 0) << err_of("steady");
  EXPECT_EQ(finish(frozen, std::chrono::seconds(60)), 0) << err_of("frozen");
  // The thawed worker found the window gone and dropped it, without exiting.
  EXPECT_NE(err_of("frozen").find("abandoned, this worker no longer holds it"), std::string::npos) << err_of("frozen");

  EXPECT_EQ(text("SELECT status FROM state.runs WHERE run_id = " + std::to_string(run_id)), "done");
  EXPECT_EQ(windows_where("status <> 'done'"), 0);
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", kStart, kEnd), 0);
  // The frozen worker's window was finished by another claim (the killed worker's were, too).
  EXPECT_GE(scalar("SELECT attempts FROM state.windows WHERE window_id = " + std::to_string(held)), 2);
  auto requests = logged_requests();
  EXPECT_GT(requests.size(), 30u);
  auto overlaps = windows_worked_at_once();
  EXPECT_TRUE(overlaps.empty()) << overlaps.front();
}

// Answers slower than the lease: the heartbeat keeps each window held, so the worker that runs
// out of windows first, polling for expired leases, never takes the other's over.
TEST_F(ScaleOutSlowAnswers, ALeaseOutlivesAnAnswerSlowerThanItself) {
  // Three windows of about 170 invoices, each one page, an id listing and a COUNT: 7.5 s each.
  auto run_id = plan({"--chunk-days", "20", "--page-size", "1000"}, "2024-01-01", "2024-03-01");
  const std::vector<std::string> opts{"--workers", "1", "--lease-seconds", "2"};
  auto first = start_worker(run_id, "slow-first", opts);
  auto second = start_worker(run_id, "slow-second", opts);
  EXPECT_EQ(finish(first, std::chrono::seconds(50)), 0) << err_of("slow-first");
  EXPECT_EQ(finish(second, std::chrono::seconds(50)), 0) << err_of("slow-second");
  EXPECT_EQ(text("SELECT status FROM state.runs"), "done");
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows"), 3);
  EXPECT_EQ(windows_where("status = 'done' AND attempts = 1"), 3);  // each claimed once
  for (const auto* name : {"slow-first", "slow-second"}) {
    EXPECT_EQ(err_of(name).find("abandoned"), std::string::npos) << err_of(name);
  }
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", "2024-01-01", "2024-03-01"), 0);
  auto overlaps = windows_worked_at_once();
  EXPECT_TRUE(overlaps.empty()) << overlaps.front();
}

// The bug this replaces: the first process to stop marked the run while another still worked
// it. A worker stopped early leaves the run 'running' to the one still at work, which marks it
// done when it finishes.
TEST_F(ScaleOut, AWorkerThatStopsEarlyLeavesTheStatusToTheLastOne) {
  mock::FaultRule slow;
  slow.delay_ms = 100;
  slow.times = 1'000'000;
  mock_->add_fault(slow);
  auto run_id = plan({"--chunk-days", "7", "--page-size", "10"});
  const std::vector<std::string> opts{"--workers", "1", "--lease-seconds", "3"};
  auto early = start_worker(run_id, "early", opts);
  auto last = start_worker(run_id, "last", opts);
  ASSERT_TRUE(wait_until([&] { return windows_where("status = 'running' AND " + held_by(early)) > 0 &&
                                      windows_where("status = 'running' AND " + held_by(last)) > 0; },
                         std::chrono::seconds(30)));
  kill(early, SIGTERM);
  EXPECT_EQ(finish(early, std::chrono::seconds(20)), 130) << err_of("early");
  EXPECT_EQ(text("SELECT status || ' ' || coalesce(last_error, '-') FROM state.runs"), "running -");
  EXPECT_EQ(windows_where(held_by(early)), 0);  // its window given back
  EXPECT_EQ(finish(last, std::chrono::seconds(60)), 0) << err_of("last");
  EXPECT_EQ(text("SELECT status || ' ' || coalesce(last_error, '-') FROM state.runs"), "done -");
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", kStart, kEnd), 0);
}

// The same backfill command started twice at once: both join one run, both end when it is done.
TEST_F(ScaleOut, TheSameBackfillTwiceAtOnceSharesOneRun) {
  mock::FaultRule slow;
  slow.delay_ms = 20;
  slow.times = 1'000'000;
  mock_->add_fault(slow);
  auto args = backfill_args(kStart, kEnd, {"--stream", "invoices", "--page-size", "20", "--workers", "2", "--wait", "30"});
  auto a = start(args, "twice-a");
  auto b = start(args, "twice-b");
  EXPECT_EQ(finish(a, std::chrono::seconds(60)), 0) << err_of("twice-a");
  EXPECT_EQ(finish(b, std::chrono::seconds(60)), 0) << err_of("twice-b");
  EXPECT_EQ(scalar("SELECT count(*) FROM state.runs"), 1);
  EXPECT_EQ(text("SELECT status FROM state.runs"), "done");
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", kStart, kEnd), 0);
  auto overlaps = windows_worked_at_once();
  EXPECT_TRUE(overlaps.empty()) << overlaps.front();
}

// Planners started together (an init step in each pod) all print the same run: which run to
// continue is decided under the streams' gates, after whoever created it committed it.
TEST_F(ScaleOut, PlannersStartedTogetherPrintOneRun) {
  auto args = backfill_args(kStart, kEnd, {"--stream", "invoices", "--chunk-days", "7", "--plan-only", "--wait", "30"});
  std::vector<pid_t> planners;
  std::vector<std::string> outs;
  for (int i = 0; i < 6; ++i) {
    outs.push_back("/tmp/tributary-scale-out-planner-" + std::to_string(getpid()) + "-" + std::to_string(i) + ".out");
    std::remove(outs.back().c_str());
    planners.push_back(spawn(binary(), args, env(), outs.back(), "/dev/null"));
    children_.push_back(planners.back());
  }
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(finish(planners[static_cast<size_t>(i)], std::chrono::seconds(40)), 0);
    EXPECT_EQ(slurp(outs[static_cast<size_t>(i)]), "1\n") << "planner " << i;
    std::remove(outs[static_cast<size_t>(i)].c_str());
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM state.runs"), 1);
}

// Workers started together (a Job's pods, a DAG's mapped tasks) all join: one that finds the
// streams' gate held by another joining at that instant waits for it instead of exiting 8.
TEST_F(ScaleOut, WorkersStartedTogetherAllJoin) {
  auto run_id = plan({"--chunk-days", "7"}, "2024-01-01", "2024-02-01");
  std::vector<pid_t> workers;
  for (int i = 0; i < 6; ++i) workers.push_back(start_worker(run_id, "together-" + std::to_string(i), {"--workers", "1"}));
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(finish(workers[static_cast<size_t>(i)], std::chrono::seconds(40)), 0)
        << err_of("together-" + std::to_string(i));
  }
  EXPECT_EQ(text("SELECT status FROM state.runs"), "done");
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", "2024-01-01", "2024-02-01"), 0);
}

// A long-lived `worker --any` serves runs planned before and after it started, each with its
// recorded connector file, and ends on SIGTERM with 130.
TEST_F(ScaleOut, AWorkerForAnyRunServesEveryPlannedRunUntilStopped) {
  auto first = plan({"--chunk-days", "14"}, "2024-01-01", "2024-02-01");
  auto any = start({"worker", "--any", "--workers", "2"}, "any");
  ASSERT_TRUE(wait_until([&] { return text("SELECT status FROM state.runs WHERE run_id = " + std::to_string(first)) == "done"; },
                         std::chrono::seconds(30))) << err_of("any");
  // --wait: the worker may still hold the streams for run 1 for a moment after marking it done.
  auto second = plan({"--chunk-days", "14", "--wait", "10"}, "2024-02-01", "2024-03-01");
  ASSERT_TRUE(wait_until([&] { return text("SELECT status FROM state.runs WHERE run_id = " + std::to_string(second)) == "done"; },
                         std::chrono::seconds(30))) << err_of("any");
  kill(any, SIGTERM);
  EXPECT_EQ(finish(any, std::chrono::seconds(20)), 130) << err_of("any");
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", "2024-01-01", "2024-03-01"), 0);
}

// A planned sync: the id alone on stdout, then a worker loads it and the stream's mark moves.
TEST_F(ScaleOut, APlannedSyncIsWorkedByAWorker) {
  auto planned = tributary({"sync", "--config", config_path(), "--stream", "invoices", "--start", "2024-01-01",
                            "--plan-only"});
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  ASSERT_TRUE(std::regex_match(planned.out, std::regex("[0-9]+\n"))) << planned.out;
  EXPECT_EQ(text("SELECT mode || ' ' || status FROM state.runs"), "sync pending");
  auto worked = tributary({"worker", "--run", std::to_string(std::atoll(planned.out.c_str()))});
  ASSERT_EQ(worked.exit_code, 0) << worked.err;
  EXPECT_EQ(text("SELECT status FROM state.runs"), "done");
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", "2024-01-01", "2030-01-01"), 0);
}

}  // namespace
}  // namespace tributary::testing
