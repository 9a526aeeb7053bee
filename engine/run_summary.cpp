// A run's end as this process sees it: the figures from every process's windows, the status
// settled when this process is the one to settle it, and the exit code.
#include <spdlog/spdlog.h>

#include "engine/engine.hpp"
#include "pg/pg.hpp"
#include "state/run_status.hpp"
#include "state/run_store.hpp"

namespace tributary::engine {

int RunSummary::exit_code() const {
  if (fatal) return exit_code_for(fatal->kind());
  if (windows_failed > 0) return exit_code_for(ErrorKind::data);
  if (windows_done < windows_total) return exit_code_for(ErrorKind::interrupted);
  if (records_rejected > 0) return kExitDoneWithRejects;
  return 0;
}

// The run's figures from its windows (every process's), and its status settled if this process
// is the one to settle it (state/run_status.hpp).
RunSummary Engine::summarize(long long run_id, bool continued, const std::vector<std::optional<Error>>& results) {
  // A fresh connection: the server may have restarted while the workers ran.
  auto conn = pg::connect(options_.db_url);
  RunSummary summary;
  summary.run_id = run_id;
  summary.continued = continued;
  for (const auto& r : results) {
    if (r && !summary.fatal) summary.fatal = r;
  }
  std::string stopped_because = summary.fatal                    ? summary.fatal->what()
                                : options_.stop->stop_requested() ? "interrupted"
                                                                  : "";
  auto verdict = state::settle_run(*conn, run_id, stopped_because);
  if (!verdict.status && !stopped_because.empty()) {
    spdlog::info("run {}: stopping; other workers are still on it, and the last of them will settle its status",
                 run_id);
  }
  for (const auto& w : state::RunStore(*conn).windows(run_id)) {
    ++summary.windows_total;
    summary.windows_done += state::finished_ok(w.status);
    summary.windows_failed += w.status == state::Status::failed;
    summary.records_loaded += w.records_loaded;
    summary.rows_changed += w.rows_changed;
    summary.records_rejected += w.records_rejected;
  }
  return summary;
}

}  // namespace tributary::engine
