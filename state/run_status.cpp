#include "state/run_status.hpp"

#include "pg/pg.hpp"

namespace tributary::state {
namespace {

constexpr const char* kLockRun = "SELECT status FROM state.runs WHERE run_id = $1 FOR UPDATE";

constexpr const char* kCounts = R"(
SELECT count(*), count(*) FILTER (WHERE status = 'pending'),
       count(*) FILTER (WHERE status = 'running' AND lease_expires_at_utc >= now()),
       count(*) FILTER (WHERE status = 'running' AND (lease_expires_at_utc < now() OR lease_expires_at_utc IS NULL)),
       count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'done_with_rejects'),
       count(*) FILTER (WHERE status = 'failed')
FROM state.windows WHERE run_id = $1)";

constexpr const char* kMarkFinal = R"(
UPDATE state.runs SET status = $2, last_error = NULLIF($3, ''), finished_at_utc = now()
WHERE run_id = $1)";

constexpr const char* kMarkRunning = R"(
UPDATE state.runs SET status = 'running', last_error = NULL, finished_at_utc = NULL,
  started_at_utc = coalesce(started_at_utc, now())
WHERE run_id = $1 AND status NOT IN ('done', 'done_with_rejects'))";

}  // namespace

RunVerdict decide_run_status(const RunWindowCounts& c, const std::string& stopped_because) {
  const long long running = c.running_live + c.running_expired;
  if (c.total > 0 && c.done + c.done_with_rejects == c.total) {
    return {c.done_with_rejects > 0 ? Status::done_with_rejects : Status::done, ""};
  }
  if (c.failed > 0 && c.pending == 0 && running == 0) {
    return {Status::failed, std::to_string(c.failed) + " window(s) failed"};
  }
  if (!stopped_because.empty() && c.running_live == 0) return {Status::failed, stopped_because};
  return {};
}

RunVerdict settle_run(pqxx::connection_base& conn, long long run_id, const std::string& stopped_because) {
  try {
    pqxx::work txn(conn);
    if (txn.exec_params(kLockRun, run_id).empty()) return {};
    auto r = txn.exec_params1(kCounts, run_id);
    RunWindowCounts counts{r[0].as<long long>(), r[1].as<long long>(), r[2].as<long long>(), r[3].as<long long>(),
                           r[4].as<long long>(), r[5].as<long long>(), r[6].as<long long>()};
    auto verdict = decide_run_status(counts, stopped_because);
    if (verdict.status) txn.exec_params(kMarkFinal, run_id, to_string(*verdict.status), verdict.error);
    txn.commit();
    return verdict;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "settling the status of run " + std::to_string(run_id));
  }
}

void mark_run_running(pqxx::connection_base& conn, long long run_id) {
  try {
    pqxx::work txn(conn);
    txn.exec_params(kMarkRunning, run_id);
    txn.commit();
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "updating run " + std::to_string(run_id));
  }
}

}  // namespace tributary::state
