#pragma once
// Claiming windows (leases) and moving their checkpoints.
#include <pqxx/pqxx>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "state/types.hpp"

namespace tributary::state {

// "host:pid:n", unique per worker thread of a process.
std::string make_worker_id(int thread_index);

class WindowStore {
 public:
  WindowStore(pqxx::connection_base& conn, std::chrono::seconds lease = std::chrono::seconds(600))
      : conn_(conn), lease_(lease) {}

  // Windows left 'running' by a process that is gone (same host, pid not alive) or whose lease
  // expired go back to 'pending'. With `include_failed`, failed windows do too (resume).
  int reopen(long long run_id, bool include_failed);
  // These failed windows of the run go back to 'pending', from their checkpoints (retry).
  int reopen_failed(long long run_id, const std::vector<long long>& window_ids);

  // Claims the next pending window of the run for `worker`, or nullopt when none is left.
  std::optional<WindowRow> claim_next(long long run_id, const std::string& worker);

  // Inside the page's transaction. Throws Error(database) if `worker` no longer holds the lease.
  void checkpoint(pqxx::transaction_base& txn, const PageCheckpoint& cp);

  // Work that commits no page for a while (verification sweeps) keeps its claim alive.
  void extend_lease(long long window_id, const std::string& worker);

  void finish(long long window_id, const std::string& worker, const WindowOutcome& outcome);

  // On a graceful stop: our running windows go back to 'pending' (resume continues them).
  void release(long long window_id, const std::string& worker);

  // Every window of the run `worker` holds goes back to 'pending'; returns how many. After a
  // lost connection the worker cannot know whether its last claim committed (the reply may be
  // what was lost), so it gives back whatever its id holds rather than wait out the lease.
  int release_all(long long run_id, const std::string& worker);

 private:
  pqxx::connection_base& conn_;
  std::chrono::seconds lease_;
};

}  // namespace tributary::state
