#pragma once
// Claiming windows (leases) and moving their checkpoints.
#include <pqxx/pqxx>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "state/claim_identity.hpp"
#include "state/types.hpp"

namespace tributary::state {

// The default lease: a window whose holder stops renewing it is reopened after this long.
inline constexpr std::chrono::seconds kDefaultLease{60};

// Windows of a run by what can still happen to them, as a worker sees it when it finds nothing
// to claim.
struct OpenWork {
  long long pending = 0;
  long long running = 0;  // held by some process (this one included)
  long long expired = 0;  // of those, lease expired: any worker may reopen them
  long long elsewhere = 0;  // of those, held by other processes
};

class WindowStore {
 public:
  WindowStore(pqxx::connection_base& conn, std::chrono::seconds lease = kDefaultLease)
      : conn_(conn), lease_(lease) {}

  // Windows left 'running' by a process that is gone (claim_identity.hpp says when that is known
  // at once) or whose lease expired go back to 'pending'. With `include_failed`, failed windows
  // do too (resume).
  int reopen(long long run_id, bool include_failed);
  // These failed windows of the run go back to 'pending', from their checkpoints (retry).
  int reopen_failed(long long run_id, const std::vector<long long>& window_ids);

  // Claims the next pending window of the run for `worker`, or nullopt when none is left.
  std::optional<WindowRow> claim_next(long long run_id, const std::string& worker);

  // Inside the page's transaction. Throws Error(lease_lost) if `worker` no longer holds it.
  void checkpoint(pqxx::transaction_base& txn, const PageCheckpoint& cp);

  // The heartbeat: renews the lease of each (window, claim) still held so; returns the windows
  // renewed (any other was lost: reopened, or taken by another worker).
  std::vector<long long> renew(const std::vector<long long>& window_ids, const std::vector<std::string>& claims);

  // Throws Error(lease_lost) when `worker` no longer held the window (nothing is written then).
  void finish(long long window_id, const std::string& worker, const WindowOutcome& outcome);

  OpenWork open_work(long long run_id);

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
