#include "state/stream_state.hpp"

#include "core/error.hpp"
#include "pg/pg.hpp"
#include "state/rows.hpp"

namespace tributary::state {
namespace {

// range_agg merges overlapping and adjacent windows (lookbacks overlap, chunks abut); the
// earliest merged range ends where the first gap or undone window begins.
constexpr const char* kHighWaterMark = R"(
SELECT upper(covered) FROM (
  SELECT unnest(range_agg(tstzrange(w.window_start_utc, w.window_end_utc, '[)'))) AS covered
  FROM state.windows w JOIN state.runs r USING (run_id)
  WHERE r.connector = $1 AND r.account = $2 AND w.stream = $3
    AND w.status IN ('done', 'done_with_rejects')) AS stretches
ORDER BY lower(covered) LIMIT 1)";

// Per stream: the union of its done windows, and the rest folded over it.
constexpr const char* kStreams = R"(
WITH per_stream AS (
  SELECT r.connector, r.account, w.stream,
    coalesce(range_agg(tstzrange(w.window_start_utc, w.window_end_utc, '[)'))
               FILTER (WHERE w.status IN ('done', 'done_with_rejects')), '{}'::tstzmultirange) AS covered,
    max(w.finished_at_utc) FILTER (WHERE r.mode = 'sync' AND w.status IN ('done', 'done_with_rejects')) AS last_sync,
    max(w.finished_at_utc) FILTER (WHERE w.status IN ('done', 'done_with_rejects')) AS last_done,
    count(*) FILTER (WHERE w.status IN ('pending', 'running')) AS open
  FROM state.windows w JOIN state.runs r USING (run_id)
  GROUP BY 1, 2, 3)
SELECT p.connector, p.account, p.stream,
  (SELECT upper(c) FROM unnest(p.covered) c ORDER BY lower(c) LIMIT 1),
  p.last_sync, p.last_done,
  (SELECT count(*) FROM state.windows w JOIN state.runs r USING (run_id)
   WHERE r.connector = p.connector AND r.account = p.account AND w.stream = p.stream AND w.status = 'failed'
     AND NOT p.covered @> tstzrange(w.window_start_utc, w.window_end_utc, '[)')),
  p.open,
  d.checked_until_utc, d.gap_start_utc, d.gap_end_utc
FROM per_stream p
LEFT JOIN state.deletion_points d USING (connector, account, stream)
ORDER BY 1, 2, 3)";

}  // namespace

std::optional<Timestamp> high_water_mark(pqxx::connection_base& conn, const StreamIdentity& stream) {
  try {
    pqxx::read_transaction txn(conn);
    auto rows = txn.exec_params(kHighWaterMark, stream.connector, stream.account, stream.stream);
    if (rows.empty() || rows[0][0].is_null()) return std::nullopt;
    return parse_timestamp(rows[0][0].c_str(), "database timestamp");
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reading the high-water mark of stream " + stream.stream);
  }
}

std::vector<StreamStatus> stream_statuses(pqxx::connection_base& conn) {
  try {
    pqxx::read_transaction txn(conn);
    std::vector<StreamStatus> out;
    for (const auto& row : txn.exec(kStreams)) {
      StreamStatus s;
      s.id = {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()};
      s.mark = optional_time(row[3]);
      s.last_sync = optional_time(row[4]);
      s.last_done = optional_time(row[5]);
      s.failed = row[6].as<long long>();
      s.open = row[7].as<long long>();
      s.deletions_until = optional_time(row[8]);
      if (auto gap_start = optional_time(row[9])) s.deletion_gap = Window{*gap_start, *optional_time(row[10])};
      out.push_back(std::move(s));
    }
    return out;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reading the streams' state");
  }
}

std::vector<WindowRow> unresolved_failed_windows(pqxx::connection_base& conn, const std::string& stream) {
  try {
    pqxx::read_transaction txn(conn);
    auto rows = txn.exec_params(
        "SELECT " + window_columns() + " FROM state.windows WHERE window_id IN ("
        " SELECT w.window_id FROM state.windows w JOIN state.runs r USING (run_id)"
        " WHERE w.status = 'failed' AND ($1 = '' OR w.stream = $1) AND NOT EXISTS ("
        "  SELECT 1 FROM state.windows d JOIN state.runs dr USING (run_id)"
        "  WHERE dr.connector = r.connector AND dr.account = r.account AND d.stream = w.stream"
        "    AND d.status IN ('done', 'done_with_rejects')"
        "  HAVING range_agg(tstzrange(d.window_start_utc, d.window_end_utc, '[)'))"
        "         @> tstzrange(w.window_start_utc, w.window_end_utc, '[)')))"
        " ORDER BY window_start_utc, window_id",
        stream);
    std::vector<WindowRow> out;
    for (const auto& row : rows) out.push_back(read_window(row));
    return out;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "listing failed windows");
  }
}

long long supersede_abandoned_syncs(pqxx::connection_base& conn, const std::string& connector,
                                    const std::string& account, const std::vector<std::string>& streams,
                                    const std::string& reason) {
  try {
    pqxx::work txn(conn);
    auto marked = txn.exec_params(
        "UPDATE state.windows w SET status = 'failed', last_error = $4, claimed_by = NULL, "
        "  lease_expires_at_utc = NULL, updated_at_utc = now() "
        "FROM state.runs r WHERE w.run_id = r.run_id AND r.connector = $1 AND r.account = $2 AND r.mode = 'sync' "
        "  AND w.stream = ANY($3::text[]) AND w.status IN ('pending', 'running') "
        "RETURNING w.run_id",
        connector, account, pg::array_literal(streams), reason);
    // Their runs' processes are gone too: a live one would hold these streams.
    std::vector<std::string> runs;
    for (const auto& row : marked) runs.push_back(row[0].c_str());
    txn.exec_params(
        "UPDATE state.runs SET status = 'failed', last_error = $2, finished_at_utc = now() "
        "WHERE run_id = ANY($1::bigint[]) AND status IN ('pending', 'running')",
        pg::array_literal(runs), reason);
    txn.commit();
    return static_cast<long long>(marked.affected_rows());
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "marking abandoned sync windows");
  }
}

long long reset_stream(pqxx::connection_base& conn, const StreamIdentity& stream) {
  try {
    pqxx::work txn(conn);
    auto deleted = txn.exec_params(
        "DELETE FROM state.windows w USING state.runs r WHERE w.run_id = r.run_id "
        "AND r.connector = $1 AND r.account = $2 AND w.stream = $3",
        stream.connector, stream.account, stream.stream);
    txn.exec_params("DELETE FROM state.deletion_points WHERE connector = $1 AND account = $2 AND stream = $3",
                    stream.connector, stream.account, stream.stream);
    txn.exec_params("UPDATE state.runs SET streams = array_remove(streams, $3) "
                    "WHERE connector = $1 AND account = $2 AND $3 = ANY(streams)",
                    stream.connector, stream.account, stream.stream);
    txn.exec_params("DELETE FROM state.runs r WHERE connector = $1 AND account = $2 "
                    "AND NOT EXISTS (SELECT 1 FROM state.windows w WHERE w.run_id = r.run_id)",
                    stream.connector, stream.account);
    txn.commit();
    return static_cast<long long>(deleted.affected_rows());
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "resetting stream " + stream.stream);
  }
}

}  // namespace tributary::state
