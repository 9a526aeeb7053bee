#include "cli/commands.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "cli/inspect.hpp"
#include "cli/signals.hpp"
#include "cli/status_report.hpp"
#include "core/log.hpp"
#include "engine/engine.hpp"
#include "pg/pg.hpp"
#include "state/migrations.hpp"
#include "state/run_store.hpp"
#include "warehouse/raw_writer.hpp"

namespace tributary::cli {
namespace {

struct GlobalOptions {
  std::string db_url;
  std::string log_level = "info";
};

struct BackfillOptions {
  std::string config;
  std::vector<std::string> streams;
  std::string start, end;
  int chunk_days = 0;  // 0: the connector file's default
  int page_size = 0;   // 0: the connector file's
  int workers = 4;
};

struct ResumeOptions {
  long long run_id = 0;
  std::string config;  // default: the path recorded with the run
  int workers = 4;
};

std::string database_url(const GlobalOptions& g) {
  if (!g.db_url.empty()) return g.db_url;
  if (const char* env = std::getenv("TRIBUTARY_DB_URL")) return env;
  return "";  // libpq: PGHOST, PGPORT, PGDATABASE, PGUSER, ...
}

// Every command brings the schema up to date first. When it already is, that is one read:
// PostgreSQL checks CREATE rights even for CREATE ... IF NOT EXISTS, and a least-privilege role
// (sql/roles.sql) has none outside raw, so the owner migrates and the writer only reads.
void migrate_db(const std::string& url) {
  auto conn = pg::connect(url);
  if (!state::schema_is_current(*conn)) state::migrate(*conn);
}

std::unique_ptr<connectors::Connector> load_connector(const std::string& path, int page_size) {
  auto config = connectors::load_connector_config(path, process_env());
  if (page_size > 0) {
    if (page_size > config.max_page_size) {
      throw Error(ErrorKind::usage, "--page-size " + std::to_string(page_size) + " exceeds the connector's maximum of " +
                                        std::to_string(config.max_page_size));
    }
    for (auto& s : config.streams) s.page_size = page_size;
  }
  return connectors::make_connector(std::move(config));
}

void print_summary(const engine::RunSummary& s) {
  std::cout << "run " << s.run_id << (s.continued ? " (continued)" : "") << ": " << s.windows_done << "/"
            << s.windows_total << " windows done, " << s.windows_failed << " failed, " << s.records_loaded
            << " records fetched, " << s.rows_changed
            << " raw rows inserted or changed";
  if (s.records_rejected > 0) std::cout << ", " << s.records_rejected << " records quarantined";
  std::cout << std::endl;
  if (s.fatal) std::cerr << "tributary: error: " << s.fatal->what() << std::endl;
  else if (s.windows_failed > 0) std::cerr << "tributary: error: " << s.windows_failed
                                           << " window(s) failed; see `tributary status --run " << s.run_id
                                           << "`, then `tributary resume --run " << s.run_id << "`" << std::endl;
  else if (s.records_rejected > 0) std::cerr << "tributary: warning: " << s.records_rejected
                                             << " record(s) could not be stored and were quarantined; see `tributary "
                                                "rejects --run " << s.run_id << "`" << std::endl;
}

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

int cmd_backfill(const GlobalOptions& g, const BackfillOptions& o, StopFlag& stop) {
  auto streams = o.streams;  // --stream a --stream a means a once
  std::sort(streams.begin(), streams.end());
  streams.erase(std::unique(streams.begin(), streams.end()), streams.end());
  auto start = parse_timestamp(o.start, "--start");
  auto end = parse_timestamp(o.end, "--end");
  auto connector = load_connector(o.config, o.page_size);
  auto chunk = o.chunk_days > 0 ? boost::posix_time::hours(24 * o.chunk_days) : connector->config().default_chunk;
  WindowPlan{start, end, chunk}.windows();  // validates the range before anything is written
  for (const auto& s : streams) connector->stream(s);
  auto url = database_url(g);
  migrate_db(url);
  engine::Engine engine(*connector, {url, o.workers, &stop});
  auto summary = engine.backfill({streams, Window{start, end}, chunk, o.page_size});
  print_summary(summary);
  return summary.exit_code();
}

int cmd_resume(const GlobalOptions& g, const ResumeOptions& o, StopFlag& stop) {
  auto url = database_url(g);
  migrate_db(url);
  auto run = state::RunStore(*pg::connect(url)).load_run(o.run_id);
  if (!run) throw Error(ErrorKind::usage, "--run: no run " + std::to_string(o.run_id) + " in state.runs");
  std::string config_path = o.config.empty() ? run->spec.config_path : o.config;
  if (config_path.empty()) {
    throw Error(ErrorKind::usage, "run " + std::to_string(o.run_id) + " has no recorded connector file; pass --config");
  }
  // The run's own --page-size (0: each stream's from the file), so resumed pages line up.
  auto connector = load_connector(config_path, run->spec.page_size);
  engine::Engine engine(*connector, {url, o.workers, &stop});
  auto summary = engine.resume(o.run_id);
  print_summary(summary);
  return summary.exit_code();
}

int cmd_status(const GlobalOptions& g, long long run_id, int limit) {
  auto url = database_url(g);
  migrate_db(url);
  auto conn = pg::connect(url);
  state::RunStore runs(*conn);
  if (run_id == 0) {
    auto recent = runs.recent_runs(limit);
    std::vector<long long> ids;
    for (const auto& r : recent) ids.push_back(r.run_id);
    print_runs(std::cout, recent, runs.window_tallies(ids));
    return 0;
  }
  auto run = runs.load_run(run_id);
  if (!run) throw Error(ErrorKind::usage, "--run: no run " + std::to_string(run_id) + " in state.runs");
  auto windows = runs.windows(run_id);
  print_run(std::cout, *run, windows);
  return run->status == state::Status::failed ? exit_code_for(ErrorKind::data) : 0;
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
    if (arg == "--db" || arg == "--log-level") { ++i; continue; }
    if (arg.rfind("-", 0) == 0) continue;
    for (const char* command : {"migrate", "backfill", "resume", "status", "rejects", "check", "streams"}) {
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

struct StatusOptions {
  long long run_id = 0;
  int limit = 20;
};

// Every option of every command, filled by CLI11.
struct CommandLine {
  GlobalOptions global;
  std::string migrate_config;
  BackfillOptions backfill;
  ResumeOptions resume;
  CheckOptions check;
  std::string streams_config;
  StatusOptions status;
  StatusOptions rejects;
};

void define_backfill(CLI::App& app, BackfillOptions& b) {
  auto* cmd = app.add_subcommand("backfill", "Load a date range, window by window, resumably");
  cmd->add_option("--config", b.config, "connector file, e.g. config/quickbooks.yaml")->required();
  cmd->add_option("--stream", b.streams, "stream to load (repeatable; default: all)");
  cmd->add_option("--start", b.start, "inclusive start: YYYY-MM-DD or ISO-8601 (UTC unless an offset is given)")->required();
  cmd->add_option("--end", b.end, "exclusive end, same formats")->required();
  cmd->add_option("--chunk-days", b.chunk_days, "window length in days (default: the file's, else 7)")->check(CLI::Range(1, 3660));
  cmd->add_option("--page-size", b.page_size, "records per request (default: the file's)")->check(CLI::Range(1, 100000));
  cmd->add_option("--workers", b.workers, "windows loaded in parallel")->check(CLI::Range(1, 64));
}

void define_inspection(CLI::App& app, CommandLine& c) {
  auto* check = app.add_subcommand("check", "Validate a connector file (offline; --connect also fetches one page per stream)");
  check->add_option("--config", c.check.config, "connector file")->required();
  check->add_flag("--connect", c.check.connect, "authenticate and fetch the first page of each stream; writes nothing");
  check->add_option("--start", c.check.start, "with --connect: window start (default: one chunk before now)");
  check->add_option("--end", c.check.end, "with --connect: window end (default: now)");
  auto* streams = app.add_subcommand("streams", "List a connector file's streams: mode, table, cursor");
  streams->add_option("--config", c.streams_config, "connector file")->required();
  auto* status = app.add_subcommand("status", "Show runs, or one run's windows");
  status->add_option("--run", c.status.run_id, "run id");
  status->add_option("--limit", c.status.limit, "how many recent runs to list")->check(CLI::Range(1, 10000));
  auto* rejects = app.add_subcommand("rejects", "List quarantined records (state.rejected_records)");
  rejects->add_option("--run", c.rejects.run_id, "only this run's");
  c.rejects.limit = 100;
  rejects->add_option("--limit", c.rejects.limit, "at most this many")->check(CLI::Range(1, 1000000));
}

void define(CLI::App& app, CommandLine& c) {
  app.require_subcommand(1);
  app.add_option("--db", c.global.db_url, "PostgreSQL URL (default: $TRIBUTARY_DB_URL, else libpq's PG* variables)");
  app.add_option("--log-level", c.global.log_level, "trace, debug, info, warn, error, off");
  auto* migrate = app.add_subcommand("migrate", "Create or upgrade the raw and state schemas (safe to run twice)");
  migrate->add_option("--config", c.migrate_config, "also create the raw tables of this connector file's streams");
  define_backfill(app, c.backfill);
  auto* resume = app.add_subcommand("resume", "Continue a run's unfinished and failed windows");
  resume->add_option("--run", c.resume.run_id, "run id (see `tributary status`)")->required();
  resume->add_option("--config", c.resume.config, "connector file (default: the one the run was started with)");
  resume->add_option("--workers", c.resume.workers, "windows loaded in parallel")->check(CLI::Range(1, 64));
  define_inspection(app, c);
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
  if (app.got_subcommand("rejects")) return cmd_rejects(g, c.rejects.run_id, c.rejects.limit);
  return cmd_status(g, c.status.run_id, c.status.limit);
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"tributary: incremental extraction from REST APIs into PostgreSQL"};
  CommandLine c;
  define(app, c);
  if (auto unknown = unknown_command(argc, argv)) {
    std::cerr << "tributary: error: unknown command '" << *unknown
              << "' (expected one of: migrate, backfill, resume, status, rejects, check, streams)" << std::endl;
    return exit_code_for(ErrorKind::usage);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "tributary: error: " << e.what() << " (see tributary --help)" << std::endl;
    return exit_code_for(ErrorKind::usage);
  }
  try {
    setup_logging(c.global.log_level);
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
