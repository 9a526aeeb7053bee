// What a round must end with, checked against the mocks' records and tributary's state.
//
// "What the source holds for the window at the end": the records whose updated-at, read from
// the mocks once the last process has exited, lies in the backfill range [start, end). The
// mocks move a touched record's updated-at to the present, so a record touched during the round
// leaves the range; it never enters a window. Hence, per raw table:
//   in range at the end (E)        in raw exactly once, payload equal (as jsonb) to its newest version;
//   left the range (L)             in raw in a version the source served (the round's first or its
//                                  newest) or absent; QuickBooks' mutate_during_paging only touches
//                                  records on pages already read, so there it must be present;
//   bad (B, REST \u0000 payloads)  absent from raw, in state.rejected_records once per stream, in
//                                  the window its updated-at lies in, that window done_with_rejects;
//   outside the range (O), unknown absent.
// And per run: one run per connector, done (done_with_rejects where B is not empty), every
// window done (done_with_rejects exactly where B records lie), each window's verified count at
// least the E and B records it holds, every raw row written by a done window of that run
// which committed pages.
#include <algorithm>
#include <cstdlib>
#include <pqxx/pqxx>

#include "core/time.hpp"
#include "pg/pg.hpp"
#include "tests/chaos/chaos.hpp"

namespace tributary::chaos {
namespace {

struct Entry {
  std::string id, category, current, first;  // payloads: "null" where not compared
  std::string updated_at;                      // at the end
};

struct Table {
  std::string table, stream;
  bool left_must_be_present;
  std::vector<Entry> entries;
};

bool in_range(const std::string& t) {
  static const auto start = parse_timestamp(kRangeStart, "start");
  static const auto end = parse_timestamp(kRangeEnd, "end");
  auto v = parse_timestamp(t, "record");
  return start <= v && v < end;
}

// first/last: the same record (same id) at the round's start and end.
Entry classify(const std::string& id, const std::string& first_json, const std::string& first_at,
               const std::string& last_json, const std::string& last_at, bool bad) {
  Entry e{id, "O", "null", "null", last_at};
  if (bad) e.category = "B";
  else if (in_range(last_at)) e = {id, "E", last_json, "null", last_at};
  else if (in_range(first_at)) e = {id, "L", last_json, first_json, last_at};
  return e;
}

Table qbo_table(const std::string& stream, const std::vector<mock::MockRecord>& first,
                const std::vector<mock::MockRecord>& last) {
  Table t{"raw.qbo_" + stream, stream, true, {}};
  for (size_t i = 0; i < last.size(); ++i) {  // both ordered by id, same ids
    t.entries.push_back(classify(last[i].id, first[i].json, first[i].last_updated_utc, last[i].json,
                                 last[i].last_updated_utc, false));
  }
  return t;
}

Table rest_table(const std::string& stream, const std::vector<mock::RestRecord>& first,
                 const std::vector<mock::RestRecord>& last, const std::vector<int>& bad_ids) {
  Table t{"raw.chaos_" + stream, stream, false, {}};
  for (size_t i = 0; i < last.size(); ++i) {
    bool bad = std::find(bad_ids.begin(), bad_ids.end(), last[i].id) != bad_ids.end();
    t.entries.push_back(classify(std::to_string(last[i].id), first[i].json, first[i].updated_at_utc, last[i].json,
                                 last[i].updated_at_utc, bad));
  }
  return t;
}

class Checker {
 public:
  Checker(pqxx::work& txn, Figures& f) : txn_(txn), f_(f) {}

  void expect_zero(long long n, const std::string& what) {
    if (n == 0) return;
    f_.mismatches += n;
    f_.problems.push_back(std::to_string(n) + " " + what);
  }

  // Raw against the source, record by record.
  void records(const Table& t) {
    std::vector<std::string> ids, cats, cur, first;
    for (const auto& e : t.entries) {
      ids.push_back(e.id);
      cats.push_back(e.category);
      cur.push_back(e.current);
      first.push_back(e.first);
      if (e.category != "O") ++f_.records_checked;
    }
    auto r = txn_.exec_params1(
        "SELECT count(*) FILTER (WHERE m.cat = 'E' AND r.id IS NULL),"
        "       count(*) FILTER (WHERE m.cat = 'E' AND r.payload <> m.cur::jsonb),"
        "       count(*) FILTER (WHERE m.cat = 'L' AND r.id IS NOT NULL AND r.payload <> m.cur::jsonb"
        "                        AND r.payload <> m.first::jsonb),"
        "       count(*) FILTER (WHERE m.cat = 'L' AND r.id IS NULL AND $5),"
        "       count(*) FILTER (WHERE m.cat IN ('B', 'O') AND r.id IS NOT NULL),"
        "       count(*) FILTER (WHERE m.id IS NULL) "
        "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS m(id, cat, cur, first) "
        "FULL JOIN " + t.table + " AS r ON r.id = m.id",
        pg::array_literal(ids), pg::array_literal(cats), pg::array_literal(cur), pg::array_literal(first),
        t.left_must_be_present);
    expect_zero(r[0].as<long long>(), t.table + ": records in range missing from raw");
    expect_zero(r[1].as<long long>(), t.table + ": records in range whose payload is not the newest");
    expect_zero(r[2].as<long long>(), t.table + ": records that left the range in a version never served");
    expect_zero(r[3].as<long long>(), t.table + ": records read, then touched, missing from raw");
    expect_zero(r[4].as<long long>(), t.table + ": bad or out-of-range records loaded");
    expect_zero(r[5].as<long long>(), t.table + ": rows the source never had");
    auto d = txn_.exec1("SELECT count(*) - count(DISTINCT id), count(DISTINCT account) FROM " + t.table);
    expect_zero(d[0].as<long long>(), t.table + ": duplicated ids");
    expect_zero(std::max(0LL, d[1].as<long long>() - 1), t.table + ": rows of another account");
    // Rows without their checkpoint: each row's run and window exist, done, with pages committed.
    expect_zero(txn_.exec_params1(
                    "SELECT count(*) FROM " + t.table + " r WHERE NOT EXISTS (SELECT 1 FROM state.windows w "
                    "WHERE w.run_id = r.run_id AND w.stream = $1 AND w.window_start_utc = r.extract_window_start_utc "
                    "AND w.window_end_utc = r.extract_window_end_utc AND w.pages_loaded >= 1 "
                    "AND w.status IN ('done', 'done_with_rejects'))",
                    t.stream)[0].as<long long>(),
                t.table + ": rows without a done window of their run that committed pages");
  }

  // The run and its windows; `bad` are the B entries (the same ids for every REST stream).
  void run(const std::string& connector, const std::vector<Table>& tables, const std::vector<Entry>& bad) {
    auto runs = txn_.exec_params("SELECT run_id, status FROM state.runs WHERE connector = $1", connector);
    if (runs.size() != 1) {
      expect_zero(1, connector + ": " + std::to_string(runs.size()) + " runs, expected 1");
      if (runs.empty()) return;
    }
    long long run_id = runs[0][0].as<long long>();
    std::string want = bad.empty() ? "done" : "done_with_rejects";
    if (runs[0][1].as<std::string>() != want) {
      expect_zero(1, connector + ": run status " + runs[0][1].as<std::string>() + ", expected " + want);
    }
    std::vector<std::string> bad_ids, bad_at, streams, e_stream, e_at;
    for (const auto& b : bad) {
      bad_ids.push_back(b.id);
      bad_at.push_back(b.updated_at);
    }
    for (const auto& t : tables) {
      streams.push_back(t.stream);
      for (const auto& e : t.entries) {
        if (e.category != "E") continue;
        e_stream.push_back(t.stream);
        e_at.push_back(e.updated_at);
      }
    }
    auto w = txn_.exec_params1(
        "WITH win AS (SELECT w.*, (SELECT count(*) FROM unnest($2::timestamptz[]) b(t) "
        "  WHERE b.t >= w.window_start_utc AND b.t < w.window_end_utc) AS bad_in,"
        " (SELECT count(*) FROM unnest($3::text[], $4::timestamptz[]) e(stream, t) WHERE e.stream = w.stream "
        "  AND e.t >= w.window_start_utc AND e.t < w.window_end_utc) AS held "
        " FROM state.windows w WHERE w.run_id = $1) "
        "SELECT count(*) FILTER (WHERE status <> CASE WHEN bad_in > 0 THEN 'done_with_rejects' ELSE 'done' END"
        "                        OR records_rejected <> bad_in),"
        "       count(*) FILTER (WHERE status LIKE 'done%' AND coalesce(verified_count, -1) < held + bad_in), count(*) FROM win",
        run_id, pg::array_literal(bad_at), pg::array_literal(e_stream), pg::array_literal(e_at));
    expect_zero(w[0].as<long long>(), connector + ": windows not done (or not done_with_rejects exactly where bad records lie)");
    expect_zero(w[1].as<long long>(), connector + ": done windows whose verified count is below the records they hold");
    if (w[2].as<long long>() == 0) expect_zero(1, connector + ": a run without windows");
    // Quarantine: each bad record once per stream, in the window its updated-at lies in.
    auto q = txn_.exec_params1(
        "SELECT (SELECT count(*) FROM state.rejected_records WHERE run_id = $1) - cardinality($2::text[]) * "
        "       cardinality($4::text[]),"
        "       (SELECT count(*) FROM unnest($2::text[], $3::timestamptz[]) b(id, t) CROSS JOIN unnest($4::text[]) s(stream)"
        "        WHERE NOT EXISTS (SELECT 1 FROM state.rejected_records j JOIN state.windows w USING (window_id)"
        "          WHERE j.run_id = $1 AND j.stream = s.stream AND j.record_id = b.id"
        "          AND b.t >= w.window_start_utc AND b.t < w.window_end_utc))",
        run_id, pg::array_literal(bad_ids), pg::array_literal(bad_at), pg::array_literal(streams));
    expect_zero(std::abs(q[0].as<long long>()), connector + ": quarantined rows not one per bad record and stream");
    expect_zero(q[1].as<long long>(), connector + ": bad records not quarantined in their window");
  }

 private:
  pqxx::work& txn_;
  Figures& f_;
};

}  // namespace

void check_round(const Options& o, const Snapshot& start, const Snapshot& end, const std::vector<int>& bad_ids,
                 Figures& figures) {
  std::vector<Table> qbo{qbo_table("customers", start.customers, end.customers),
                         qbo_table("invoices", start.invoices, end.invoices),
                         qbo_table("items", start.items, end.items)};
  std::vector<Table> rest{rest_table("swept", start.rest, end.rest, bad_ids),
                          rest_table("anchored", start.rest, end.rest, bad_ids)};
  std::vector<Entry> bad;
  for (const auto& e : rest[0].entries) {
    if (e.category == "B") bad.push_back(e);
  }
  pqxx::connection conn(o.db_url);
  pqxx::work txn(conn);
  if (std::getenv("TRIBUTARY_CHAOS_SABOTAGE") != nullptr) {
    // Proves the checks can fail: a lost row, a stale payload, a window reopened, a rejected
    // record forgotten (4 or more mismatches per round).
    txn.exec("DELETE FROM raw.qbo_invoices WHERE id = (SELECT min(id) FROM raw.qbo_invoices)");
    txn.exec("UPDATE raw.chaos_swept SET payload = payload || '{\"x\":1}' WHERE id = (SELECT max(id) FROM raw.chaos_swept)");
    txn.exec("UPDATE state.windows SET status = 'pending' WHERE window_id = (SELECT min(window_id) FROM state.windows)");
    txn.exec("DELETE FROM state.rejected_records WHERE reject_id = (SELECT min(reject_id) FROM state.rejected_records)");
  }
  Checker check(txn, figures);
  for (const auto& t : qbo) check.records(t);
  for (const auto& t : rest) check.records(t);
  check.run(kQboConnector, qbo, {});
  check.run(kRestConnector, rest, bad);
}

}  // namespace tributary::chaos
