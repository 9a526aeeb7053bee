#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/window.hpp"

namespace tributary::state {

enum class Status { pending, running, done, done_with_rejects, failed };
// done or done_with_rejects: nothing left to do for it.
inline bool finished_ok(Status s) { return s == Status::done || s == Status::done_with_rejects; }
std::string to_string(Status s);
Status status_from_string(const std::string& s);

struct RunSpec {
  std::string connector;
  std::string account;
  std::vector<std::string> streams;
  std::string mode = "backfill";
  Window range;
  Duration chunk;
  int page_size = 100;
  std::string config_path;
};

struct RunRow {
  long long run_id = 0;
  RunSpec spec;
  Status status = Status::pending;
  std::string created_at;
  std::string finished_at;
  std::string last_error;
};

// How a run's windows stand, for the runs list.
struct WindowTally {
  long long total = 0;
  long long done = 0;               // done, without rejects
  long long done_with_rejects = 0;
  long long failed = 0;
  long long records = 0;  // fetched so far, all windows
  long long pending = 0;  // waiting to be claimed
};

struct WindowRow {
  long long window_id = 0;
  long long run_id = 0;
  std::string stream;
  Window window;
  Status status = Status::pending;
  std::string next_position;  // "" = from the start
  int next_page_number = 1;
  bool paging_complete = false;
  int pages_loaded = 0;
  long long records_loaded = 0;
  long long rows_changed = 0;
  long long records_reconciled = 0;
  long long records_rejected = 0;
  std::string guarantee;  // how it was verified, once finished
  std::optional<long long> expected_count;
  std::optional<long long> verified_count;
  int attempts = 0;
  std::string last_error;
  std::string claimed_by;
};

// The checkpoint that moves with a page's rows, in the same transaction.
struct PageCheckpoint {
  long long window_id = 0;
  std::string worker;
  std::string next_position;
  int next_page_number = 1;
  bool paging_complete = false;
  long long records = 0;       // records this page carried
  bool reconciled = false;     // the page came from reconciliation, not offset paging
  long long rows_changed = 0;  // raw rows the page inserted or changed (set by the writer)
  long long rejected = 0;      // records newly quarantined with the page (set by the writer)
  int pages = 1;               // pages of paging this checkpoint stands for (unchanged ones before it)
};

struct WindowOutcome {
  Status status = Status::done;
  std::optional<long long> expected_count;
  std::optional<long long> verified_count;
  std::string error;
  std::string guarantee;  // how the window was proven complete (connectors::Guarantee)
  int sweeps = 0;
  // The window's pages cannot be trusted (a count mismatch on a stream without reconciliation):
  // its checkpoint goes back to the first page, so a resume pages it again.
  bool restart_paging = false;
};

}  // namespace tributary::state
