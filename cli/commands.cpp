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

void migrate_db(const std::string& url) {
  auto conn = pg::connect(url);
  state::migrate(*conn);
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
            << " raw rows inserted or changed" << std::endl;
  if (s.fatal) std::cerr << "tributary: error: " << s.fatal->what() << std::endl;
  else if (s.windows_failed > 0) std::cerr << "tributary: error: " << s.windows_failed
                                           << " window(s) failed; see `tributary status --run " << s.run_id
                                           << "`, then `tributary resume --run " << s.run_id << "`" << std::endl;
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
    print_runs(std::cout, runs.recent_runs(limit));
    return 0;
  }
  auto run = runs.load_run(run_id);
  if (!run) throw Error(ErrorKind::usage, "--run: no run " + std::to_string(run_id) + " in state.runs");
  auto windows = runs.windows(run_id);
  print_run(std::cout, *run, windows);
  return run->status == state::Status::failed ? exit_code_for(ErrorKind::data) : 0;
}

// The first word that is neither an option nor an option's value, if it names no command.
std::optional<std::string> unknown_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--db" || arg == "--log-level") { ++i; continue; }
    if (arg.rfind("-", 0) == 0) continue;
    for (const char* command : {"migrate", "backfill", "resume", "status", "check", "streams"}) {
      if (arg == command) return std::nullopt;
    }
    return arg;
  }
  return std::nullopt;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"tributary: incremental extraction from REST APIs into PostgreSQL"};
  app.require_subcommand(1);
  GlobalOptions g;
  app.add_option("--db", g.db_url, "PostgreSQL URL (default: $TRIBUTARY_DB_URL, else libpq's PG* variables)");
  app.add_option("--log-level", g.log_level, "trace, debug, info, warn, error, off");

  std::string migrate_config;
  auto* migrate = app.add_subcommand("migrate", "Create or upgrade the raw and state schemas (safe to run twice)");
  migrate->add_option("--config", migrate_config, "also create the raw tables of this connector file's streams");

  BackfillOptions b;
  auto* backfill = app.add_subcommand("backfill", "Load a date range, window by window, resumably");
  backfill->add_option("--config", b.config, "connector file, e.g. config/quickbooks.yaml")->required();
  backfill->add_option("--stream", b.streams, "stream to load (repeatable; default: all)");
  backfill->add_option("--start", b.start, "inclusive start: YYYY-MM-DD or ISO-8601 (UTC unless an offset is given)")->required();
  backfill->add_option("--end", b.end, "exclusive end, same formats")->required();
  backfill->add_option("--chunk-days", b.chunk_days, "window length in days (default: the file's, else 7)")->check(CLI::Range(1, 3660));
  backfill->add_option("--page-size", b.page_size, "records per request (default: the file's)")->check(CLI::Range(1, 100000));
  backfill->add_option("--workers", b.workers, "windows loaded in parallel")->check(CLI::Range(1, 64));

  ResumeOptions r;
  auto* resume = app.add_subcommand("resume", "Continue a run's unfinished and failed windows");
  resume->add_option("--run", r.run_id, "run id (see `tributary status`)")->required();
  resume->add_option("--config", r.config, "connector file (default: the one the run was started with)");
  resume->add_option("--workers", r.workers, "windows loaded in parallel")->check(CLI::Range(1, 64));

  std::string check_config;
  bool check_connect = false;
  auto* check = app.add_subcommand("check", "Validate a connector file (offline; --connect also fetches one page per stream)");
  check->add_option("--config", check_config, "connector file")->required();
  check->add_flag("--connect", check_connect, "authenticate and fetch the first page of each stream; writes nothing");
  std::string check_start, check_end;
  check->add_option("--start", check_start, "with --connect: window start (default: one chunk before now)");
  check->add_option("--end", check_end, "with --connect: window end (default: now)");

  std::string streams_config;
  auto* streams = app.add_subcommand("streams", "List a connector file's streams: mode, table, cursor");
  streams->add_option("--config", streams_config, "connector file")->required();

  long long status_run = 0;
  int status_limit = 20;
  auto* status = app.add_subcommand("status", "Show runs, or one run's windows");
  status->add_option("--run", status_run, "run id");
  status->add_option("--limit", status_limit, "how many recent runs to list")->check(CLI::Range(1, 10000));

  if (auto unknown = unknown_command(argc, argv)) {
    std::cerr << "tributary: error: unknown command '" << *unknown
              << "' (expected one of: migrate, backfill, resume, status, check, streams)" << std::endl;
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
    setup_logging(g.log_level);
    StopFlag stop;
    route_signals_to(stop);
    if (app.got_subcommand(migrate)) return cmd_migrate(g, migrate_config);
    if (app.got_subcommand(check)) {
      std::optional<Window> window;
      if (!check_start.empty() || !check_end.empty()) {
        window = Window{parse_timestamp(check_start, "--start"), parse_timestamp(check_end, "--end")};
        WindowPlan{window->start, window->end}.windows();  // end after start
      }
      return check_connector(check_config, check_connect, check_connect ? database_url(g) : "", window, std::cout,
                             std::cerr);
    }
    if (app.got_subcommand(streams)) return list_streams(streams_config, std::cout, std::cerr);
    if (app.got_subcommand(backfill)) return cmd_backfill(g, b, stop);
    if (app.got_subcommand(resume)) return cmd_resume(g, r, stop);
    return cmd_status(g, status_run, status_limit);
  } catch (const Error& e) {
    std::cerr << "tributary: error: " << e.what() << std::endl;
    return exit_code_for(e.kind());
  } catch (const std::exception& e) {
    std::cerr << "tributary: internal error: " << e.what() << std::endl;
    return exit_code_for(ErrorKind::internal);
  }
}

}  // namespace tributary::cli
