#include "state/run_store.hpp"

#include "pg/pg.hpp"
#include "state/rows.hpp"

namespace tributary::state {
namespace {

constexpr const char* kInsertRun = R"(
INSERT INTO state.runs (connector, account, streams, mode, requested_start_utc, requested_end_utc,
                        chunk, page_size, config_path, status)
VALUES ($1, $2, $3::text[], $4, $5::timestamptz, $6::timestamptz, make_interval(secs => $7),
        $8, NULLIF($9, ''), 'pending')
RETURNING run_id)";

constexpr const char* kInsertWindow = R"(
INSERT INTO state.windows (run_id, stream, window_start_utc, window_end_utc)
SELECT $1, w.stream, w.s, w.e
FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[]) AS w(stream, s, e))";

constexpr const char* kRunColumns = R"(
run_id, connector, account, array_to_string(streams, ','), mode, requested_start_utc,
requested_end_utc, extract(epoch FROM chunk)::bigint, page_size, coalesce(config_path, ''), status,
to_char(created_at_utc, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
coalesce(to_char(finished_at_utc, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''), coalesce(last_error, ''))";

constexpr const char* kFindUnfinished = R"(
SELECT run_id FROM state.runs
WHERE connector = $1 AND account = $2 AND streams = $3::text[] AND mode = $4
  AND requested_start_utc = $5::timestamptz AND requested_end_utc = $6::timestamptz
  AND chunk = make_interval(secs => $7) AND page_size = $8 AND status NOT IN ('done', 'done_with_rejects')
ORDER BY run_id DESC LIMIT 1)";

constexpr const char* kWindowColumns = R"(
window_id, run_id, stream, window_start_utc, window_end_utc, status, coalesce(next_position, ''),
next_page_number, paging_complete, pages_loaded, records_loaded, records_reconciled,
expected_count, verified_count, attempts, coalesce(last_error, ''), coalesce(claimed_by, ''),
rows_changed, records_rejected, coalesce(guarantee, ''))";

constexpr const char* kWindowTallies = R"(
SELECT run_id, count(*), count(*) FILTER (WHERE status = 'done'),
       count(*) FILTER (WHERE status = 'done_with_rejects'), count(*) FILTER (WHERE status = 'failed'),
       coalesce(sum(records_loaded), 0), count(*) FILTER (WHERE status = 'pending')
FROM state.windows WHERE run_id = ANY($1::bigint[]) GROUP BY run_id)";

constexpr const char* kOpenRuns = R"(
SELECT r.run_id FROM state.runs r
WHERE r.status NOT IN ('done', 'done_with_rejects')
  AND EXISTS (SELECT 1 FROM state.windows w WHERE w.run_id = r.run_id
              AND (w.status = 'pending' OR (w.status = 'running' AND w.lease_expires_at_utc < now())))
ORDER BY r.run_id)";

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t pos; (pos = s.find(sep, start)) != std::string::npos; start = pos + 1) {
    out.push_back(s.substr(start, pos - start));
  }
  if (start < s.size()) out.push_back(s.substr(start));
  return out;
}

RunRow read_run(const pqxx::row& r) {
  RunRow run;
  run.run_id = r[0].as<long long>();
  run.spec.connector = r[1].as<std::string>();
  run.spec.account = r[2].as<std::string>();
  run.spec.streams = split(r[3].as<std::string>(), ',');
  run.spec.mode = r[4].as<std::string>();
  run.spec.range = Window{time_of(r[5]), time_of(r[6])};
  run.spec.chunk = boost::posix_time::seconds(r[7].as<long>());
  run.spec.page_size = r[8].as<int>();
  run.spec.config_path = r[9].as<std::string>();
  run.status = status_from_string(r[10].as<std::string>());
  run.created_at = r[11].as<std::string>();
  run.finished_at = r[12].as<std::string>();
  run.last_error = r[13].as<std::string>();
  return run;
}

std::optional<long long> opt_ll(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<long long>();
}

}  // namespace

Timestamp time_of(const pqxx::field& f) { return parse_timestamp(f.c_str(), "database timestamp"); }

std::optional<Timestamp> optional_time(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return time_of(f);
}

std::string to_string(Status s) {
  switch (s) {
    case Status::pending: return "pending";
    case Status::running: return "running";
    case Status::done: return "done";
    case Status::done_with_rejects: return "done_with_rejects";
    case Status::failed: return "failed";
  }
  return "pending";
}

Status status_from_string(const std::string& s) {
  if (s == "running") return Status::running;
  if (s == "done") return Status::done;
  if (s == "done_with_rejects") return Status::done_with_rejects;
  if (s == "failed") return Status::failed;
  return Status::pending;
}

WindowRow read_window(const pqxx::row& r) {
  WindowRow w;
  w.window_id = r[0].as<long long>();
  w.run_id = r[1].as<long long>();
  w.stream = r[2].as<std::string>();
  w.window = Window{time_of(r[3]), time_of(r[4])};
  w.status = status_from_string(r[5].as<std::string>());
  w.next_position = r[6].as<std::string>();
  w.next_page_number = r[7].as<int>();
  w.paging_complete = r[8].as<bool>();
  w.pages_loaded = r[9].as<int>();
  w.records_loaded = r[10].as<long long>();
  w.records_reconciled = r[11].as<long long>();
  w.expected_count = opt_ll(r[12]);
  w.verified_count = opt_ll(r[13]);
  w.attempts = r[14].as<int>();
  w.last_error = r[15].as<std::string>();
  w.claimed_by = r[16].as<std::string>();
  w.rows_changed = r[17].as<long long>();
  w.records_rejected = r[18].as<long long>();
  w.guarantee = r[19].as<std::string>();
  return w;
}

std::string window_columns() { return kWindowColumns; }

long long RunStore::create_run(const RunSpec& spec,
                               const std::vector<std::pair<std::string, Window>>& windows) {
  std::vector<std::string> streams, starts, ends;
  for (const auto& [stream, w] : windows) {
    streams.push_back(stream);
    starts.push_back(format_utc_micros(w.start));
    ends.push_back(format_utc_micros(w.end));
  }
  try {
    pqxx::work txn(conn_);
    auto row = txn.exec_params1(kInsertRun, spec.connector, spec.account, pg::array_literal(spec.streams),
                                spec.mode, format_utc_micros(spec.range.start),
                                format_utc_micros(spec.range.end), spec.chunk.total_seconds(),
                                spec.page_size, spec.config_path);
    auto run_id = row[0].as<long long>();
    txn.exec_params(kInsertWindow, run_id, pg::array_literal(streams), pg::array_literal(starts),
                    pg::array_literal(ends));
    txn.commit();
    return run_id;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "creating the run");
  }
}

std::optional<long long> RunStore::find_unfinished(const RunSpec& spec) {
  try {
    pqxx::work txn(conn_);
    auto rows = txn.exec_params(kFindUnfinished, spec.connector, spec.account,
                                pg::array_literal(spec.streams), spec.mode,
                                format_utc_micros(spec.range.start), format_utc_micros(spec.range.end),
                                spec.chunk.total_seconds(), spec.page_size);
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<long long>();
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "looking for an unfinished run");
  }
}

std::optional<RunRow> RunStore::load_run(long long run_id) {
  try {
    pqxx::work txn(conn_);
    auto rows = txn.exec_params(std::string("SELECT ") + kRunColumns + " FROM state.runs WHERE run_id = $1", run_id);
    if (rows.empty()) return std::nullopt;
    return read_run(rows[0]);
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reading run " + std::to_string(run_id));
  }
}

std::vector<RunRow> RunStore::recent_runs(int limit) {
  try {
    pqxx::work txn(conn_);
    auto rows = txn.exec_params(std::string("SELECT ") + kRunColumns +
                                    " FROM state.runs ORDER BY run_id DESC LIMIT $1", limit);
    std::vector<RunRow> out;
    for (const auto& r : rows) out.push_back(read_run(r));
    return out;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "listing runs");
  }
}

std::vector<WindowRow> RunStore::windows(long long run_id) {
  try {
    pqxx::work txn(conn_);
    auto rows = txn.exec_params(std::string("SELECT ") + kWindowColumns +
                                    " FROM state.windows WHERE run_id = $1 ORDER BY stream, window_start_utc",
                                run_id);
    std::vector<WindowRow> out;
    for (const auto& r : rows) out.push_back(read_window(r));
    return out;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "listing windows of run " + std::to_string(run_id));
  }
}

std::optional<WindowRow> RunStore::load_window(long long window_id) {
  try {
    pqxx::work txn(conn_);
    auto rows = txn.exec_params(std::string("SELECT ") + kWindowColumns + " FROM state.windows WHERE window_id = $1",
                                window_id);
    if (rows.empty()) return std::nullopt;
    return read_window(rows[0]);
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reading window " + std::to_string(window_id));
  }
}

std::map<long long, WindowTally> RunStore::window_tallies(const std::vector<long long>& run_ids) {
  std::vector<std::string> ids;
  for (auto id : run_ids) ids.push_back(std::to_string(id));
  try {
    pqxx::work txn(conn_);
    std::map<long long, WindowTally> out;
    for (const auto& r : txn.exec_params(kWindowTallies, pg::array_literal(ids))) {
      out[r[0].as<long long>()] = WindowTally{r[1].as<long long>(), r[2].as<long long>(), r[3].as<long long>(),
                                              r[4].as<long long>(), r[5].as<long long>(), r[6].as<long long>()};
    }
    return out;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "counting windows by status");
  }
}

std::vector<long long> RunStore::open_runs() {
  try {
    pqxx::work txn(conn_);
    std::vector<long long> out;
    for (const auto& r : txn.exec(kOpenRuns)) out.push_back(r[0].as<long long>());
    return out;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "listing open runs");
  }
}

}  // namespace tributary::state
