#include "cli/worker_command.hpp"

#include <spdlog/spdlog.h>

#include <iostream>
#include <map>
#include <thread>

#include "pg/pg.hpp"
#include "state/run_store.hpp"

namespace tributary::cli {
namespace {

// `worker --any` looks for open runs this often when it found none.
constexpr auto kIdlePoll = std::chrono::seconds(2);
// A run it could not work (no connector file, credentials refused, its streams held by another
// run) is left alone this long before it is tried again.
constexpr auto kCooldown = std::chrono::minutes(5);
constexpr auto kBusyCooldown = std::chrono::seconds(30);

constexpr const char* kWorkerHelp = R"(  tributary worker --run ID    claims the run's pending windows (FOR UPDATE SKIP LOCKED), works
                               them from their checkpoints, waits for the windows other workers
                               hold (taking over those whose lease expires), and exits when every
                               window is finished: 0 done, 7 done with quarantined records,
                               6 the run failed (a window failed, none is left to work),
                               4 database, 5 credentials refused, 130 interrupted.
  tributary worker --any       serves every open run, oldest first, one at a time, each with the
                               connector file it was planned with; polls when there is none.
                               Runs until SIGTERM/SIGINT (130, its windows given back) or a lost
                               database (4).
Plan a run with `tributary backfill ... --plan-only` or `tributary sync ... --plan-only`.)";

std::unique_ptr<connectors::Connector> connector_for(const state::RunRow& run, const std::string& config) {
  std::string path = config.empty() ? run.spec.config_path : config;
  if (path.empty()) {
    throw Error(ErrorKind::usage, "run " + std::to_string(run.run_id) + " has no recorded connector file; pass --config");
  }
  // The run's own --page-size (0: each stream's from the file), so pages line up with its checkpoints.
  return load_connector(path, run.spec.page_size);
}

int work_one_run(const GlobalOptions& g, const std::string& url, const WorkerOptions& o, StopFlag& stop) {
  auto run = state::RunStore(*pg::connect(url)).load_run(o.run_id);
  if (!run) throw Error(ErrorKind::usage, "--run: no run " + std::to_string(o.run_id) + " in state.runs");
  auto connector = connector_for(*run, o.config);
  engine::Engine engine(*connector, engine_options(g, url, o.workers, o.wait_seconds, o.lease_seconds, stop));
  auto summary = engine.work(o.run_id);
  print_summary(summary);
  return summary.exit_code();
}

// One pass over the open runs: works the first it can; false when it worked none.
bool serve_next_run(const GlobalOptions& g, const std::string& url, const WorkerOptions& o, StopFlag& stop,
                    std::map<long long, std::chrono::steady_clock::time_point>& resting) {
  const auto now = std::chrono::steady_clock::now();
  for (auto run_id : state::RunStore(*pg::connect(url)).open_runs()) {
    if (stop.stop_requested()) return false;
    if (auto it = resting.find(run_id); it != resting.end() && now < it->second) continue;
    try {
      auto run = state::RunStore(*pg::connect(url)).load_run(run_id);
      if (!run) continue;
      auto connector = connector_for(*run, "");
      // The run's own stop flag: a fatal error in one run (credentials refused) stops that run,
      // not the worker; a signal, forwarded, stops both.
      StopFlag run_stop;
      std::jthread forward([&](std::stop_token done) {
        while (!done.stop_requested()) {
          if (!stop.sleep_for(std::chrono::milliseconds(200))) return run_stop.request_stop();
        }
      });
      auto options = engine_options(g, url, o.workers, o.wait_seconds, o.lease_seconds, run_stop);
      options.wait_for_others = false;  // the last windows held elsewhere are theirs to finish
      engine::Engine engine(*connector, options);
      auto summary = engine.work(run_id);
      print_summary(summary);
      if (summary.fatal && summary.fatal->kind() != ErrorKind::interrupted) resting[run_id] = now + kCooldown;
      return true;
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted || e.kind() == ErrorKind::database ||
          e.kind() == ErrorKind::database_lost) {
        throw;
      }
      spdlog::error("worker: run {} left for now: {}", run_id, e.what());
      resting[run_id] = now + (e.kind() == ErrorKind::busy ? kBusyCooldown : kCooldown);
    }
  }
  return false;
}

int serve_any(const GlobalOptions& g, const std::string& url, const WorkerOptions& o, StopFlag& stop) {
  std::map<long long, std::chrono::steady_clock::time_point> resting;
  spdlog::info("worker: serving every open run (instance {})", state::ProcessIdentity::current().instance);
  while (!stop.stop_requested()) {
    if (!serve_next_run(g, url, o, stop, resting)) stop.sleep_for(kIdlePoll);
  }
  return exit_code_for(ErrorKind::interrupted);
}

}  // namespace

const char* worker_help() { return kWorkerHelp; }

void define_worker(CLI::App& app, WorkerOptions& o) {
  auto* cmd = app.add_subcommand("worker", "Work a planned run's windows alongside other workers (--run ID or --any)");
  auto* run = cmd->add_option("--run", o.run_id, "the run to work (printed by backfill/sync --plan-only)");
  auto* any = cmd->add_flag("--any", o.any, "serve every open run until stopped");
  run->excludes(any);
  cmd->add_option("--config", o.config, "with --run: connector file (default: the one the run was planned with)")
      ->excludes(any);
  cmd->add_option("--workers", o.workers, "windows worked in parallel by this process (default: adapts, as backfill)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--lease-seconds", o.lease_seconds, "lease of a claimed window, renewed every third of it (default: "
                                                      "$TRIBUTARY_LEASE_SECONDS, else 60)")->check(CLI::Range(1, 86'400));
  cmd->add_option("--wait", o.wait_seconds, "if another run is writing one of the streams, wait up to SECONDS for it "
                                            "(default 0: exit 8 at once)")->check(CLI::Range(0, 86'400));
}

int cmd_worker(const GlobalOptions& g, const WorkerOptions& o, StopFlag& stop) {
  if ((o.run_id != 0) == o.any) throw Error(ErrorKind::usage, "worker: give either --run ID or --any");
  auto url = database_url(g);
  migrate_db(url);
  return o.any ? serve_any(g, url, o, stop) : work_one_run(g, url, o, stop);
}

}  // namespace tributary::cli
