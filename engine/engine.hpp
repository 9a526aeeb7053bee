#pragma once
// Plans a run's windows in state, then lets N workers claim and drive them.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "core/interrupt.hpp"
#include "engine/lease_keeper.hpp"
#include "engine/progress.hpp"
#include "engine/sync_plan.hpp"
#include "state/stream_lock.hpp"
#include "state/window_store.hpp"
#include "state/token_store.hpp"
#include "state/types.hpp"

namespace tributary::engine {

struct EngineOptions {
  std::string db_url;
  int workers = 0;  // 0: adapts (engine/worker_governor.hpp)
  StopFlag* stop = nullptr;  // signals; the engine also raises it on a fatal error
  // While another run writes one of the streams: how long to wait for it (0: give up at once,
  // Error(busy)).
  std::chrono::milliseconds lock_wait{0};
  // Prometheus text-format metrics, rewritten atomically during the run and at its end; "" = none.
  std::string metrics_file;
  // A window whose holder stops renewing it is reopened after this long (engine/lease_keeper.hpp).
  std::chrono::seconds lease = state::kDefaultLease;
  // backfill and sync: create the run and its windows, work none of them (RunSummary::planned_only).
  bool plan_only = false;
  // While other processes hold the run's last windows: wait for them (taking over those whose
  // lease expires) before returning; off for `worker --any`, which moves on to other runs.
  bool wait_for_others = true;
};

struct BackfillRequest {
  std::vector<std::string> streams;  // empty: every stream of the connector
  Window range;
  Duration chunk;
  int page_size_override = 0;  // recorded with the run so resume pages the same way; 0: per stream
};

// Every window done, some records quarantined (README "Exit codes").
constexpr int kExitDoneWithRejects = 7;

struct RunSummary {
  long long run_id = 0;
  bool continued = false;  // an unfinished identical run was continued
  int windows_total = 0;
  int windows_done = 0;
  int windows_failed = 0;
  long long records_loaded = 0;
  long long rows_changed = 0;
  long long records_rejected = 0;  // quarantined in state.rejected_records
  bool up_to_date = false;  // sync: nothing to extract, no run was created
  bool planned_only = false;  // --plan-only: the run was planned, no window worked
  bool sync = false;        // a sync's run (its summary says when nothing was new)
  bool deletions_read = false;          // sync: some stream's deletion feed was read
  long long deletions_reported = 0;     // deletions the feeds reported
  long long deletions_marked = 0;       // raw rows newly marked deleted
  std::vector<std::string> deletion_gaps;  // streams whose deletions could not all be read
  std::optional<Error> fatal;  // what stopped the run early, if anything
  int exit_code() const;
};

class Engine {
 public:
  Engine(const connectors::Connector& connector, EngineOptions options);

  // Continues an identical unfinished run if there is one, else creates a new run.
  RunSummary backfill(const BackfillRequest& request);
  // Reopens failed and abandoned windows of the run and drives them.
  RunSummary resume(long long run_id);
  // Re-runs these failed windows of the run from their checkpoints; the run's other windows
  // stay as they are.
  RunSummary retry(long long run_id, const std::vector<long long>& window_ids);
  // Extracts each stream from its high-water mark to now (docs/operations.md "Scheduled sync").
  RunSummary sync(const SyncRequest& request);
  // Joins a planned or running run (tributary worker): windows whose process is gone go back to
  // pending, failed ones stay failed; works windows until none is left to work.
  RunSummary work(long long run_id);
  ~Engine();

 private:
  RunSummary continue_run(long long run_id, const std::function<void(state::WindowStore&)>& reopen);
  RunSummary execute(long long run_id, bool continued, state::StreamLock& lock);
  void supersede_abandoned(pqxx::connection_base& conn, const std::vector<std::string>& streams);
  void read_deletions(const std::vector<std::string>& streams, std::optional<Duration> lookback, RunSummary& summary);
  void prepare_tables(const std::vector<std::string>& streams);
  std::vector<std::string> selected(const std::vector<std::string>& streams) const;
  std::vector<state::StreamKey> keys(const std::vector<std::string>& streams) const;
  SourceSession& source();
  LeaseKeeper& leases();
  RunSummary summarize(long long run_id, bool continued, const std::vector<std::optional<Error>>& results);
  pqxx::connection& monitor_conn();
  std::optional<ProgressSnapshot> progress_of(long long run_id, const http::ExecutorStats& stats);
  void write_metrics(long long run_id, double seconds, std::optional<int> exit_code);
  void watch(long long run_id, state::StreamLock& lock, const std::function<bool(std::chrono::milliseconds)>& workers_done,
             std::chrono::steady_clock::time_point started,
             const std::function<void(const ProgressSnapshot&)>& on_progress);

  const connectors::Connector& connector_;
  EngineOptions options_;
  StopFlag own_stop_;  // used when the caller passes none
  std::unique_ptr<state::PgTokenStore> tokens_;
  std::unique_ptr<SourceSession> source_;  // one per engine: one limiter, one access token
  std::unique_ptr<pqxx::connection> monitor_conn_;
  std::unique_ptr<LeaseKeeper> leases_;  // the heartbeat thread, while windows are worked
};

}  // namespace tributary::engine
