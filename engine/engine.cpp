#include "engine/engine.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "engine/worker.hpp"
#include "pg/pg.hpp"
#include "state/run_store.hpp"
#include "state/token_store.hpp"
#include "warehouse/raw_writer.hpp"

namespace tributary::engine {

int RunSummary::exit_code() const {
  if (fatal) return exit_code_for(fatal->kind());
  if (windows_failed > 0) return exit_code_for(ErrorKind::data);
  if (windows_done < windows_total) return exit_code_for(ErrorKind::interrupted);
  if (records_rejected > 0) return kExitDoneWithRejects;
  return 0;
}

Engine::Engine(const connectors::Connector& connector, EngineOptions options)
    : connector_(connector), options_(std::move(options)) {
  if (options_.stop == nullptr) options_.stop = &own_stop_;
}

void Engine::prepare_tables(const std::vector<std::string>& streams) {
  auto conn = pg::connect(options_.db_url);
  for (const auto& name : streams) {
    warehouse::RawTableWriter(*conn, connector_.stream(name).config().table).ensure_table();
  }
}

RunSummary Engine::backfill(const BackfillRequest& request) {
  auto streams = request.streams;
  if (streams.empty()) {
    for (const auto& s : connector_.config().streams) streams.push_back(s.name);
  }
  for (const auto& s : streams) connector_.stream(s);  // unknown stream: usage error before any write
  auto plan = WindowPlan{request.range.start, request.range.end, request.chunk}.windows();
  std::vector<std::pair<std::string, Window>> windows;
  for (const auto& s : streams) {
    if (!connector_.stream(s).incremental()) {
      windows.emplace_back(s, request.range);  // one pass; the range is only recorded
      continue;
    }
    for (const auto& w : plan) windows.emplace_back(s, w);
  }
  const auto& cfg = connector_.config();
  state::RunSpec spec{cfg.name, cfg.account, streams, "backfill", request.range, request.chunk,
                      request.page_size_override, cfg.path};
  prepare_tables(streams);
  auto conn = pg::connect(options_.db_url);
  state::RunStore runs(*conn);
  if (auto existing = runs.find_unfinished(spec)) {
    spdlog::info("continuing unfinished run {} with the same parameters", *existing);
    state::WindowStore(*conn).reopen(*existing, true);
    return execute(*existing, true);
  }
  auto run_id = runs.create_run(spec, windows);
  spdlog::info("run {}: {} stream(s), {} window(s) over {}", run_id, streams.size(), windows.size(),
               to_string(request.range));
  return execute(run_id, false);
}

RunSummary Engine::resume(long long run_id) {
  auto conn = pg::connect(options_.db_url);
  state::RunStore runs(*conn);
  auto run = runs.load_run(run_id);
  if (!run) throw Error(ErrorKind::usage, "no run " + std::to_string(run_id) + " in state.runs");
  prepare_tables(run->spec.streams);
  int reopened = state::WindowStore(*conn).reopen(run_id, true);
  spdlog::info("run {}: resuming, {} window(s) reopened", run_id, reopened);
  return execute(run_id, true);
}

RunSummary Engine::execute(long long run_id, bool continued) {
  state::RunStore(*pg::connect(options_.db_url)).mark_run(run_id, state::Status::running);
  state::PgTokenStore tokens(options_.db_url);
  SourceSession source(connector_, tokens, options_.stop);

  std::vector<std::optional<Error>> results(std::max(1, options_.workers));
  std::vector<std::thread> threads;
  std::atomic<int> outage_streak{0};
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      results[i] = Worker(connector_, source, options_, run_id, static_cast<int>(i), outage_streak)();
      if (results[i]) options_.stop->request_stop();  // one worker's fatal error ends them all
    });
  }
  for (auto& t : threads) t.join();
  const auto& stats = source.stats();
  spdlog::info("run {}: {} requests, {} retries ({} throttled, {} limit decreases), {} credential refreshes after a 401",
               run_id, stats.requests.load(), stats.retries.load(), stats.throttled.load(),
               stats.limit_decreases.load(), stats.auth_refreshes.load());

  // A fresh connection: the server may have restarted while the workers ran.
  auto conn = pg::connect(options_.db_url);
  state::RunStore runs(*conn);
  RunSummary summary;
  summary.run_id = run_id;
  summary.continued = continued;
  for (auto& r : results) {
    if (r && !summary.fatal) summary.fatal = r;
  }
  for (const auto& w : runs.windows(run_id)) {
    ++summary.windows_total;
    summary.windows_done += state::finished_ok(w.status);
    summary.windows_failed += w.status == state::Status::failed;
    summary.records_loaded += w.records_loaded;
    summary.rows_changed += w.rows_changed;
    summary.records_rejected += w.records_rejected;
  }
  bool complete = summary.windows_done == summary.windows_total;
  std::string error = summary.fatal ? summary.fatal->what()
                      : summary.windows_failed ? std::to_string(summary.windows_failed) + " window(s) failed"
                      : complete ? "" : "interrupted";
  auto status = !complete                         ? state::Status::failed
                : summary.records_rejected > 0 ? state::Status::done_with_rejects
                                               : state::Status::done;
  runs.mark_run(run_id, status, error);
  return summary;
}

}  // namespace tributary::engine
