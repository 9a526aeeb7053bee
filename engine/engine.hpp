#pragma once
// Plans a run's windows in state, then lets N workers claim and drive them.
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "core/interrupt.hpp"
#include "state/types.hpp"

namespace tributary::engine {

struct EngineOptions {
  std::string db_url;
  int workers = 4;
  StopFlag* stop = nullptr;  // signals; the engine also raises it on a fatal error
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

 private:
  RunSummary execute(long long run_id, bool continued);
  void prepare_tables(const std::vector<std::string>& streams);

  const connectors::Connector& connector_;
  EngineOptions options_;
  StopFlag own_stop_;  // used when the caller passes none
};

}  // namespace tributary::engine
