#include "state/shared_limits.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <random>

#include "pg/pg.hpp"

namespace tributary::state {
namespace {

// The scope's recent takes and the database clock in microseconds since the epoch; no row yet: NULLs.
constexpr const char* kReadTakes = R"(
SELECT b.recent_takes::text, b.generation, (extract(epoch FROM c.now) * 1000000)::bigint
  FROM (SELECT clock_timestamp() AS now) c
  LEFT JOIN state.rate_budgets b ON b.scope = $1)";
constexpr const char* kCreateTakes = R"(
INSERT INTO state.rate_budgets (scope, recent_takes, generation, requests_per_interval, interval_ms, updated_by,
                                updated_at)
VALUES ($1, $2::bigint[], 1, $3, $4, $5, clock_timestamp())
ON CONFLICT (scope) DO NOTHING)";
// Compare-and-set: only if nobody wrote the row since it was read.
constexpr const char* kWriteTakes = R"(
UPDATE state.rate_budgets
   SET recent_takes = $2::bigint[], generation = generation + 1, requests_per_interval = $4, interval_ms = $5,
       updated_by = $6, updated_at = clock_timestamp()
 WHERE scope = $1 AND generation = $3)";

constexpr const char* kCreateSlots = R"(
INSERT INTO state.inflight_slots (scope, slot) SELECT $1, n FROM generate_series(1, $2) AS n
ON CONFLICT (scope, slot) DO NOTHING)";
// The lowest free or expired slot within this process's limit; one held by a live transaction
// of another process is skipped, not waited for.
constexpr const char* kAcquireSlot = R"(
UPDATE state.inflight_slots s
   SET holder = $3, expires_at = clock_timestamp() + $4::bigint * interval '1 millisecond'
 WHERE (s.scope, s.slot) = (
         SELECT scope, slot FROM state.inflight_slots
          WHERE scope = $1 AND slot <= $2 AND (holder IS NULL OR expires_at < clock_timestamp())
          ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING s.slot)";
constexpr const char* kRenewSlots = R"(
UPDATE state.inflight_slots SET expires_at = clock_timestamp() + $3::bigint * interval '1 millisecond'
 WHERE scope = $1 AND holder = $2)";
constexpr const char* kReleaseSlot = R"(
UPDATE state.inflight_slots SET holder = NULL, expires_at = NULL WHERE scope = $1 AND slot = $2 AND holder = $3)";

// Writers that lost the compare-and-set to another process read again; after this many in a
// row the caller is told to wait a moment instead.
constexpr int kCasAttempts = 8;
constexpr std::chrono::microseconds kAfterContention{2'000};

}  // namespace

std::string shared_limits_holder() {
  static const std::string id = [] {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    std::random_device rd;
    const unsigned long long random = (static_cast<unsigned long long>(rd()) << 32) ^ rd();
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", random);
    return std::string(host) + ":" + std::to_string(getpid()) + ":" + hex;
  }();
  return id;
}

PgSharedLimitStore::PgSharedLimitStore(std::string db_url, std::string holder,
                                       std::chrono::milliseconds statement_timeout)
    : db_url_(std::move(db_url)), holder_(std::move(holder)), statement_timeout_(statement_timeout) {}

PgSharedLimitStore::~PgSharedLimitStore() = default;

pqxx::connection& PgSharedLimitStore::connection() {
  if (!conn_) {
    conn_ = pg::connect(db_url_);
    // A statement here must never hold a request back for long: past this it fails as a
    // database error rather than hang.
    pqxx::nontransaction(*conn_).exec("SET statement_timeout = " + std::to_string(statement_timeout_.count()));
    // Two statements a request, each a commit: waiting for the WAL flush of each cost the pages'
    // own commits their disk (a local backfill ran 10-25% slower). What a crash could lose here
    // is a slot's lease, which expires anyway, or a take, which the source's window forgets.
    pqxx::nontransaction(*conn_).exec("SET synchronous_commit = off");
  }
  return *conn_;
}

// Runs `f(txn)` on the connection, one autocommitted statement after another. libpqxx errors
// become Error(database), or database_lost when the connection is gone (the next call reconnects).
template <typename F>
auto PgSharedLimitStore::guarded(const char* what, F&& f) {
  std::lock_guard lock(mutex_);
  try {
    pqxx::nontransaction txn(connection());
    return f(txn);
  } catch (const Error& e) {
    // (Re)connecting failed. The run reached this database when it started, so this is a lost
    // connection as the workers know it: they wait for the database, and stop (exit 4) when it
    // does not come back.
    const auto kind = e.kind() == ErrorKind::database ? ErrorKind::database_lost : e.kind();
    throw Error(kind, std::string("shared rate limits: ") + what + ": " + e.what());
  } catch (const pqxx::failure& e) {
    if (pg::connection_lost(e)) conn_.reset();
    pg::rethrow_as_database_error(e, std::string("shared rate limits: ") + what);
  }
}

http::LogTake PgSharedLimitStore::take_tokens(const std::string& scope, int want, const http::SharedRatePlan& plan) {
  return guarded("taking tokens from state.rate_budgets", [&](pqxx::transaction_base& txn) {
    const auto limit = plan.limit;
    const auto interval_ms = static_cast<long long>(plan.interval.count());
    for (int attempt = 0; attempt < kCasAttempts; ++attempt) {
      ++round_trips_;
      auto row = txn.exec_params1(kReadTakes, scope);
      const auto now_us = row[2].as<std::int64_t>();
      const bool exists = !row[0].is_null();
      auto take = http::take_tokens(exists ? http::parse_take_log(row[0].as<std::string>()) : http::TakeLog{}, now_us,
                                    want, plan);
      if (take.granted == 0) return take;  // nothing to write: takes leave the log by time alone
      ++round_trips_;
      const auto log = http::to_array_literal(take.after);
      auto written = exists ? txn.exec_params(kWriteTakes, scope, log, row[1].as<std::int64_t>(), limit, interval_ms,
                                              holder_)
                            : txn.exec_params(kCreateTakes, scope, log, limit, interval_ms, holder_);
      if (written.affected_rows() == 1) return take;
      // Another process wrote first: read again.
    }
    http::LogTake busy;
    busy.next_in = kAfterContention;
    return busy;
  });
}

std::optional<int> PgSharedLimitStore::acquire_slot(const std::string& scope, const http::SharedSlotPlan& plan) {
  return guarded("acquiring a slot in state.inflight_slots", [&](pqxx::transaction_base& txn) -> std::optional<int> {
    if (slots_created_.count({scope, plan.slots}) == 0) {
      ++round_trips_;
      txn.exec_params(kCreateSlots, scope, plan.slots);
      slots_created_.insert({scope, plan.slots});
    }
    ++round_trips_;
    auto rows = txn.exec_params(kAcquireSlot, scope, plan.slots, holder_, static_cast<long long>(plan.lease.count()));
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<int>();
  });
}

int PgSharedLimitStore::renew_slots(const std::string& scope, const http::SharedSlotPlan& plan) {
  return guarded("renewing slot leases in state.inflight_slots", [&](pqxx::transaction_base& txn) {
    ++round_trips_;
    auto rows = txn.exec_params(kRenewSlots, scope, holder_, static_cast<long long>(plan.lease.count()));
    return static_cast<int>(rows.affected_rows());
  });
}

void PgSharedLimitStore::release_slot(const std::string& scope, int slot) {
  guarded("releasing a slot in state.inflight_slots", [&](pqxx::transaction_base& txn) {
    ++round_trips_;
    txn.exec_params(kReleaseSlot, scope, slot, holder_);
    return 0;
  });
}

}  // namespace tributary::state
