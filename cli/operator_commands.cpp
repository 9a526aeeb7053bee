#include "cli/operator_commands.hpp"

#include <iostream>
#include <map>

#include "cli/status_report.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "engine/engine.hpp"
#include "pg/pg.hpp"
#include "state/run_store.hpp"
#include "state/stream_lock.hpp"
#include "state/stream_state.hpp"

namespace tributary::cli {
namespace {

std::string json_time(const std::optional<Timestamp>& t) { return t ? json_quote(format_utc(*t)) : "null"; }

std::string runs_json(const std::vector<state::RunRow>& runs, const std::map<long long, state::WindowTally>& tallies) {
  std::string out = "[";
  for (const auto& r : runs) {
    auto t = tallies.count(r.run_id) ? tallies.at(r.run_id) : state::WindowTally{};
    out += std::string(out.size() > 1 ? "," : "") +
           json_object({{"run_id", std::to_string(r.run_id), true}, {"connector", r.spec.connector},
                        {"mode", r.spec.mode}, {"status", to_string(r.status)},
                        {"windows", std::to_string(t.total), true},
                        {"windows_done", std::to_string(t.done + t.done_with_rejects), true},
                        {"windows_failed", std::to_string(t.failed), true},
                        {"start", format_utc(r.spec.range.start)}, {"end", format_utc(r.spec.range.end)},
                        {"created_at", r.created_at}, {"error", r.last_error}});
  }
  return out + "]";
}

std::string streams_json(const std::vector<state::StreamStatus>& streams, const Timestamp& now) {
  std::string out = "[";
  for (const auto& s : streams) {
    auto lag = s.mark ? std::to_string((now - *s.mark).total_seconds()) : "null";
    out += std::string(out.size() > 1 ? "," : "") +
           json_object({{"connector", s.id.connector}, {"account", s.id.account}, {"stream", s.id.stream},
                        {"high_water_mark", json_time(s.mark), true}, {"lag_seconds", lag, true},
                        {"last_sync", json_time(s.last_sync), true}, {"last_done", json_time(s.last_done), true},
                        {"failed_windows", std::to_string(s.failed), true},
                        {"open_windows", std::to_string(s.open), true},
                        {"deletions_checked_until", json_time(s.deletions_until), true},
                        {"deletion_gap", s.deletion_gap ? json_object({{"start", format_utc(s.deletion_gap->start)},
                                                                        {"end", format_utc(s.deletion_gap->end)}})
                                                        : "null", true}});
  }
  return out + "]";
}

// The connector file a window's run was started with, unless --config names one.
std::unique_ptr<connectors::Connector> connector_of(const state::RunRow& run, const std::string& config) {
  std::string path = config.empty() ? run.spec.config_path : config;
  if (path.empty()) {
    throw Error(ErrorKind::usage, "run " + std::to_string(run.run_id) + " has no recorded connector file; pass --config");
  }
  return load_connector(path, run.spec.page_size);
}

}  // namespace

int cmd_status(const GlobalOptions& g, const StatusOptions& o) {
  auto url = database_url(g);
  migrate_db(url);
  auto conn = pg::connect(url);
  state::RunStore runs(*conn);
  if (o.run_id != 0) {
    auto run = runs.load_run(o.run_id);
    if (!run) throw Error(ErrorKind::usage, "--run: no run " + std::to_string(o.run_id) + " in state.runs");
    print_run(std::cout, *run, runs.windows(o.run_id));
    return run->status == state::Status::failed ? exit_code_for(ErrorKind::data) : 0;
  }
  auto recent = runs.recent_runs(o.limit);
  std::vector<long long> ids;
  for (const auto& r : recent) ids.push_back(r.run_id);
  auto tallies = runs.window_tallies(ids);
  auto streams = state::stream_statuses(*conn);
  const auto now = now_utc();
  if (o.json) {
    std::cout << "{\"runs\":" << runs_json(recent, tallies) << ",\"streams\":" << streams_json(streams, now) << "}"
              << std::endl;
    return 0;
  }
  print_runs(std::cout, recent, tallies);
  std::cout << "\n";
  print_streams(std::cout, streams, now);
  return 0;
}

int cmd_windows(const GlobalOptions& g, const WindowsOptions& o) {
  if (!o.failed) throw Error(ErrorKind::usage, "windows: say which: --failed");
  auto url = database_url(g);
  migrate_db(url);
  auto conn = pg::connect(url);
  auto failed = state::unresolved_failed_windows(*conn, o.stream);
  print_windows(std::cout, failed);
  std::cout << failed.size() << " failed window(s) to retry" << std::endl;
  return 0;
}

int cmd_retry(const GlobalOptions& g, const RetryOptions& o, StopFlag& stop) {
  if ((o.window_id != 0) == o.failed) throw Error(ErrorKind::usage, "retry: give either --window ID or --failed");
  auto url = database_url(g);
  migrate_db(url);
  auto conn = pg::connect(url);
  state::RunStore runs(*conn);
  std::map<long long, std::vector<long long>> by_run;  // run -> its failed windows to retry
  if (o.window_id != 0) {
    auto row = runs.load_window(o.window_id);
    if (!row) throw Error(ErrorKind::usage, "--window: no window " + std::to_string(o.window_id) + " in state.windows");
    if (row->status != state::Status::failed) {
      throw Error(ErrorKind::usage, "--window: window " + std::to_string(o.window_id) + " is " +
                                        to_string(row->status) + ", not failed");
    }
    by_run[row->run_id].push_back(row->window_id);
  } else {
    for (const auto& w : state::unresolved_failed_windows(*conn, o.stream)) by_run[w.run_id].push_back(w.window_id);
  }
  if (by_run.empty()) {
    std::cout << "retry: no failed window to retry" << std::endl;
    return 0;
  }
  int worst = 0;
  for (const auto& [run_id, windows] : by_run) {
    if (stop.stop_requested()) break;
    auto connector = connector_of(*runs.load_run(run_id), o.config);
    engine::Engine engine(*connector, engine_options(g, url, o.workers, o.wait_seconds, o.lease_seconds, stop));
    auto summary = engine.retry(run_id, windows);
    print_summary(summary);
    if (summary.exit_code() != 0 && worst == 0) worst = summary.exit_code();
  }
  return worst;
}

int cmd_reset(const GlobalOptions& g, const ResetOptions& o) {
  auto connector = load_connector(o.config, 0);
  connector->stream(o.stream);  // an unknown stream is a usage error
  const auto& cfg = connector->config();
  if (!o.confirm) {
    throw Error(ErrorKind::usage, "reset forgets every window of stream " + o.stream + " (its high-water mark, failed "
                                  "windows and quarantine), never its raw rows; add --confirm to do it");
  }
  auto url = database_url(g);
  migrate_db(url);
  auto conn = pg::connect(url);
  long long deleted = 0;
  // Under the stream's gate, and refused while a run writes it.
  state::StreamLock lock(url);
  lock.acquire({{cfg.account, connector->stream(o.stream).config().table, o.stream}}, std::chrono::milliseconds(0),
               nullptr, [] { return 0LL; }, [&] {
                 deleted = state::reset_stream(*conn, {cfg.name, cfg.account, o.stream});
                 return 0LL;
               });
  std::cout << "reset: stream " << o.stream << " forgotten (" << deleted << " window(s)); raw rows kept. Its next "
            << "sync needs --start or sync.start." << std::endl;
  return 0;
}

}  // namespace tributary::cli
