#pragma once
// One writer per stream. Every process working on a run holds, on a connection of its own, a
// shared PostgreSQL advisory lock per stream the run writes, keyed by the stream and the run:
// processes of the same run share it (workers that join a run, a resume), another run sees it
// in pg_locks and waits or gives up. The server drops the locks with the session, so a killed
// process can never leave a stream held.
#include <pqxx/pqxx>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/interrupt.hpp"

namespace tributary::state {

// What a run writes: an account's rows in a raw table. `name` only names it in messages.
struct StreamKey {
  std::string account;
  std::string table;
  std::string name;
};

class StreamLock {
 public:
  explicit StreamLock(std::string db_url);
  ~StreamLock();
  StreamLock(const StreamLock&) = delete;
  StreamLock& operator=(const StreamLock&) = delete;

  // Under the streams' gates (no other process can take them meanwhile): `existing` names the
  // run this process would continue (0: a new one). While another run holds any of the streams,
  // waits up to `wait`, then throws Error(busy) naming the stream and the run. Otherwise calls
  // `create` when `existing` gave 0, and holds the streams for the run until destroyed.
  // Returns the run (0 when `create` found nothing to do; then nothing is held).
  long long acquire(const std::vector<StreamKey>& keys, std::chrono::milliseconds wait, const StopFlag* stop,
                    const std::function<long long()>& existing, const std::function<long long()>& create);

  // Takes the locks again on a new session when the database restarted under the run;
  // a no-op while the session is alive. Never throws.
  void keep_alive();

 private:
  std::string db_url_;
  std::unique_ptr<pqxx::connection> conn_;
  std::vector<StreamKey> keys_;
  long long run_id_ = 0;
};

// The advisory key of a stream: a stable 31-bit hash of account and table, the same on every
// host and build.
int lock_key(const StreamKey& key);

}  // namespace tributary::state
