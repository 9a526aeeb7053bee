#pragma once
// A run's status follows from its windows, and is written once, by whichever process sees that
// no window is left to work. Several processes may work one run (tributary worker); one that
// stops early (a signal, a fatal error) must not overwrite what another is still producing.
#include <pqxx/pqxx>

#include <optional>
#include <string>

#include "state/types.hpp"

namespace tributary::state {

// A run's windows by status, with running ones split by whether their lease still runs.
struct RunWindowCounts {
  long long total = 0;
  long long pending = 0;
  long long running_live = 0;     // lease running: a process is working it
  long long running_expired = 0;  // lease expired: its process is gone or frozen; any worker may reopen it
  long long done = 0;
  long long done_with_rejects = 0;
  long long failed = 0;
};

struct RunVerdict {
  std::optional<Status> status;  // nullopt: leave the run as it is (someone is still working it)
  std::string error;
};

// done when every window is done (done_with_rejects when some quarantined records); failed when
// some failed and none is pending or running; and when this process stopped early
// (`stopped_because` says why: "interrupted", a fatal error) and no other process is working the
// run (no live lease), failed with that reason, so `resume` continues it. Otherwise nothing:
// the run stays 'running' and the last process to finish decides.
RunVerdict decide_run_status(const RunWindowCounts& counts, const std::string& stopped_because);

// Reads the counts under a row lock on the run (FOR UPDATE on state.runs: two processes ending
// at once decide one after the other) and applies decide_run_status. Returns what it decided.
RunVerdict settle_run(pqxx::connection_base& conn, long long run_id, const std::string& stopped_because);

// A process starts working the run: 'running' (and its last error cleared) unless it is done.
void mark_run_running(pqxx::connection_base& conn, long long run_id);

}  // namespace tributary::state
