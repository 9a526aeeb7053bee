#include "engine/worker_governor.hpp"

#include <algorithm>

#include "http/executor.hpp"

namespace tributary::engine {
namespace {
constexpr int kStartWorkers = 4;
constexpr int kMaxWhenUnlimited = 16;
}  // namespace

WorkerRange worker_range(int requested, int max_concurrent) {
  if (requested > 0) return {requested, requested};
  int max = max_concurrent > 0 ? max_concurrent : kMaxWhenUnlimited;
  return {std::min(kStartWorkers, max), max};
}

bool worth_another_worker(const WorkerLoad& load, int max_workers) {
  if (load.workers >= max_workers || load.windows_pending <= 0 || load.throttled > 0) return false;
  double capacity_us = static_cast<double>(load.workers) * static_cast<double>(load.elapsed.count()) * 1000.0;
  if (capacity_us <= 0) return false;
  return static_cast<double>(load.answer_wait_us) >= 0.5 * capacity_us &&
         static_cast<double>(load.limiter_wait_us) <= 0.1 * capacity_us;
}

bool WorkerGovernor::tick(const http::ExecutorStats& stats, int workers, long long windows_pending,
                          Clock::time_point now) {
  long long answer = stats.answer_wait_us.load(), limiter = stats.limiter_wait_us.load();
  long throttled = stats.throttled.load();
  if (started_ && now - at_ < kInterval) return false;
  bool first = !started_;
  started_ = true;
  last_ = WorkerLoad{std::chrono::duration_cast<std::chrono::milliseconds>(now - at_), workers, answer - answer_us_,
                     limiter - limiter_us_, throttled - throttled_, windows_pending};
  at_ = now;
  answer_us_ = answer;
  limiter_us_ = limiter;
  throttled_ = throttled;
  return !first && worth_another_worker(last_, range_.max);
}

}  // namespace tributary::engine
