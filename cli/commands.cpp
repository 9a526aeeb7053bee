#include "cli/commands.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "cli/dbt_sources.hpp"
#include "cli/inspect.hpp"
#include "cli/operator_commands.hpp"
#include "cli/run_commands.hpp"
#include "cli/signals.hpp"
#include "cli/status_report.hpp"
#include "cli/worker_command.hpp"
#include "core/log.hpp"
#include "engine/engine.hpp"
#include "pg/pg.hpp"
#include "state/migrations.hpp"
#include "state/run_store.hpp"
#include "warehouse/raw_writer.hpp"

namespace tributary::cli {
namespace {

constexpr const char* kWorkersHelp =
    "windows loaded in parallel (default: 4, more while the source's answers are what holds them back, up to "
    "rate_limit.max_concurrent)";

int cmd_migrate(const GlobalOptions& g, const std::string& config_path) {
  auto connector = config_path.empty() ? nullptr : load_connector(config_path, 0);
  auto conn = pg::connect(database_url(g));
  int applied = state::migrate(*conn);
  std::cout << "migrate: " << applied << " migration(s) applied" << std::endl;
  if (connector) {
    for (const auto& s : connector->config().streams) {
      warehouse::RawTableWriter(*conn, s.table).ensure_table();
      std::cout << "migrate: " << s.table << " ready" << std::endl;
    }
  }
  return 0;
}

int cmd_rejects(const GlobalOptions& g, long long run_id, int limit) {
  auto url = database_url(g);
  migrate_db(url);
  auto conn = pg::connect(url);
  if (run_id != 0 && !state::RunStore(*conn).load_run(run_id)) {
    throw Error(ErrorKind::usage, "--run: no run " + std::to_string(run_id) + " in state.runs");
  }
  auto rows = state::RejectStore(*conn).list(run_id ? std::optional<long long>(run_id) : std::nullopt, limit);
  print_rejects(std::cout, rows);
  std::cout << rows.size() << " quarantined record(s)" << (static_cast<int>(rows.size()) == limit ? " (limit reached)" : "")
            << std::endl;
  return 0;
}

// The first word that is neither an option nor an option's value, if it names no command.
std::optional<std::string> unknown_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--db" || arg == "--log-level" || arg == "--log-format" || arg == "--metrics-file") {
      ++i;
      continue;
    }
    if (arg.rfind("-", 0) == 0) continue;
    for (const char* command : {"migrate", "backfill", "sync", "resume", "retry", "status", "windows", "rejects",
                                "reset", "check", "streams", "dbt-sources", "worker"}) {
      if (arg == command) return std::nullopt;
    }
    return arg;
  }
  return std::nullopt;
}


struct CheckOptions {
  std::string config;
  bool connect = false;
  std::string start, end;
};


// Every option of every command, filled by CLI11.
struct CommandLine {
  GlobalOptions global;
  std::string migrate_config;
  BackfillOptions backfill;
  ResumeOptions resume;
  SyncOptions sync;
  CheckOptions check;
  std::string streams_config;
  StatusOptions status;
  StatusOptions rejects;
  WindowsOptions windows;
  struct {
    std::string config, warn_after = "6h", error_after = "24h";
  } dbt;
  RetryOptions retry;
  ResetOptions reset;
  WorkerOptions worker;
};

// One writer per stream: a run that finds another writing one of its streams waits this long.
void add_wait(CLI::App* cmd, int& seconds) {
  cmd->add_option("--wait", seconds, "if another run is writing one of the streams, wait up to SECONDS for it "
                                     "(default 0: exit 8 at once)")->check(CLI::Range(0, 86'400));
}

void add_lease(CLI::App* cmd, int& seconds) {
  cmd->add_option("--lease-seconds", seconds, "lease of a claimed window, renewed every third of it by a heartbeat; "
                                              "another worker takes the window over once it expires (default: "
                                              "$TRIBUTARY_LEASE_SECONDS, else 60)")->check(CLI::Range(1, 86'400));
}

void define_backfill(CLI::App& app, BackfillOptions& b) {
  auto* cmd = app.add_subcommand("backfill", "Load a date range, window by window, resumably");
  cmd->add_option("--config", b.config, "connector file, e.g. config/quickbooks.yaml")->required();
  cmd->add_option("--stream", b.streams, "stream to load (repeatable; default: all)");
  cmd->add_option("--start", b.start, "inclusive start: YYYY-MM-DD or ISO-8601 (UTC unless an offset is given)")->required();
  cmd->add_option("--end", b.end, "exclusive end, same formats")->required();
  cmd->add_option("--chunk-days", b.chunk_days, "window length in days (default: the file's, else 7)")->check(CLI::Range(1, 3660));
  cmd->add_option("--page-size", b.page_size, "records per request (default: the file's)")->check(CLI::Range(1, 100000));
  cmd->add_option("--workers", b.workers, kWorkersHelp)->check(CLI::Range(1, 64));
  add_wait(cmd, b.wait_seconds);
  add_lease(cmd, b.lease_seconds);
  cmd->add_flag("--plan-only", b.plan_only, "create the run and its windows, print only the run id, work nothing "
                                            "(then: tributary worker --run ID)");
}

void define_sync(CLI::App& app, SyncOptions& o) {
  auto* cmd = app.add_subcommand("sync", "Load what changed since each stream's high-water mark, up to now minus a lag");
  cmd->add_option("--config", o.config, "connector file, e.g. config/quickbooks.yaml")->required();
  cmd->add_option("--stream", o.streams, "stream to sync (repeatable; default: all)");
  cmd->add_option("--start", o.start, "where a stream's first sync starts (default: the file's sync.start)");
  cmd->add_option("--lookback", o.lookback, "re-read this much before the mark, e.g. 1h (default: the file's, else 1h)");
  cmd->add_option("--lag", o.lag, "stop this much short of now, e.g. 5m (default: the file's, else 5m)");
  cmd->add_option("--workers", o.workers, kWorkersHelp)->check(CLI::Range(1, 64));
  add_wait(cmd, o.wait_seconds);
  add_lease(cmd, o.lease_seconds);
  cmd->add_flag("--plan-only", o.plan_only, "plan the run and print only its id (nothing when every stream is up to "
                                            "date); deletion feeds are read by an in-process sync only");
}

void define_inspection(CLI::App& app, CommandLine& c) {
  auto* check = app.add_subcommand("check", "Validate a connector file (offline; --connect also fetches one page per stream)");
  check->add_option("--config", c.check.config, "connector file")->required();
  check->add_flag("--connect", c.check.connect, "authenticate and fetch the first page of each stream; writes nothing");
  check->add_option("--start", c.check.start, "with --connect: window start (default: one chunk before now)");
  check->add_option("--end", c.check.end, "with --connect: window end (default: now)");
  auto* streams = app.add_subcommand("streams", "List a connector file's streams: mode, table, cursor");
  streams->add_option("--config", c.streams_config, "connector file")->required();
  auto* dbt = app.add_subcommand("dbt-sources", "Print a dbt sources.yml (version 2) for the connector file's raw tables");
  dbt->add_option("--config", c.dbt.config, "connector file")->required();
  dbt->add_option("--warn-after", c.dbt.warn_after, "freshness warning after this long without new rows (default 6h)");
  dbt->add_option("--error-after", c.dbt.error_after, "freshness error after this long (default 24h)");
  auto* status = app.add_subcommand("status", "Show recent runs and every stream's high-water mark, or one run's windows");
  status->add_option("--run", c.status.run_id, "run id");
  status->add_option("--limit", c.status.limit, "how many recent runs to list")->check(CLI::Range(1, 10000));
  status->add_flag("--json", c.status.json, "runs and streams as one JSON object");
  auto* rejects = app.add_subcommand("rejects", "List quarantined records (state.rejected_records)");
  rejects->add_option("--run", c.rejects.run_id, "only this run's");
  c.rejects.limit = 100;
  rejects->add_option("--limit", c.rejects.limit, "at most this many")->check(CLI::Range(1, 1000000));
}

constexpr const char* kExitCodes =
    "Exit codes: 0 done; 1 internal error; 2 usage; 3 connector file or environment; 4 database;\n"
    "5 credentials refused; 6 window(s) failed; 7 done, some records quarantined; 8 another run is\n"
    "writing one of the streams; 130 interrupted (README \"Exit codes\").";

void define_operator(CLI::App& app, CommandLine& c) {
  auto* windows = app.add_subcommand("windows", "List failed windows still to retry, across runs");
  windows->add_flag("--failed", c.windows.failed, "failed windows no later run has covered")->required();
  windows->add_option("--stream", c.windows.stream, "only this stream's");
  auto* retry = app.add_subcommand("retry", "Re-run failed windows from their checkpoints");
  retry->add_option("--window", c.retry.window_id, "one window (see `tributary windows --failed`)");
  retry->add_flag("--failed", c.retry.failed, "every failed window still to retry");
  retry->add_option("--stream", c.retry.stream, "with --failed: only this stream's");
  retry->add_option("--config", c.retry.config, "connector file (default: the one each run was started with)");
  retry->add_option("--workers", c.retry.workers, kWorkersHelp)->check(CLI::Range(1, 64));
  add_wait(retry, c.retry.wait_seconds);
  add_lease(retry, c.retry.lease_seconds);
  auto* reset = app.add_subcommand("reset", "Forget a stream's state (high-water mark, windows); never its raw rows");
  reset->add_option("--config", c.reset.config, "connector file")->required();
  reset->add_option("--stream", c.reset.stream, "the stream")->required();
  reset->add_flag("--confirm", c.reset.confirm, "really forget it");
}

void define(CLI::App& app, CommandLine& c) {
  app.require_subcommand(1);
  // Global options are accepted after the command too: `tributary migrate --db URL`.
  app.fallthrough();
  app.set_version_flag("--version", std::string("tributary ") + TRIBUTARY_VERSION);
  app.footer(kExitCodes);
  app.add_option("--db", c.global.db_url, "PostgreSQL URL (default: $TRIBUTARY_DB_URL, else libpq's PG* variables)");
  app.add_option("--log-level", c.global.log_level, "trace, debug, info, warn, error, off");
  app.add_option("--metrics-file", c.global.metrics_file, "backfill, sync, resume, retry: write Prometheus metrics "
                                                          "here (atomically, every 15 s and at the end)");
  app.add_option("--log-format", c.global.log_format, "text (default), or json: one object a line with run, stream "
                                                      "and window ids");
  auto* migrate = app.add_subcommand("migrate", "Create or upgrade the raw and state schemas (safe to run twice)");
  migrate->add_option("--config", c.migrate_config, "also create the raw tables of this connector file's streams");
  define_backfill(app, c.backfill);
  auto* resume = app.add_subcommand("resume", "Continue a run's unfinished and failed windows");
  resume->add_option("--run", c.resume.run_id, "run id (see `tributary status`)")->required();
  resume->add_option("--config", c.resume.config, "connector file (default: the one the run was started with)");
  resume->add_option("--workers", c.resume.workers, kWorkersHelp)->check(CLI::Range(1, 64));
  add_wait(resume, c.resume.wait_seconds);
  add_lease(resume, c.resume.lease_seconds);
  define_sync(app, c.sync);
  define_inspection(app, c);
  define_operator(app, c);
  define_worker(app, c.worker);
  for (auto* command : app.get_subcommands([](CLI::App*) { return true; })) command->footer(kExitCodes);
  app.get_subcommand("worker")->footer(std::string(worker_help()) + "\n\n" + kExitCodes);
}

int cmd_check(const GlobalOptions& g, const CheckOptions& o) {
  std::optional<Window> window;
  if (!o.start.empty() || !o.end.empty()) {
    window = Window{parse_timestamp(o.start, "--start"), parse_timestamp(o.end, "--end")};
    WindowPlan{window->start, window->end}.windows();  // end after start
  }
  return check_connector(o.config, o.connect, o.connect ? database_url(g) : "", window, std::cout, std::cerr);
}

int dispatch(const CLI::App& app, const CommandLine& c, StopFlag& stop) {
  const auto& g = c.global;
  if (app.got_subcommand("migrate")) return cmd_migrate(g, c.migrate_config);
  if (app.got_subcommand("check")) return cmd_check(g, c.check);
  if (app.got_subcommand("streams")) return list_streams(c.streams_config, std::cout, std::cerr);
  if (app.got_subcommand("backfill")) return cmd_backfill(g, c.backfill, stop);
  if (app.got_subcommand("resume")) return cmd_resume(g, c.resume, stop);
  if (app.got_subcommand("sync")) return cmd_sync(g, c.sync, stop);
  if (app.got_subcommand("rejects")) return cmd_rejects(g, c.rejects.run_id, c.rejects.limit);
  if (app.got_subcommand("windows")) return cmd_windows(g, c.windows);
  if (app.got_subcommand("dbt-sources")) {
    Freshness f{parse_duration(c.dbt.warn_after, "--warn-after"), parse_duration(c.dbt.error_after, "--error-after")};
    std::cout << dbt_sources_yaml(connectors::load_connector_config(c.dbt.config, process_env()), f);
    return 0;
  }
  if (app.got_subcommand("retry")) return cmd_retry(g, c.retry, stop);
  if (app.got_subcommand("reset")) return cmd_reset(g, c.reset);
  if (app.got_subcommand("worker")) return cmd_worker(g, c.worker, stop);
  return cmd_status(g, c.status);
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"tributary: incremental extraction from REST APIs into PostgreSQL"};
  CommandLine c;
  define(app, c);
  if (auto unknown = unknown_command(argc, argv)) {
    std::cerr << "tributary: error: unknown command '" << *unknown
              << "' (expected one of: migrate, backfill, sync, resume, retry, status, windows, rejects, reset, check, "
                 "streams, dbt-sources, worker)" << std::endl;
    return exit_code_for(ErrorKind::usage);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "tributary: error: " << e.what() << " (see tributary --help)" << std::endl;
    return exit_code_for(ErrorKind::usage);
  }
  try {
    auto format = log_format_from(c.global.log_format);
    if (!format) throw Error(ErrorKind::usage, "--log-format: expected text or json, got '" + c.global.log_format + "'");
    setup_logging(c.global.log_level, *format);
    StopFlag stop;
    SignalRouter signals(stop);  // after `stop`, so it is gone (its thread joined) first
    return dispatch(app, c, stop);
  } catch (const Error& e) {
    std::cerr << "tributary: error: " << e.what() << std::endl;
    return exit_code_for(e.kind());
  } catch (const std::exception& e) {
    std::cerr << "tributary: internal error: " << e.what() << std::endl;
    return exit_code_for(ErrorKind::internal);
  }
}

}  // namespace tributary::cli
