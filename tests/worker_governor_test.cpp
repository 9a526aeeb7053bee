// When a run adds a worker by itself (no --workers): only while the source's answers, not its
// limits, PostgreSQL or a lack of windows, are what the workers wait for.
#include <gtest/gtest.h>

#include "engine/worker_governor.hpp"
#include "http/executor.hpp"

namespace tributary::engine {
namespace {

using std::chrono::milliseconds;

// Four workers over two seconds: 8,000,000 µs of worker time.
WorkerLoad load(long long answer_us, long long limiter_us, long throttled = 0, long long pending = 10) {
  return WorkerLoad{milliseconds(2000), 4, answer_us, limiter_us, throttled, pending};
}

TEST(WorkerGovernor, RangeIsFixedByWorkersElseFromFourToTheConnectorsConcurrency) {
  EXPECT_EQ(worker_range(2, 10).start, 2);
  EXPECT_EQ(worker_range(2, 10).max, 2);
  EXPECT_EQ(worker_range(0, 10).start, 4);
  EXPECT_EQ(worker_range(0, 10).max, 10);
  EXPECT_EQ(worker_range(0, 0).max, 16) << "unlimited concurrency";
  EXPECT_EQ(worker_range(0, 2).start, 2) << "never more workers than requests allowed in flight";
  EXPECT_EQ(worker_range(0, 2).max, 2);
}

TEST(WorkerGovernor, AddsAWorkerOnlyWhenAnswersAreWhatTheWorkersWaitFor) {
  struct Case {
    const char* what;
    WorkerLoad load;
    int max;
    bool add;
  };
  const Case cases[] = {
      {"answers take 95% of the time", load(7'600'000, 100'000), 10, true},
      {"half the time on answers", load(4'000'000, 0), 10, true},
      {"PostgreSQL is the bottleneck", load(2'000'000, 0), 10, false},
      {"the limiter holds requests back", load(6'000'000, 1'600'000), 10, false},
      {"the source answered 429", load(7'600'000, 0, 1), 10, false},
      {"no window waits", load(7'600'000, 0, 0, 0), 10, false},
      {"at the connector's max_concurrent", load(7'600'000, 0), 4, false},
  };
  for (const auto& c : cases) EXPECT_EQ(worth_another_worker(c.load, c.max), c.add) << c.what;
}

TEST(WorkerGovernor, LooksAtWhatChangedSinceItsLastLook) {
  http::ExecutorStats stats;
  WorkerGovernor governor(worker_range(0, 10));
  auto t0 = WorkerGovernor::Clock::now();
  EXPECT_FALSE(governor.tick(stats, 4, 10, t0)) << "the first look only sets the baseline";
  stats.answer_wait_us = 7'000'000;
  EXPECT_FALSE(governor.tick(stats, 4, 10, t0 + milliseconds(500))) << "too soon to look again";
  EXPECT_TRUE(governor.tick(stats, 4, 10, t0 + milliseconds(2000)));
  EXPECT_EQ(governor.last().answer_wait_us, 7'000'000);
  EXPECT_FALSE(governor.tick(stats, 5, 10, t0 + milliseconds(4000))) << "no answers waited for since";
}

}  // namespace
}  // namespace tributary::engine
