#pragma once
// Runs and their windows: creation, lookup, listing.
#include <pqxx/pqxx>

#include <map>
#include <optional>
#include <vector>

#include "state/types.hpp"

namespace tributary::state {

class RunStore {
 public:
  explicit RunStore(pqxx::connection_base& conn) : conn_(conn) {}

  // Creates the run and its pending windows, one per (stream, window), in one transaction.
  long long create_run(const RunSpec& spec, const std::vector<std::pair<std::string, Window>>& windows);

  // The newest run with the same connector, account, streams, range, chunk and page size
  // that has not finished: re-running a backfill command continues it.
  std::optional<long long> find_unfinished(const RunSpec& spec);

  std::optional<RunRow> load_run(long long run_id);
  std::vector<RunRow> recent_runs(int limit);
  std::vector<WindowRow> windows(long long run_id);
  std::optional<WindowRow> load_window(long long window_id);
  // Window counts by status for each of `run_ids` (one grouped read; runs without windows absent).
  std::map<long long, WindowTally> window_tallies(const std::vector<long long>& run_ids);

  // Unfinished runs with a window to work (pending, or running with an expired lease), oldest first.
  std::vector<long long> open_runs();

 private:
  pqxx::connection_base& conn_;
};

}  // namespace tributary::state
