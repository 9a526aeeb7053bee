#include "state/stream_lock.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <thread>

#include "core/error.hpp"
#include "pg/pg.hpp"

namespace tributary::state {
namespace {

// The gate of a stream is a transaction-level lock on a 64-bit key (objsubid 1 in pg_locks),
// apart from the two-key stream locks (objsubid 2).
long long gate_key(int key) { return (static_cast<long long>(0x74726962) << 32) | key; }

constexpr const char* kHolder = R"(
SELECT classid::bigint, objid::bigint FROM pg_locks
WHERE locktype = 'advisory' AND granted AND objsubid = 2
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND classid::bigint = ANY($1::bigint[]) AND objid::bigint <> $2
LIMIT 1)";

constexpr auto kPoll = std::chrono::milliseconds(500);
// A gate is held for one short transaction: another process is starting on the stream this
// instant. Workers of one run are often started together (a Job's pods, a DAG's tasks), so this
// is waited out, whatever --wait says, for up to kGateGrace.
constexpr auto kGatePoll = std::chrono::milliseconds(50);
constexpr auto kGateGrace = std::chrono::seconds(10);

struct Holder {
  int key = 0;
  long long run = 0;
};

// Gates taken in key order, so two processes never wait on each other's.
// The streams' gates for this transaction; a holder (run 0) when another process is starting on
// one of them this instant.
std::optional<Holder> take_gates(pqxx::work& txn, const std::vector<int>& keys) {
  for (int key : keys) {
    if (!txn.exec_params1("SELECT pg_try_advisory_xact_lock($1)", gate_key(key))[0].as<bool>()) {
      return Holder{key, 0};
    }
  }
  return std::nullopt;
}

// Another run holding one of the streams, under their gates.
std::optional<Holder> find_holder(pqxx::work& txn, const std::vector<int>& keys, long long mine) {
  std::vector<std::string> texts;
  for (int key : keys) texts.push_back(std::to_string(key));
  auto rows = txn.exec_params(kHolder, pg::array_literal(texts), mine);
  if (rows.empty()) return std::nullopt;
  return Holder{static_cast<int>(rows[0][0].as<long long>()), rows[0][1].as<long long>()};
}

std::string describe(const Holder& h, const std::vector<StreamKey>& keys) {
  std::string stream = "a stream";
  for (const auto& k : keys) {
    if (lock_key(k) == h.key) stream = "stream " + k.name + " (" + k.table + ")";
  }
  return h.run == 0 ? stream + " is being claimed by another process"
                    : stream + " is being written by run " + std::to_string(h.run);
}

// Sleeps `d`; throws Error(interrupted) when a stop is requested meanwhile.
void pause(const StopFlag* stop, std::chrono::milliseconds d, const std::string& waiting_for) {
  if (stop != nullptr ? !stop->sleep_for(d) : (std::this_thread::sleep_for(d), false)) {
    throw Error(ErrorKind::interrupted, "interrupted while waiting for " + waiting_for);
  }
}

void hold(pqxx::work& txn, const std::vector<int>& keys, long long run_id) {
  if (run_id > std::numeric_limits<int>::max()) {
    throw Error(ErrorKind::internal, "run " + std::to_string(run_id) + " is beyond what a stream lock can name");
  }
  for (int key : keys) txn.exec_params("SELECT pg_advisory_lock_shared($1::int, $2::int)", key, run_id);
}

}  // namespace

int lock_key(const StreamKey& key) {
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : key.account + '\x1f' + key.table) {
    h ^= c;
    h *= 16777619u;
  }
  return static_cast<int>(h & 0x7fffffffu);
}

StreamLock::StreamLock(std::string db_url) : db_url_(std::move(db_url)) {}

StreamLock::~StreamLock() = default;  // closing the session releases every lock

long long StreamLock::acquire(const std::vector<StreamKey>& keys, std::chrono::milliseconds wait, const StopFlag* stop,
                              const std::function<long long()>& existing, const std::function<long long()>& create) {
  std::vector<int> ids;
  for (const auto& k : keys) ids.push_back(lock_key(k));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const auto deadline = std::chrono::steady_clock::now() + wait;
  const auto gate_deadline = std::chrono::steady_clock::now() + kGateGrace;
  bool announced = false;
  if (!conn_) conn_ = pg::connect(db_url_);
  for (;;) {
    try {
      pqxx::work txn(*conn_);
      // Which run to continue is asked only once the gates are held: a process that created the
      // run committed it before letting go of its gates, so it is seen here. Asked before, two
      // planners (each exits at once, --plan-only) could both find none and create two runs.
      auto holder = take_gates(txn, ids);
      long long run_id = 0;
      if (!holder) {
        run_id = existing();
        holder = find_holder(txn, ids, run_id);
      }
      if (holder) {
        txn.abort();
        if (holder->run == 0 && std::chrono::steady_clock::now() < gate_deadline) {
          pause(stop, kGatePoll, "the stream locks");
          continue;
        }
        const auto what = describe(*holder, keys);
        if (std::chrono::steady_clock::now() >= deadline) {
          throw Error(ErrorKind::busy, what + (wait.count() > 0 ? ", still, after waiting " +
                                                                      std::to_string(wait.count() / 1000) + " s"
                                                                : "; try again when it ends, or pass --wait SECONDS"));
        }
        if (!announced) spdlog::info("{}; waiting up to {} s", what, wait.count() / 1000);
        announced = true;
        pause(stop, kPoll, what);
        continue;
      }
      if (run_id == 0) run_id = create();
      if (run_id != 0) hold(txn, ids, run_id);
      txn.commit();
      keys_ = keys;
      run_id_ = run_id;
      return run_id;
    } catch (const pqxx::failure& e) {
      pg::rethrow_as_database_error(e, "taking the stream locks");
    }
  }
}

void StreamLock::keep_alive() {
  if (run_id_ == 0) return;
  try {
    if (conn_ && conn_->is_open()) {
      pqxx::nontransaction(*conn_).exec("SELECT 1");
      return;
    }
  } catch (const std::exception&) {  // the session is gone, and its locks with it
  }
  try {
    // Another run could have started on the streams while they were free; the upserts keep
    // the newest version either way, so the data stays exact, only the work is doubled.
    conn_ = pg::connect(db_url_);
    std::vector<int> ids;
    for (const auto& k : keys_) ids.push_back(lock_key(k));
    pqxx::work txn(*conn_);
    hold(txn, ids, run_id_);
    txn.commit();
    spdlog::info("run {}: stream locks taken again after the database connection was lost", run_id_);
  } catch (const std::exception& e) {
    spdlog::debug("run {}: stream locks not taken again yet: {}", run_id_, e.what());
  }
}

}  // namespace tributary::state
