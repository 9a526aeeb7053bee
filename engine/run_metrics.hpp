#pragma once
// The metrics a run writes with --metrics-file (docs/operations.md "Metrics"): the run's windows,
// records and pages from state, this process's requests, and every stream's high-water mark
// and last success, so one file per connector is enough for alerts on stale streams.
#include <pqxx/pqxx>

#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "http/executor.hpp"

namespace tributary::engine {

struct RunMetricsInput {
  std::string connector;
  long long run_id = 0;
  double run_seconds = 0;
  const http::ExecutorStats* stats = nullptr;
  std::optional<int> exit_code;  // set on the last write
};

// Reads what it needs from state; throws Error(database) when it cannot.
std::vector<Metric> run_metrics(pqxx::connection_base& conn, const RunMetricsInput& in);

}  // namespace tributary::engine
