#include "engine/engine.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "engine/deletion_sync.hpp"
#include "engine/progress.hpp"
#include "engine/run_metrics.hpp"
#include "engine/worker.hpp"
#include "engine/worker_governor.hpp"
#include "pg/pg.hpp"
#include "state/run_status.hpp"
#include "state/run_store.hpp"
#include "state/shared_limits.hpp"
#include "state/stream_state.hpp"
#include "state/token_store.hpp"
#include "state/window_store.hpp"
#include "warehouse/raw_writer.hpp"

namespace tributary::engine {
namespace {
constexpr auto kLockCheckInterval = std::chrono::seconds(5);
constexpr auto kMetricsInterval = std::chrono::seconds(15);

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// The workers still running.
class Countdown {
 public:
  explicit Countdown(size_t n) : left_(n) {}
  void add() {
    std::lock_guard guard(mutex_);
    ++left_;
  }
  void done() {
    std::lock_guard guard(mutex_);
    --left_;
    zero_.notify_all();
  }
  // True once every worker is done; false when `d` passed first.
  bool wait_for(std::chrono::milliseconds d) {
    std::unique_lock guard(mutex_);
    return zero_.wait_for(guard, d, [&] { return left_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable zero_;
  size_t left_;
};

// --plan-only: the run exists, nothing was worked.
RunSummary planned_run(long long run_id, bool continued, bool sync) {
  RunSummary s;
  s.run_id = run_id;
  s.continued = continued;
  s.planned_only = true;
  s.sync = sync;
  return s;
}

}  // namespace

// While the workers run: progress, the stream locks (a database restart drops them with the
// session) and the metrics file, each on its own cadence.
void Engine::watch(long long run_id, state::StreamLock& lock,
                   const std::function<bool(std::chrono::milliseconds)>& workers_done,
                   std::chrono::steady_clock::time_point started,
                   const std::function<void(const ProgressSnapshot&)>& on_progress) {
  ProgressReporter progress(stderr_is_terminal());
  auto lock_checked = std::chrono::steady_clock::now();
  auto metrics_written = lock_checked;
  auto look_every = std::min<std::chrono::milliseconds>(progress.interval(), WorkerGovernor::kInterval);
  while (!workers_done(look_every)) {
    const auto now = std::chrono::steady_clock::now();
    if (now - lock_checked >= kLockCheckInterval) {
      lock.keep_alive();
      lock_checked = now;
    }
    if (auto snapshot = progress_of(run_id, source().stats())) {
      progress.tick(*snapshot);
      on_progress(*snapshot);
    }
    if (now - metrics_written >= kMetricsInterval) {
      write_metrics(run_id, seconds_since(started), std::nullopt);
      metrics_written = now;
    }
  }
  progress.finish();
}

// The metrics file, when asked for. A failure to write it is logged, never fatal: the data
// matters more than the figures about it.
void Engine::write_metrics(long long run_id, double seconds, std::optional<int> exit_code) {
  if (options_.metrics_file.empty()) return;
  RunMetricsInput in{connector_.config().name, run_id, seconds, &source().stats(), exit_code};
  for (int attempt = 1;; ++attempt) {
    try {
      write_file_atomically(options_.metrics_file, render_metrics(run_metrics(monitor_conn(), in)));
      return;
    } catch (const std::exception& e) {
      monitor_conn_.reset();  // the session may have died with a server restart: a new one, once
      if (attempt == 2) return spdlog::warn("metrics file {} not written: {}", options_.metrics_file, e.what());
    }
  }
}

// One session for what the main thread reads while the workers run (progress, metrics).
pqxx::connection& Engine::monitor_conn() {
  if (!monitor_conn_ || !monitor_conn_->is_open()) monitor_conn_ = pg::connect(options_.db_url);
  return *monitor_conn_;
}

// The run's progress as state has it (every process's windows), or nothing while the database
// is unreachable (the workers are reconnecting; the next tick tries again).
std::optional<ProgressSnapshot> Engine::progress_of(long long run_id, const http::ExecutorStats& stats) {
  try {
    auto tally = state::RunStore(monitor_conn()).window_tallies({run_id})[run_id];
    return ProgressSnapshot{tally.total, tally.done + tally.done_with_rejects, tally.failed, tally.records,
                            stats.retries.load(), stats.throttled.load(), tally.pending};
  } catch (const std::exception&) {
    monitor_conn_.reset();
    return std::nullopt;
  }
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

Engine::~Engine() = default;

std::vector<std::string> Engine::selected(const std::vector<std::string>& streams) const {
  auto out = streams;
  if (out.empty()) {
    for (const auto& s : connector_.config().streams) out.push_back(s.name);
  }
  for (const auto& s : out) connector_.stream(s);  // unknown stream: usage error before any write
  return out;
}

std::vector<state::StreamKey> Engine::keys(const std::vector<std::string>& streams) const {
  std::vector<state::StreamKey> out;
  for (const auto& s : streams) out.push_back({connector_.config().account, connector_.stream(s).config().table, s});
  return out;
}

SourceSession& Engine::source() {
  if (!source_) {
    tokens_ = std::make_unique<state::PgTokenStore>(options_.db_url);
    source_ = std::make_unique<SourceSession>(connector_, *tokens_, options_.stop,
                                              std::make_unique<state::PgSharedLimitStore>(options_.db_url));
  }
  return *source_;
}

LeaseKeeper& Engine::leases() {
  if (!leases_) leases_ = std::make_unique<LeaseKeeper>(options_.db_url, options_.lease);
  return *leases_;
}

RunSummary Engine::backfill(const BackfillRequest& request) {
  auto streams = selected(request.streams);
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
  state::StreamLock lock(options_.db_url);
  std::optional<long long> existing;
  auto run_id = lock.acquire(
      keys(streams), options_.lock_wait, options_.stop,
      [&] {
        existing = runs.find_unfinished(spec);
        return existing.value_or(0);
      },
      [&] { return runs.create_run(spec, windows); });
  if (existing) {
    spdlog::info("continuing unfinished run {} with the same parameters", run_id);
    state::WindowStore(*conn).reopen(run_id, true);
  } else {
    spdlog::info("run {}: {} stream(s), {} window(s) over {}", run_id, streams.size(), windows.size(),
                 to_string(request.range));
  }
  if (options_.plan_only) return planned_run(run_id, existing.has_value(), false);
  return execute(run_id, existing.has_value(), lock);
}

RunSummary Engine::work(long long run_id) {
  return continue_run(run_id, [&](state::WindowStore& windows) {
    int reopened = windows.reopen(run_id, false);
    spdlog::info("run {}: worker joining{}", run_id,
                 reopened > 0 ? ", " + std::to_string(reopened) + " abandoned window(s) reopened" : "");
  });
}

RunSummary Engine::resume(long long run_id) {
  return continue_run(run_id, [&](state::WindowStore& windows) {
    int reopened = windows.reopen(run_id, true);
    spdlog::info("run {}: resuming, {} window(s) reopened", run_id, reopened);
  });
}

RunSummary Engine::retry(long long run_id, const std::vector<long long>& window_ids) {
  return continue_run(run_id, [&](state::WindowStore& windows) {
    int reopened = windows.reopen_failed(run_id, window_ids);
    spdlog::info("run {}: retrying {} failed window(s)", run_id, reopened);
  });
}

// An existing run, driven again once its streams are held and `reopen` has put back the
// windows to redo.
RunSummary Engine::continue_run(long long run_id, const std::function<void(state::WindowStore&)>& reopen) {
  auto conn = pg::connect(options_.db_url);
  auto run = state::RunStore(*conn).load_run(run_id);
  if (!run) throw Error(ErrorKind::usage, "no run " + std::to_string(run_id) + " in state.runs");
  prepare_tables(run->spec.streams);
  state::StreamLock lock(options_.db_url);
  lock.acquire(keys(run->spec.streams), options_.lock_wait, options_.stop, [&] { return run_id; }, [] { return 0LL; });
  state::WindowStore windows(*conn, options_.lease);
  reopen(windows);
  return execute(run_id, true, lock);
}

RunSummary Engine::sync(const SyncRequest& request) {
  auto streams = selected(request.streams);
  prepare_tables(streams);
  auto conn = pg::connect(options_.db_url);
  state::StreamLock lock(options_.db_url);
  // Planned under the streams' gates: the marks read are not moved by another run meanwhile.
  auto run_id = lock.acquire(keys(streams), options_.lock_wait, options_.stop, [] { return 0LL; }, [&] {
    supersede_abandoned(*conn, streams);
    SyncRequest req = request;
    req.streams = streams;
    auto plans = plan_sync(connector_, *conn, source(), req, now_utc());
    std::vector<std::pair<std::string, Window>> windows;
    std::vector<std::string> syncing;
    Window range{};
    for (const auto& p : plans) {
      if (!p.windows.empty()) syncing.push_back(p.stream);
      for (const auto& w : p.windows) {
        range = windows.empty() ? w : Window{std::min(range.start, w.start), std::max(range.end, w.end)};
        windows.emplace_back(p.stream, w);
      }
    }
    if (windows.empty()) return 0LL;
    const auto& cfg = connector_.config();
    state::RunSpec spec{cfg.name, cfg.account, syncing, "sync", range, cfg.default_chunk, 0, cfg.path};
    auto id = state::RunStore(*conn).create_run(spec, windows);
    spdlog::info("run {}: sync of {} stream(s), {} window(s) over {}", id, syncing.size(), windows.size(),
                 to_string(range));
    return id;
  });
  RunSummary summary;
  if (run_id == 0) {
    spdlog::info("sync: every stream is up to date; nothing to extract");
    summary.up_to_date = true;
    if (options_.plan_only) return summary;
  } else if (options_.plan_only) {
    // The deletion feeds are read by an in-process sync only (docs/operations.md).
    return planned_run(run_id, false, true);
  } else {
    summary = execute(run_id, false, lock);
    summary.sync = true;
  }
  if (!summary.fatal) read_deletions(streams, request.lookback, summary);  // still under the streams' locks
  return summary;
}

// Earlier syncs of these streams that a killed process left open would stay OPEN in `status`
// for ever: this sync starts at the mark they held back and covers their ranges.
void Engine::supersede_abandoned(pqxx::connection_base& conn, const std::vector<std::string>& streams) {
  const auto& cfg = connector_.config();
  auto marked = state::supersede_abandoned_syncs(conn, cfg.name, cfg.account, streams,
                                                 "abandoned (its process was killed or stopped); superseded by the sync "
                                                 "that started at " + format_utc(now_utc()));
  if (marked > 0) {
    spdlog::info("sync: {} window(s) of earlier syncs left open by a stopped process marked failed; this sync "
                 "covers their range", marked);
  }
}

void Engine::read_deletions(const std::vector<std::string>& streams, std::optional<Duration> lookback,
                            RunSummary& summary) {
  try {
    auto conn = pg::connect(options_.db_url);
    for (const auto& d : sync_deletions(connector_, *conn, source(), streams, lookback, now_utc())) {
      summary.deletions_read = true;
      summary.deletions_reported += d.reported;
      summary.deletions_marked += d.marked;
      if (d.gap) summary.deletion_gaps.push_back(d.stream);
    }
  } catch (const Error& e) {
    spdlog::error("sync: reading deletions: {}", e.what());
    summary.fatal = e;
  }
}

RunSummary Engine::execute(long long run_id, bool continued, state::StreamLock& lock) {
  set_log_context({run_id, "", 0});
  const auto started = std::chrono::steady_clock::now();
  state::mark_run_running(*pg::connect(options_.db_url), run_id);
  auto& source = this->source();
  auto& leases = this->leases();

  WorkerGovernor governor(worker_range(options_.workers, connector_.config().rate_limit.max_concurrent));
  std::vector<std::optional<Error>> results(static_cast<size_t>(governor.range().max));  // never reallocated
  std::vector<std::thread> threads;
  std::atomic<int> outage_streak{0};
  Countdown workers_left(0);
  auto start_worker = [&] {
    auto i = threads.size();
    workers_left.add();
    threads.emplace_back([&, i] {
      results[i] = Worker(connector_, source, options_, leases, run_id, static_cast<int>(i), outage_streak)();
      if (results[i]) options_.stop->request_stop();  // one worker's fatal error ends them all
      workers_left.done();
    });
  };
  while (threads.size() < static_cast<size_t>(governor.range().start)) start_worker();
  auto grow = [&](const ProgressSnapshot& progress) {
    auto workers = static_cast<int>(threads.size());
    if (!governor.tick(source.stats(), workers, progress.windows_pending, std::chrono::steady_clock::now())) return;
    const auto& load = governor.last();
    spdlog::info("run {}: the workers waited for answers {:.0f}% of their time; worker {} of at most {} started",
                 run_id, 100.0 * static_cast<double>(load.answer_wait_us) / (workers * 1000.0 * load.elapsed.count()),
                 workers + 1, governor.range().max);
    start_worker();
  };
  watch(run_id, lock, [&](std::chrono::milliseconds d) { return workers_left.wait_for(d); }, started, grow);
  for (auto& t : threads) t.join();
  const auto& stats = source.stats();
  spdlog::info("run {}: {} requests, {} retries ({} throttled, {} limit decreases), {} credential refreshes after a 401",
               run_id, stats.requests.load(), stats.retries.load(), stats.throttled.load(),
               stats.limit_decreases.load(), stats.auth_refreshes.load());

  auto summary = summarize(run_id, continued, results);
  write_metrics(run_id, seconds_since(started), summary.exit_code());
  return summary;
}

}  // namespace tributary::engine
