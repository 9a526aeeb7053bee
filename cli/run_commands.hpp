#pragma once
// The commands that load data: backfill, resume, sync; and what every command shares (the
// database URL, the schema brought up to date, a connector file loaded).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "core/interrupt.hpp"
#include "engine/engine.hpp"

namespace tributary::cli {

struct GlobalOptions {
  std::string db_url;
  std::string log_level = "info";
  std::string log_format = "text";
  std::string metrics_file;  // Prometheus text format, for node_exporter's textfile collector
};

struct BackfillOptions {
  std::string config;
  std::vector<std::string> streams;
  std::string start, end;
  int chunk_days = 0;  // 0: the connector file's default
  int page_size = 0;   // 0: the connector file's
  int workers = 0;  // 0: adapts to the source (engine/worker_governor.hpp)
  int wait_seconds = 0;  // while another run writes a stream
  int lease_seconds = 0;
  bool plan_only = false;  // create the run and its windows, print its id, work nothing
};

struct ResumeOptions {
  long long run_id = 0;
  std::string config;  // default: the path recorded with the run
  int workers = 0;  // 0: adapts to the source (engine/worker_governor.hpp)
  int wait_seconds = 0;
  int lease_seconds = 0;
};

struct SyncOptions {
  std::string config;
  std::vector<std::string> streams;
  std::string start;              // the first sync of a stream without state
  std::string lookback, lag;      // override the file's sync policy
  int workers = 0;  // 0: adapts to the source (engine/worker_governor.hpp)
  int wait_seconds = 0;
  int lease_seconds = 0;
  bool plan_only = false;
};

// --db, else $TRIBUTARY_DB_URL, else "" (libpq's PG* variables).
std::string database_url(const GlobalOptions& g);
// Brings the schema up to date (a read when it already is).
void migrate_db(const std::string& url);
// Loads a connector file; `page_size` > 0 overrides every stream's.
std::unique_ptr<connectors::Connector> load_connector(const std::string& path, int page_size);

// The run's one-line summary on stdout; its error or warning, if any, on stderr. A planned
// run (--plan-only): its id alone, so `RUN_ID=$(tributary backfill … --plan-only)` works.
void print_summary(const engine::RunSummary& s);

// --lease-seconds when given, else $TRIBUTARY_LEASE_SECONDS, else 60.
std::chrono::seconds lease_seconds(int option);
// The engine's options for a command that works windows.
engine::EngineOptions engine_options(const GlobalOptions& g, const std::string& url, int workers, int wait_seconds,
                                     int lease, StopFlag& stop);

int cmd_backfill(const GlobalOptions& g, const BackfillOptions& o, StopFlag& stop);
int cmd_resume(const GlobalOptions& g, const ResumeOptions& o, StopFlag& stop);
int cmd_sync(const GlobalOptions& g, const SyncOptions& o, StopFlag& stop);

}  // namespace tributary::cli
