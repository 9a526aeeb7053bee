#include "cli/run_commands.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <cstdlib>
#include <iostream>

#include "engine/engine.hpp"
#include "pg/pg.hpp"
#include "state/migrations.hpp"
#include "state/run_store.hpp"

namespace tributary::cli {
namespace {

std::vector<std::string> distinct(std::vector<std::string> streams) {  // --stream a --stream a means a once
  std::sort(streams.begin(), streams.end());
  streams.erase(std::unique(streams.begin(), streams.end()), streams.end());
  return streams;
}

void print_deletions(const engine::RunSummary& s) {
  if (s.deletions_read) {
    std::cout << "deletions: " << s.deletions_reported << " reported, " << s.deletions_marked
              << " raw rows newly marked deleted" << std::endl;
  }
  for (const auto& stream : s.deletion_gaps) {
    std::cerr << "tributary: warning: stream " << stream << ": some deletions could not be read (the log says which "
              << "and what to do; `tributary status` shows the gap)" << std::endl;
  }
}

}  // namespace

void print_summary(const engine::RunSummary& s) {
  if (s.planned_only) {
    std::cout << s.run_id << std::endl;
    return;
  }
  if (s.up_to_date) {
    std::cout << "sync: every stream is up to date; nothing to extract" << std::endl;
    print_deletions(s);
    if (s.fatal) std::cerr << "tributary: error: " << s.fatal->what() << std::endl;
    return;
  }
  std::cout << "run " << s.run_id << (s.continued ? " (continued)" : "") << ": " << s.windows_done << "/"
            << s.windows_total << " windows done, " << s.windows_failed << " failed, " << s.records_loaded
            << " records fetched, " << s.rows_changed
            << " raw rows inserted or changed";
  if (s.records_rejected > 0) std::cout << ", " << s.records_rejected << " records quarantined";
  if (s.sync && s.rows_changed == 0 && s.exit_code() == 0) std::cout << " (nothing new)";
  std::cout << std::endl;
  print_deletions(s);
  if (s.fatal) std::cerr << "tributary: error: " << s.fatal->what() << std::endl;
  else if (s.windows_failed > 0) std::cerr << "tributary: error: " << s.windows_failed
                                           << " window(s) failed; see `tributary status --run " << s.run_id
                                           << "`, then `tributary resume --run " << s.run_id << "`" << std::endl;
  else if (s.records_rejected > 0) std::cerr << "tributary: warning: " << s.records_rejected
                                             << " record(s) could not be stored and were quarantined; see `tributary "
                                                "rejects --run " << s.run_id << "`" << std::endl;
}

std::string database_url(const GlobalOptions& g) {
  // Every command that needs the database passes here first: a --metrics-file that can never
  // be written is refused before any work, not warned about after it.
  if (!g.metrics_file.empty()) {
    auto dir = std::filesystem::absolute(g.metrics_file).parent_path();
    if (!std::filesystem::is_directory(dir) || ::access(dir.c_str(), W_OK) != 0) {
      throw Error(ErrorKind::usage, "--metrics-file " + g.metrics_file + ": directory " + dir.string() +
                                        " does not exist or is not writable");
    }
  }
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

std::chrono::seconds lease_seconds(int option) {
  if (option > 0) return std::chrono::seconds(option);
  const char* env = std::getenv("TRIBUTARY_LEASE_SECONDS");
  if (env == nullptr || *env == '\0') return state::kDefaultLease;
  char* end = nullptr;
  long v = std::strtol(env, &end, 10);
  if (*end != '\0' || v < 1 || v > 86'400) {
    throw Error(ErrorKind::usage, std::string("TRIBUTARY_LEASE_SECONDS: expected seconds from 1 to 86400, got '") +
                                      env + "'");
  }
  return std::chrono::seconds(v);
}

engine::EngineOptions engine_options(const GlobalOptions& g, const std::string& url, int workers, int wait_seconds,
                                     int lease, StopFlag& stop) {
  engine::EngineOptions options{url, workers, &stop, std::chrono::seconds(wait_seconds), g.metrics_file};
  options.lease = lease_seconds(lease);
  return options;
}

int cmd_backfill(const GlobalOptions& g, const BackfillOptions& o, StopFlag& stop) {
  auto streams = distinct(o.streams);
  auto start = parse_timestamp(o.start, "--start");
  auto end = parse_timestamp(o.end, "--end");
  auto connector = load_connector(o.config, o.page_size);
  auto chunk = o.chunk_days > 0 ? boost::posix_time::hours(24 * o.chunk_days) : connector->config().default_chunk;
  WindowPlan{start, end, chunk}.windows();  // validates the range before anything is written
  for (const auto& s : streams) connector->stream(s);
  auto url = database_url(g);
  migrate_db(url);
  auto options = engine_options(g, url, o.workers, o.wait_seconds, o.lease_seconds, stop);
  options.plan_only = o.plan_only;
  engine::Engine engine(*connector, options);
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
  engine::Engine engine(*connector, engine_options(g, url, o.workers, o.wait_seconds, o.lease_seconds, stop));
  auto summary = engine.resume(o.run_id);
  print_summary(summary);
  return summary.exit_code();
}

int cmd_sync(const GlobalOptions& g, const SyncOptions& o, StopFlag& stop) {
  engine::SyncRequest request;
  request.streams = distinct(o.streams);
  if (!o.start.empty()) request.start = parse_timestamp(o.start, "--start");
  if (!o.lookback.empty()) request.lookback = parse_duration(o.lookback, "--lookback");
  if (!o.lag.empty()) request.lag = parse_duration(o.lag, "--lag");
  auto connector = load_connector(o.config, 0);
  for (const auto& s : request.streams) connector->stream(s);
  auto url = database_url(g);
  migrate_db(url);
  auto options = engine_options(g, url, o.workers, o.wait_seconds, o.lease_seconds, stop);
  options.plan_only = o.plan_only;
  engine::Engine engine(*connector, options);
  auto summary = engine.sync(request);
  if (summary.up_to_date && o.plan_only) {
    std::cerr << "sync: every stream is up to date; no run planned" << std::endl;
    return 0;
  }
  print_summary(summary);
  return summary.exit_code();
}

}  // namespace tributary::cli
