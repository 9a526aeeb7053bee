#pragma once
// tributary worker: joins runs planned elsewhere (`backfill --plan-only`, `sync --plan-only`),
// so any number of processes, on any hosts that reach the database, share one run.
#include <CLI/CLI.hpp>

#include "cli/run_commands.hpp"

namespace tributary::cli {

struct WorkerOptions {
  long long run_id = 0;
  bool any = false;    // every open run, for long-lived deployments
  std::string config;  // --run only; default: the file the run was planned with
  int workers = 0;
  int wait_seconds = 0;
  int lease_seconds = 0;
};

void define_worker(CLI::App& app, WorkerOptions& o);
// What `tributary worker --help` says of the two modes and their exit codes.
const char* worker_help();

// --run: 0 when the run is done, 7 done with quarantined records, 6 it failed, 4/5/130 as
// elsewhere. --any: serves until a signal (130) or a lost database (4).
int cmd_worker(const GlobalOptions& g, const WorkerOptions& o, StopFlag& stop);

}  // namespace tributary::cli
