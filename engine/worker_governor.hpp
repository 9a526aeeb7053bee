#pragma once
// How many windows a run works at once when --workers is not given. A worker keeps at most one
// request in flight, so against a distant API (QuickBooks answers in about a second) four
// workers use a fraction of what the account allows. The run starts with a few workers and adds
// one while they spend most of their time waiting for answers, not for the limiter, not on 429s
// and not in PostgreSQL, up to the connector's max_concurrent: the limiter still caps requests
// in flight and per interval, whatever the count.
#include <chrono>

namespace tributary::http {
struct ExecutorStats;
}

namespace tributary::engine {

struct WorkerRange {
  int start = 4;
  int max = 4;
};

// Fixed when `requested` > 0 (--workers N); else from 4 up to the connector's max_concurrent
// (16 when unlimited), never below the start.
WorkerRange worker_range(int requested, int max_concurrent);

// What the workers did since the last look.
struct WorkerLoad {
  std::chrono::milliseconds elapsed{0};
  int workers = 0;
  long long answer_wait_us = 0;   // summed over threads
  long long limiter_wait_us = 0;  // summed over threads
  long throttled = 0;             // 429s
  long long windows_pending = 0;  // windows nobody has claimed
};

// One more worker would raise throughput: windows wait, the workers waited for answers at least
// half their time, hardly for the limiter, and the source refused nothing.
bool worth_another_worker(const WorkerLoad& load, int max_workers);

// Compares successive looks at the executor's counters.
class WorkerGovernor {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kInterval = std::chrono::seconds(2);

  explicit WorkerGovernor(WorkerRange range) : range_(range) {}
  // True when a worker should be added now; call it often, it looks every kInterval.
  bool tick(const http::ExecutorStats& stats, int workers, long long windows_pending, Clock::time_point now);
  const WorkerRange& range() const { return range_; }
  const WorkerLoad& last() const { return last_; }

 private:
  WorkerRange range_;
  bool started_ = false;
  Clock::time_point at_;
  long long answer_us_ = 0, limiter_us_ = 0;
  long throttled_ = 0;
  WorkerLoad last_;
};

}  // namespace tributary::engine
