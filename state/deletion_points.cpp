#include "state/deletion_points.hpp"

#include "pg/pg.hpp"
#include "state/rows.hpp"

namespace tributary::state {

std::optional<DeletionPoint> deletion_point(pqxx::connection_base& conn, const StreamIdentity& stream) {
  try {
    pqxx::work txn(conn);
    auto rows = txn.exec_params(
        "SELECT checked_until_utc, gap_start_utc, gap_end_utc FROM state.deletion_points "
        "WHERE connector = $1 AND account = $2 AND stream = $3",
        stream.connector, stream.account, stream.stream);
    if (rows.empty()) return std::nullopt;
    DeletionPoint p{time_of(rows[0][0]), std::nullopt};
    if (auto start = optional_time(rows[0][1])) p.gap = Window{*start, time_of(rows[0][2])};
    return p;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reading the deletion point of stream " + stream.stream);
  }
}

void save_deletion_point(pqxx::connection_base& conn, const StreamIdentity& stream, const Timestamp& checked_until,
                         const std::optional<Window>& gap) {
  try {
    pqxx::work txn(conn);
    auto text = [](const std::optional<Timestamp>& t) { return t ? std::optional(format_utc_micros(*t)) : std::nullopt; };
    txn.exec_params(
        "INSERT INTO state.deletion_points AS p (connector, account, stream, checked_until_utc, gap_start_utc, gap_end_utc) "
        "VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (connector, account, stream) DO UPDATE SET "
        "  checked_until_utc = GREATEST(p.checked_until_utc, EXCLUDED.checked_until_utc), "
        "  gap_start_utc = LEAST(p.gap_start_utc, EXCLUDED.gap_start_utc), "
        "  gap_end_utc = GREATEST(p.gap_end_utc, EXCLUDED.gap_end_utc), "
        "  updated_at_utc = now()",
        stream.connector, stream.account, stream.stream, format_utc_micros(checked_until),
        text(gap ? std::optional(gap->start) : std::nullopt), text(gap ? std::optional(gap->end) : std::nullopt));
    txn.commit();
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "saving the deletion point of stream " + stream.stream);
  }
}

std::optional<Timestamp> first_extracted(pqxx::connection_base& conn, const StreamIdentity& stream) {
  try {
    pqxx::work txn(conn);
    auto row = txn.exec_params1(
        "SELECT min(w.started_at_utc) FROM state.windows w JOIN state.runs r ON r.run_id = w.run_id "
        "WHERE r.connector = $1 AND r.account = $2 AND w.stream = $3",
        stream.connector, stream.account, stream.stream);
    return optional_time(row[0]);
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reading when stream " + stream.stream + " was first extracted");
  }
}

}  // namespace tributary::state
