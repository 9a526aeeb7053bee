#include "state/window_store.hpp"

#include "pg/pg.hpp"
#include "state/rows.hpp"

namespace tributary::state {
namespace {

constexpr const char* kClaim = R"(
UPDATE state.windows SET status = 'running', claimed_by = $2,
  lease_expires_at_utc = now() + make_interval(secs => $3), attempts = attempts + 1,
  started_at_utc = coalesce(started_at_utc, now()), updated_at_utc = now()
WHERE window_id = (
  SELECT window_id FROM state.windows
  WHERE run_id = $1 AND status = 'pending'
  ORDER BY window_start_utc, stream
  FOR UPDATE SKIP LOCKED LIMIT 1)
RETURNING )";

constexpr const char* kReopen = R"(
UPDATE state.windows SET status = 'pending', claimed_by = NULL, lease_expires_at_utc = NULL,
  updated_at_utc = now()
WHERE run_id = $1
  AND ((status = 'running' AND (lease_expires_at_utc < now() OR claimed_by = ANY($2::text[])))
       OR ($3 AND status = 'failed')))";

constexpr const char* kCheckpoint = R"(
UPDATE state.windows SET
  next_position = NULLIF($3, ''), next_page_number = $4, paging_complete = $5,
  pages_loaded = pages_loaded + CASE WHEN $7 THEN 0 ELSE $11 END,
  records_loaded = records_loaded + $6, rows_changed = rows_changed + $9,
  records_reconciled = records_reconciled + CASE WHEN $7 THEN $6 ELSE 0 END,
  records_rejected = records_rejected + $10,
  lease_expires_at_utc = now() + make_interval(secs => $8), updated_at_utc = now()
WHERE window_id = $1 AND claimed_by = $2 AND status = 'running')";

constexpr const char* kFinish = R"(
UPDATE state.windows SET status = $3, expected_count = NULLIF($4, '')::bigint,
  verified_count = NULLIF($5, '')::bigint, last_error = NULLIF($6, ''),
  guarantee = NULLIF($8, ''), sweeps = $9,
  finished_at_utc = now(), updated_at_utc = now(), claimed_by = NULL, lease_expires_at_utc = NULL,
  paging_complete = paging_complete AND NOT $7,
  next_position = CASE WHEN $7 THEN NULL ELSE next_position END,
  next_page_number = CASE WHEN $7 THEN 1 ELSE next_page_number END,
  records_loaded = CASE WHEN $7 THEN 0 ELSE records_loaded END,
  records_reconciled = CASE WHEN $7 THEN 0 ELSE records_reconciled END,
  rows_changed = CASE WHEN $7 THEN 0 ELSE rows_changed END,
  pages_loaded = CASE WHEN $7 THEN 0 ELSE pages_loaded END
WHERE window_id = $1 AND claimed_by = $2)";

constexpr const char* kRenew = R"(
UPDATE state.windows w SET lease_expires_at_utc = now() + make_interval(secs => $3)
FROM unnest($1::bigint[], $2::text[]) AS h(window_id, claimed_by)
WHERE w.window_id = h.window_id AND w.claimed_by = h.claimed_by AND w.status = 'running'
RETURNING w.window_id)";

constexpr const char* kOpenWork = R"(
SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'running'),
       count(*) FILTER (WHERE status = 'running' AND lease_expires_at_utc < now()),
       count(*) FILTER (WHERE status = 'running' AND NOT starts_with(coalesce(claimed_by, ''), $2))
FROM state.windows WHERE run_id = $1)";

constexpr const char* kRelease = R"(
UPDATE state.windows SET status = 'pending', claimed_by = NULL, lease_expires_at_utc = NULL,
  updated_at_utc = now()
WHERE window_id = $1 AND claimed_by = $2 AND status = 'running')";

constexpr const char* kReleaseAll = R"(
UPDATE state.windows SET status = 'pending', claimed_by = NULL, lease_expires_at_utc = NULL,
  updated_at_utc = now()
WHERE run_id = $1 AND claimed_by = $2 AND status = 'running')";

// A claim made in this kernel boot and pid namespace by a process that no longer exists (its
// pid is free, or was reused by a process that started later). Claims of other hosts and
// containers, and those in the older "host:pid:n" shape, wait for their lease.
bool claimed_by_dead_local_process(const std::string& text) {
  auto claim = parse_claim(text);
  if (!claim) return false;
  auto start = process_start_ticks(claim->process.pid);
  return local_liveness(*claim, ProcessIdentity::current(), start) == ClaimLiveness::dead;
}

Error lease_lost(long long window_id, const std::string& worker) {
  return Error(ErrorKind::lease_lost, "window " + std::to_string(window_id) + " is no longer claimed by " + worker +
                                          " (its lease expired and it was reopened or taken by another worker)");
}

std::string opt_text(const std::optional<long long>& v) { return v ? std::to_string(*v) : ""; }

}  // namespace

int WindowStore::reopen(long long run_id, bool include_failed) {
  try {
    pqxx::work txn(conn_);
    auto claims = txn.exec_params(
        "SELECT DISTINCT claimed_by FROM state.windows WHERE run_id = $1 AND status = 'running' "
        "AND claimed_by IS NOT NULL", run_id);
    std::vector<std::string> dead;
    for (const auto& row : claims) {
      auto claim = row[0].as<std::string>();
      if (claimed_by_dead_local_process(claim)) dead.push_back(claim);
    }
    auto result = txn.exec_params(kReopen, run_id, pg::array_literal(dead), include_failed);
    txn.commit();
    return static_cast<int>(result.affected_rows());
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reopening windows of run " + std::to_string(run_id));
  }
}

std::optional<WindowRow> WindowStore::claim_next(long long run_id, const std::string& worker) {
  try {
    pqxx::work txn(conn_);
    auto rows = txn.exec_params(std::string(kClaim) + window_columns(), run_id, worker,
                                static_cast<long>(lease_.count()));
    txn.commit();
    if (rows.empty()) return std::nullopt;
    return read_window(rows[0]);
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "claiming a window of run " + std::to_string(run_id));
  }
}

void WindowStore::checkpoint(pqxx::transaction_base& txn, const PageCheckpoint& cp) {
  auto result = txn.exec_params(kCheckpoint, cp.window_id, cp.worker, cp.next_position,
                                cp.next_page_number, cp.paging_complete, cp.records, cp.reconciled,
                                static_cast<long>(lease_.count()), cp.rows_changed, cp.rejected, cp.pages);
  if (result.affected_rows() != 1) throw lease_lost(cp.window_id, cp.worker);
}

void WindowStore::finish(long long window_id, const std::string& worker, const WindowOutcome& o) {
  try {
    pqxx::work txn(conn_);
    auto result = txn.exec_params(kFinish, window_id, worker, to_string(o.status), opt_text(o.expected_count),
                                  opt_text(o.verified_count), o.error, o.restart_paging, o.guarantee, o.sweeps);
    if (result.affected_rows() != 1) throw lease_lost(window_id, worker);
    txn.commit();
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "finishing window " + std::to_string(window_id));
  }
}

std::vector<long long> WindowStore::renew(const std::vector<long long>& window_ids,
                                          const std::vector<std::string>& claims) {
  std::vector<std::string> ids;
  for (auto id : window_ids) ids.push_back(std::to_string(id));
  try {
    pqxx::work txn(conn_);
    auto rows = txn.exec_params(kRenew, pg::array_literal(ids), pg::array_literal(claims),
                                static_cast<long>(lease_.count()));
    txn.commit();
    std::vector<long long> out;
    for (const auto& r : rows) out.push_back(r[0].as<long long>());
    return out;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "renewing window leases");
  }
}

OpenWork WindowStore::open_work(long long run_id) {
  try {
    pqxx::work txn(conn_);
    auto r = txn.exec_params1(kOpenWork, run_id, claim_prefix(ProcessIdentity::current()));
    return {r[0].as<long long>(), r[1].as<long long>(), r[2].as<long long>(), r[3].as<long long>()};
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reading the open windows of run " + std::to_string(run_id));
  }
}

void WindowStore::release(long long window_id, const std::string& worker) {
  try {
    pqxx::work txn(conn_);
    txn.exec_params(kRelease, window_id, worker);
    txn.commit();
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "releasing window " + std::to_string(window_id));
  }
}

int WindowStore::release_all(long long run_id, const std::string& worker) {
  try {
    pqxx::work txn(conn_);
    auto result = txn.exec_params(kReleaseAll, run_id, worker);
    txn.commit();
    return static_cast<int>(result.affected_rows());
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "releasing the windows of run " + std::to_string(run_id) + " held by " + worker);
  }
}

int WindowStore::reopen_failed(long long run_id, const std::vector<long long>& window_ids) {
  std::vector<std::string> ids;
  for (auto id : window_ids) ids.push_back(std::to_string(id));
  try {
    pqxx::work txn(conn_);
    auto result = txn.exec_params(
        "UPDATE state.windows SET status = 'pending', updated_at_utc = now() "
        "WHERE run_id = $1 AND window_id = ANY($2::bigint[]) AND status = 'failed'",
        run_id, pg::array_literal(ids));
    txn.commit();
    return static_cast<int>(result.affected_rows());
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reopening failed windows of run " + std::to_string(run_id));
  }
}

}  // namespace tributary::state
