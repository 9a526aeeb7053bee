#include "engine/engine.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "engine/window_runner.hpp"
#include "pg/pg.hpp"
#include "state/run_store.hpp"
#include "state/token_store.hpp"

namespace tributary::engine {
namespace {

// Errors after which no other window can succeed either: stop every worker.
bool is_fatal(ErrorKind kind) {
  return kind == ErrorKind::auth || kind == ErrorKind::database || kind == ErrorKind::config ||
         kind == ErrorKind::internal || kind == ErrorKind::usage;
}

// When the source itself is down, every window would spend its whole retry budget failing:
// after this many windows in a row fail to reach it, the run stops (resume when it is back).
constexpr int kOutageWindowsInARow = 3;

bool is_source_outage(ErrorKind kind) {
  return kind == ErrorKind::network || kind == ErrorKind::timeout || kind == ErrorKind::server ||
         kind == ErrorKind::throttled;
}

// One worker: its own database connection and HTTP handle; claims windows until none is left.
class Worker {
 public:
  Worker(const connectors::Connector& connector, SourceSession& source, const EngineOptions& options,
         long long run_id, int index, std::atomic<int>& outage_streak)
      : connector_(connector), source_(source), options_(options), run_id_(run_id),
        worker_id_(state::make_worker_id(index)), outage_streak_(outage_streak) {}

  // Returns the fatal error that stopped it, if any.
  std::optional<Error> operator()() {
    try {
      auto conn = pg::connect(options_.db_url);
      http::HttpClient client(connector_.config().http);
      state::WindowStore windows(*conn);
      WindowRunner runner({connector_, source_, *conn, client, windows, worker_id_, run_id_, options_.stop});
      while (!options_.stop->stop_requested()) {
        auto row = windows.claim_next(run_id_, worker_id_);
        if (!row) break;
        if (auto fatal = run_window(runner, windows, *row)) return fatal;
      }
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::interrupted) return e;
    } catch (const std::exception& e) {  // never let a worker thread terminate the process
      options_.stop->request_stop();
      return Error(ErrorKind::internal, e.what());
    }
    return std::nullopt;
  }

 private:
  std::optional<Error> run_window(WindowRunner& runner, state::WindowStore& windows, state::WindowRow& row) {
    spdlog::info("window {} [{}] {}: started (attempt {})", row.window_id, row.stream,
                 to_string(row.window), row.attempts);
    try {
      auto outcome = runner.run(row);
      windows.finish(row.window_id, worker_id_, outcome);
      outage_streak_ = 0;
      if (outcome.status == state::Status::failed) spdlog::error("window {}: {}", row.window_id, outcome.error);
      else spdlog::info("window {} [{}]: done, {} records ({} reconciled), source count {}", row.window_id,
                        row.stream, row.records_loaded, row.records_reconciled,
                        outcome.expected_count ? std::to_string(*outcome.expected_count) : "n/a");
      return std::nullopt;
    } catch (const std::exception& unexpected) {
      return fail_window(windows, row, as_error(unexpected));
    }
  }

  static Error as_error(const std::exception& e) {
    if (auto* known = dynamic_cast<const Error*>(&e)) return *known;
    return Error(ErrorKind::internal, e.what());
  }

  // Records a window's failure; returns the error that must stop the whole run, if any.
  std::optional<Error> fail_window(state::WindowStore& windows, state::WindowRow& row, const Error& e) {
    if (e.kind() == ErrorKind::interrupted) {
      windows.release(row.window_id, worker_id_);
      throw e;
    }
    spdlog::error("window {}: {}", row.window_id, e.what());
    windows.finish(row.window_id, worker_id_, {state::Status::failed, {}, {}, e.what()});
    if (is_source_outage(e.kind()) && ++outage_streak_ >= kOutageWindowsInARow) {
      options_.stop->request_stop();
      return Error(e.kind(), "stopping the run: " + std::to_string(kOutageWindowsInARow) +
                                 " windows in a row could not reach the source; the last: " + e.what());
    }
    if (!is_fatal(e.kind())) return std::nullopt;
    options_.stop->request_stop();
    return e;
  }

  const connectors::Connector& connector_;
  SourceSession& source_;
  const EngineOptions& options_;
  long long run_id_;
  std::string worker_id_;
  std::atomic<int>& outage_streak_;
};

}  // namespace

int RunSummary::exit_code() const {
  if (fatal) return exit_code_for(fatal->kind());
  if (windows_failed > 0) return exit_code_for(ErrorKind::data);
  if (windows_done < windows_total) return exit_code_for(ErrorKind::interrupted);
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
  auto conn = pg::connect(options_.db_url);
  state::RunStore runs(*conn);
  runs.mark_run(run_id, state::Status::running);
  state::PgTokenStore tokens(options_.db_url);
  SourceSession source(connector_, tokens, options_.stop);

  std::vector<std::optional<Error>> results(std::max(1, options_.workers));
  std::vector<std::thread> threads;
  std::atomic<int> outage_streak{0};
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      results[i] = Worker(connector_, source, options_, run_id, static_cast<int>(i), outage_streak)();
    });
  }
  for (auto& t : threads) t.join();
  const auto& stats = source.stats();
  spdlog::info("run {}: {} requests, {} retries ({} throttled), {} credential refreshes after a 401", run_id,
               stats.requests.load(), stats.retries.load(), stats.throttled.load(), stats.auth_refreshes.load());

  RunSummary summary;
  summary.run_id = run_id;
  summary.continued = continued;
  for (auto& r : results) {
    if (r && !summary.fatal) summary.fatal = r;
  }
  for (const auto& w : runs.windows(run_id)) {
    ++summary.windows_total;
    summary.windows_done += w.status == state::Status::done;
    summary.windows_failed += w.status == state::Status::failed;
    summary.records_loaded += w.records_loaded;
    summary.rows_changed += w.rows_changed;
  }
  bool complete = summary.windows_done == summary.windows_total;
  std::string error = summary.fatal ? summary.fatal->what()
                      : summary.windows_failed ? std::to_string(summary.windows_failed) + " window(s) failed"
                      : complete ? "" : "interrupted";
  runs.mark_run(run_id, complete ? state::Status::done : state::Status::failed, error);
  return summary;
}

}  // namespace tributary::engine
