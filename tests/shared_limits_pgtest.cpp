// Limits shared by many processes, on a real PostgreSQL: stores on their own connections stand in
// for processes and are measured at the moment each request would leave; a crashed holder's
// slot comes back when its lease ends; a store without its database fails as a database error.
// Then the test: three real `tributary backfill` processes on one QuickBooks realm,
// measured at the mock.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "pg/pg.hpp"
#include "state/migrations.hpp"
#include "state/shared_limits.hpp"
#include "tests/support/qbo_fixture.hpp"

namespace tributary::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class SharedLimitsStore : public ::testing::Test {
 protected:
  void SetUp() override {
    reset_database();
    state::migrate(*pg::connect(test_db_url()));
  }
};

// The most of `times` (sorted) in any moving window (t - interval, t].
int most_in_any_window(std::vector<Clock::time_point> times, Clock::duration interval) {
  std::sort(times.begin(), times.end());
  int best = 0;
  size_t first = 0;
  for (size_t i = 0; i < times.size(); ++i) {
    while (times[i] - times[first] >= interval) ++first;
    best = std::max(best, static_cast<int>(i - first + 1));
  }
  return best;
}

http::RateLimit limit(int per_interval, std::chrono::milliseconds interval, int concurrent) {
  http::RateLimit r;
  r.requests_per_interval = per_interval;
  r.interval = interval;
  r.max_concurrent = concurrent;
  return r;
}

// Four "processes" (a store and its connection, a holder id, a local share each) with three
// threads each ask as fast as they can for 2.5 s.
TEST_F(SharedLimitsStore, ProcessesTogetherStayWithinTheRateAndTheSlots) {
  const auto rl = limit(60, 1s, 3);
  constexpr int kProcesses = 4, kThreads = 3;
  std::vector<std::unique_ptr<state::PgSharedLimitStore>> stores;
  std::vector<std::unique_ptr<http::SharedLimits>> processes;
  for (int p = 0; p < kProcesses; ++p) {
    stores.push_back(std::make_unique<state::PgSharedLimitStore>(test_db_url(), "test-process-" + std::to_string(p)));
    processes.push_back(std::make_unique<http::SharedLimits>(*stores.back(), "quickbooks:1", http::plan_shared_rate(rl),
                                                             http::plan_shared_slots(rl)));
  }
  std::mutex m;
  std::vector<Clock::time_point> sent;
  std::atomic<int> in_flight{0}, most_in_flight{0};
  const auto until = Clock::now() + 2500ms;
  std::vector<std::thread> threads;
  for (int t = 0; t < kProcesses * kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (Clock::now() < until) {
        auto pass = processes[t % kProcesses]->acquire();
        int now = ++in_flight;
        int seen = most_in_flight;
        while (now > seen && !most_in_flight.compare_exchange_weak(seen, now)) {}
        {
          std::lock_guard lock(m);
          sent.push_back(Clock::now());
        }
        std::this_thread::sleep_for(5ms);  // the answer's latency
        --in_flight;
      }
    });
  }
  for (auto& t : threads) t.join();
  long round_trips = 0;
  for (auto& s : stores) round_trips += s->round_trips();
  processes.clear();
  EXPECT_LE(most_in_any_window(sent, 1s), 60);
  EXPECT_LE(most_in_flight, 3);
  EXPECT_GE(sent.size(), 100u) << "2.5 intervals of 60 should let most of 150 through";
  EXPECT_EQ(scalar("SELECT count(*) FROM state.inflight_slots WHERE holder IS NOT NULL"), 0)
      << "every slot given back when nothing is queued";
  EXPECT_EQ(scalar("SELECT count(*) FROM state.inflight_slots"), 3);
  std::cout << sent.size() << " requests, " << round_trips << " round trips\n";
}

// A process that dies holding a slot (no release, no heartbeat) blocks it only until its lease ends.
TEST_F(SharedLimitsStore, ACrashedHoldersSlotComesBackAfterItsLease) {
  auto plan = http::plan_shared_slots(limit(0, 1s, 1));
  plan.lease = 800ms;
  state::PgSharedLimitStore crashed(test_db_url(), "crashed"), alive(test_db_url(), "alive");
  const auto taken = Clock::now();
  ASSERT_EQ(crashed.acquire_slot("quickbooks:1", plan), 1);
  EXPECT_EQ(alive.acquire_slot("quickbooks:1", plan), std::nullopt);
  EXPECT_EQ(alive.renew_slots("quickbooks:1", plan), 0) << "it renews its own slots only";
  EXPECT_EQ(crashed.renew_slots("quickbooks:1", plan), 1) << "a heartbeat, before the crash";
  alive.release_slot("quickbooks:1", 1);  // not its slot: changes nothing
  EXPECT_EQ(alive.acquire_slot("quickbooks:1", plan), std::nullopt);
  std::optional<int> got;
  const auto deadline = taken + 5s;
  while (!got && Clock::now() < deadline) {
    got = alive.acquire_slot("quickbooks:1", plan);
    if (!got) std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(got, 1) << "the slot never came back";
  EXPECT_GE(Clock::now() - taken, 700ms) << "it came back before the lease ended";
  EXPECT_EQ(text("SELECT holder FROM state.inflight_slots WHERE slot = 1"), "alive");
  EXPECT_EQ(crashed.renew_slots("quickbooks:1", plan), 0) << "the old holder lost it";
}

TEST_F(SharedLimitsStore, TheRowLogsTakesOnTheDatabaseClockAndWhoTookLast) {
  auto plan = http::plan_shared_rate(limit(100, 5s, 0));
  state::PgSharedLimitStore p1(test_db_url(), "p1"), p2(test_db_url(), "p2");
  EXPECT_EQ(p1.take_tokens("quickbooks:1", 60, plan).granted, 60) << "a burst, as the source allows";
  EXPECT_EQ(p2.take_tokens("quickbooks:1", 60, plan).granted, 40) << "the rest of the limit, to another process";
  auto refused = p1.take_tokens("quickbooks:1", 1, plan);
  EXPECT_EQ(refused.granted, 0);
  EXPECT_GT(refused.next_in, std::chrono::microseconds(plan.span()) - 1s) << "until the first take leaves the span";
  EXPECT_EQ(text("SELECT updated_by || ' ' || requests_per_interval || ' ' || interval_ms FROM state.rate_budgets"),
            "p2 100 5000");
  // Two takes, each (time, count), the time the database's: within a minute of its now().
  EXPECT_EQ(scalar("SELECT count(*) FROM state.rate_budgets, generate_subscripts(recent_takes, 1) AS i "
                   "WHERE i % 2 = 1 AND abs(recent_takes[i] / 1e6 - extract(epoch FROM now())) < 60"),
            2);
}

TEST_F(SharedLimitsStore, NoDatabaseIsADatabaseErrorNotAHang) {
  auto plan = http::plan_shared_rate(limit(10, 1s, 0));
  state::PgSharedLimitStore nowhere("postgresql://127.0.0.1:1/none?connect_timeout=2");
  try {
    nowhere.take_tokens("quickbooks:1", 1, plan);
    FAIL() << "took tokens without a database";
  } catch (const Error& e) {
    // database_lost: the run's workers wait for the database to come back, then stop with exit 4.
    EXPECT_EQ(e.kind(), ErrorKind::database_lost);
    EXPECT_EQ(exit_code_for(e.kind()), 4);
    EXPECT_NE(std::string(e.what()).find("shared rate limits"), std::string::npos) << e.what();
  }
  execute("DROP TABLE state.rate_budgets");  // a schema that lost the table
  state::PgSharedLimitStore store(test_db_url());
  try {
    store.take_tokens("quickbooks:1", 1, plan);
    FAIL() << "took tokens without the table";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::database);
    EXPECT_NE(std::string(e.what()).find("state.rate_budgets"), std::string::npos) << e.what();
  }
}

// The test: three backfills of different streams of one realm (they share its limits,
// not stream locks), against a mock that allows 40 requests in any moving 2 s and 3 at once,
// answering 100 ms late. Each process alone would send 4 at once and 40 per 2 s.
class ThreeProcessesOnOneRealm : public QboPgTest {
 protected:
  static constexpr int kPerInterval = 40, kIntervalMs = 2'000, kConcurrent = 3;
  mock::QboMockOptions mock_options() const override {
    auto o = QboPgTest::mock_options();
    o.max_requests_per_minute = kPerInterval;
    o.rate_interval_ms = kIntervalMs;
    o.max_concurrent_requests = kConcurrent;
    o.latency_ms = 100;
    return o;
  }
  // The connector file configured like the realm, for every process.
  EnvOverrides limits_env() const {
    auto e = env();
    e["QBO_REQUESTS_PER_MINUTE"] = std::to_string(kPerInterval);
    e["QBO_RATE_INTERVAL_MS"] = std::to_string(kIntervalMs);
    e["QBO_MAX_CONCURRENT"] = std::to_string(kConcurrent);
    return e;
  }
  // Three backfills of the realm's three streams at once; `config` is the connector file.
  std::vector<pid_t> start_three(const std::string& config, const std::string& dir, const std::string& tag) const {
    std::vector<pid_t> pids;
    for (const char* stream : {"customers", "invoices", "items"}) {
      std::vector<std::string> args{"backfill", "--config", config, "--start", "2024-01-01", "--end", "2024-03-01",
                                    "--stream", stream, "--page-size", "10", "--workers", "4"};
      pids.push_back(spawn(binary(), args, limits_env(), dir + "/" + tag + "-" + stream + ".out",
                           dir + "/" + tag + "-" + stream + ".err"));
    }
    return pids;
  }
};

TEST_F(ThreeProcessesOnOneRealm, TogetherTheyStayWithinTheRealmsLimits) {
  ASSERT_EQ(tributary({"migrate"}).exit_code, 0);
  const std::string dir = ::testing::TempDir();
  auto pids = start_three(config_path(), dir, "shared");
  const char* streams[] = {"customers", "invoices", "items"};
  for (size_t i = 0; i < pids.size(); ++i) {
    EXPECT_EQ(wait_exit(pids[i], 90s), 0) << streams[i] << ": " << slurp(dir + "/shared-" + streams[i] + ".err");
  }
  auto s = mock_->stats();
  EXPECT_LE(s.max_requests_in_interval_seen, kPerInterval);
  EXPECT_LE(s.max_concurrent_seen, kConcurrent);
  EXPECT_LE(s.throttled, 3);
  EXPECT_GT(s.query_requests, 2 * kPerInterval) << "the runs needed several intervals";
  EXPECT_EQ(scalar("SELECT count(*) FROM state.runs WHERE status = 'done'"), 3);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status <> 'done'"), 0);
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", "2024-01-01", "2024-03-01"), 0);
  EXPECT_EQ(mismatches("Customer", "raw.qbo_customers", "2024-01-01", "2024-03-01"), 0);
  EXPECT_EQ(mismatches("Item", "raw.qbo_items", "2024-01-01", "2024-03-01"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.inflight_slots WHERE holder IS NOT NULL"), 0)
      << "processes that ended hold no slot";
  std::cout << s.query_requests << " queries, at most " << s.max_requests_in_interval_seen << " in "
            << kIntervalMs << " ms and " << s.max_concurrent_seen << " at once; " << s.throttled << " answered 429\n";
}

// The same with `rate_limit: {shared: false}`: each process keeps within the limits alone, and
// together they do not. What the test above measures is real. (Stopped once seen: the runs
// would finish, slowly, each lowering its own limits after 429s.)
TEST_F(ThreeProcessesOnOneRealm, WithoutSharingTheyExceedThem) {
  ASSERT_EQ(tributary({"migrate"}).exit_code, 0);
  const std::string dir = ::testing::TempDir();
  std::string text = slurp(config_path());
  auto at = text.find("\nrate_limit:\n");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 13, "  shared: false\n");
  const std::string config = dir + "/quickbooks-unshared.yaml";
  std::ofstream(config) << text;
  auto pids = start_three(config, dir, "unshared");
  const auto deadline = Clock::now() + 60s;
  auto exceeded = [&] {
    auto s = mock_->stats();
    return s.max_concurrent_seen > kConcurrent && s.max_requests_in_interval_seen > kPerInterval && s.throttled > 0;
  };
  while (!exceeded() && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
  for (auto pid : pids) kill(pid, SIGTERM);
  for (auto pid : pids) wait_exit(pid, 60s);
  auto s = mock_->stats();
  EXPECT_GT(s.max_concurrent_seen, kConcurrent);
  EXPECT_GT(s.max_requests_in_interval_seen, kPerInterval);
  EXPECT_GT(s.throttled, 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.inflight_slots"), 0) << "nothing shared";
  std::cout << "unshared: " << s.query_requests << " queries, at most " << s.max_requests_in_interval_seen
            << " in " << kIntervalMs << " ms and " << s.max_concurrent_seen << " at once; " << s.throttled
            << " answered 429\n";
}

}  // namespace
}  // namespace tributary::testing
