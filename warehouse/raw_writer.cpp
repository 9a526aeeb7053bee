#include "warehouse/raw_writer.hpp"

#include <spdlog/spdlog.h>

#include <unordered_map>

#include "core/error.hpp"
#include "core/text.hpp"
#include "sql/sql.hpp"
#include "warehouse/copy_text.hpp"

namespace tributary::warehouse {
namespace {

// Which of a page's records to write (their 1-based positions), and whether raw has no row for
// it at all: raw lacks them, holds another text, or has them marked deleted (a record the source
// returns exists again).
constexpr const char* kChangedSql = R"(
SELECT s.ord, r.id IS NULL
FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS s(id, hash, ord)
LEFT JOIN LATERAL (SELECT r.id, r.payload_hash, r.deleted_at_utc FROM {{table}} AS r
                   WHERE r.account = $1 AND r.id = s.id LIMIT 1) AS r ON true
WHERE r.id IS NULL OR r.payload_hash IS NULL OR r.payload_hash <> s.hash OR r.deleted_at_utc IS NOT NULL
ORDER BY s.ord)";

// Every column of a raw row, in the order copy_new_rows writes them.
const std::vector<std::string> kRawColumns{"account", "id", "payload", "payload_hash", "source_updated_at",
                                           "ingested_at_utc", "extract_window_start_utc", "extract_window_end_utc",
                                           "page_number", "page_size", "request_payload", "run_id"};

constexpr const char* kMissingOrStaleSql = R"(
SELECT s.id
FROM unnest($2::text[], $3::text[]) AS s(id, updated_at)
LEFT JOIN LATERAL (SELECT r.id, r.deleted_at_utc, r.source_updated_at FROM {{table}} AS r
                   WHERE r.account = $1 AND r.id = s.id LIMIT 1) AS r ON true
WHERE r.id IS NULL
   OR r.deleted_at_utc IS NOT NULL  -- marked deleted, yet the source lists it: write it again
   OR (r.source_updated_at IS NOT NULL AND r.source_updated_at < NULLIF(s.updated_at, '')::timestamptz)
ORDER BY s.id)";

// Staged records that lost to a newer version already in raw (their updated-at went backwards,
// or an older copy arrived late): the upsert keeps the newer one; this says which.
constexpr const char* kOlderThanRawSql = R"(
SELECT s.id FROM tributary_stage AS s
CROSS JOIN LATERAL (SELECT r.source_updated_at, r.payload_hash FROM {{table}} AS r
                    WHERE r.account = $1 AND r.id = s.id LIMIT 1) AS r
WHERE r.source_updated_at > s.source_updated_at::timestamptz
  AND r.payload_hash IS DISTINCT FROM s.payload_hash
ORDER BY s.id)";

// A deletion never hides a version the source wrote after it (the record came back).
constexpr const char* kMarkDeletedSql = R"(
UPDATE {{table}} AS r SET deleted_at_utc = d.at
FROM (SELECT DISTINCT ON (id) id, at FROM unnest($2::text[], $3::timestamptz[]) AS u(id, at) ORDER BY id, at DESC) AS d
WHERE r.account = $1 AND r.id = d.id AND r.deleted_at_utc IS NULL
  AND (r.source_updated_at IS NULL OR r.source_updated_at <= d.at))";

// Every query that meets a page's records with raw probes raw's primary key once per record
// (LATERAL ... LIMIT 1). A plain join lets the planner hash the whole account's rows instead,
// which it does while a bulk load outruns raw's statistics: a scan of every row per page.
// A page may hold one id twice (a record updated while paging moved it): only its latest
// version is staged (one without an updated-at loses to one with), so the upsert needs no sort
// and never meets one row twice. Positions in page order.
std::vector<size_t> latest_per_id(const std::vector<RawRecord>& records) {
  std::unordered_map<std::string_view, size_t> winner;
  winner.reserve(records.size());
  std::vector<size_t> out;
  out.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    auto [it, first] = winner.try_emplace(records[i].id, i);
    if (first) {
      out.push_back(i);
      continue;
    }
    const auto& held = records[it->second].source_updated_at;
    const auto& next = records[i].source_updated_at;
    if (next && (!held || *next >= *held)) it->second = i;
  }
  for (auto& i : out) i = winner.at(records[i].id);
  return out;
}

// id, payload, payload_hash, source_updated_at: the columns a record brings, as COPY text.
void append_record_fields(std::string& line, const RawRecord& r, const std::string& hash) {
  append_copy_field(line, r.id);
  line += '\t';
  append_copy_field(line, r.payload);
  line += '\t';
  line += hash;
  line += '\t';
  if (r.source_updated_at) line += format_utc_micros(*r.source_updated_at);
  else append_copy_null(line);
}

}  // namespace

RawTableWriter::RawTableWriter(pqxx::connection_base& conn, const std::string& table)
    : conn_(conn), table_(table), quoted_(pg::quote_qualified(conn, table)),
      upsert_sql_(sql::fill(sql::text("upsert_raw.sql"), "table", quoted_)),
      changed_sql_(sql::fill(kChangedSql, "table", quoted_)) {}

void RawTableWriter::ensure_table() {
  try {
    pqxx::work txn(conn_);
    // Concurrent workers may race to create the same table; serialise them.
    txn.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", "tributary:ddl:" + table_);
    upgrade_older_table(txn);
    txn.exec(sql::fill(sql::text("raw_table.sql"), "table", quoted_));
    txn.commit();
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "creating " + table_);
  }
}

// Tables created by 0.1 name the account column realm_id, after QuickBooks, and lack the
// columns added since. Older tables keep the change test's md5 in payload_md5: it gives way to
// payload_hash, empty at first, so each old row is written once more by the next run that
// reads it (a stale md5 column beside it would only mislead). Only the table's owner may change
// them: a role that may merely write them is told what to run rather than failing on the ALTER.
void RawTableWriter::upgrade_older_table(pqxx::transaction_base& txn) {
  auto columns = txn.exec_params(
      "SELECT bool_or(attname = 'realm_id'), bool_or(attname = 'deleted_at_utc'), bool_or(attname = 'payload_md5'), "
      "bool_or(attname = 'payload_hash'), bool_or(pg_has_role(c.relowner, 'USAGE')) "
      "FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid AND NOT a.attisdropped "
      "WHERE c.oid = to_regclass($1)", quoted_);
  if (columns.empty() || columns[0][0].is_null()) return;  // no table yet
  std::vector<std::string> changes;
  if (columns[0][0].as<bool>()) changes.push_back("RENAME COLUMN realm_id TO account");
  if (!columns[0][1].as<bool>()) changes.push_back("ADD COLUMN deleted_at_utc timestamptz");
  if (columns[0][2].as<bool>()) changes.push_back("DROP COLUMN payload_md5");
  if (!columns[0][3].as<bool>()) changes.push_back("ADD COLUMN payload_hash text");
  if (changes.empty()) return;
  std::string statements;
  for (const auto& c : changes) statements += (statements.empty() ? "" : "; ") + ("ALTER TABLE " + table_ + " " + c);
  if (!columns[0][4].as<bool>()) {
    throw Error(ErrorKind::database, table_ + " was created by an older tributary and must be upgraded by its owner: "
                                     "run this command once as the owner (or `" + statements + "`)");
  }
  for (const auto& c : changes) txn.exec("ALTER TABLE " + quoted_ + " " + c);
  spdlog::info("{}: upgraded from an older tributary ({})", table_, statements);
}

RawTableWriter::PageWrite RawTableWriter::write_page(pqxx::transaction_base& txn, const PageMetadata& meta,
                                                    const std::vector<RawRecord>& records) {
  PageWrite out;
  auto chosen = latest_per_id(records);
  if (chosen.empty()) return out;
  std::vector<std::string> ids, hashes;
  ids.reserve(chosen.size());
  hashes.reserve(chosen.size());
  for (auto i : chosen) {
    ids.emplace_back(records[i].id);
    hashes.push_back(payload_hash(records[i].payload));
  }
  auto wanted = txn.exec_params(changed_sql_, meta.account, pg::array_literal(ids), pg::array_literal(hashes));
  if (wanted.empty()) return out;  // a re-run over unchanged data ends here: nothing sent, nothing cast
  std::vector<size_t> positions;  // in `chosen`
  bool all_new = true;
  for (const auto& row : wanted) {
    positions.push_back(row[0].as<size_t>() - 1);
    all_new = all_new && row[1].as<bool>();
  }
  out.staged = static_cast<long long>(positions.size());
  if (all_new && copy_new_rows(txn, meta, records, chosen, hashes, positions)) {
    out.changed = out.staged;
    return out;
  }
  txn.exec(std::string(sql::text("stage_table.sql")));
  CopyLines copy(txn, "tributary_stage", {"id", "payload", "payload_hash", "source_updated_at"});
  std::string line;  // one staged record as a COPY row, the buffer reused
  for (auto k : positions) {
    line.clear();
    append_record_fields(line, records.at(chosen.at(k)), hashes[k]);
    copy.write(line);
  }
  copy.complete();
  auto result = txn.exec_params(upsert_sql_, meta.account, format_utc_micros(meta.window.start),
                                format_utc_micros(meta.window.end), meta.page_number, meta.page_size,
                                meta.request_payload, meta.run_id, format_utc_micros(meta.ingested_at));
  out.changed = static_cast<long long>(result.affected_rows());
  return out;
}

// A page none of whose records raw holds (a first backfill) is COPYed straight into raw, the
// way `\copy` loads: no stage, no conflict handling. A writer that inserted one of its ids
// meanwhile makes the COPY fail on the key; the page then goes through the stage and upsert.
bool RawTableWriter::copy_new_rows(pqxx::transaction_base& txn, const PageMetadata& meta,
                                   const std::vector<RawRecord>& records, const std::vector<size_t>& chosen,
                                   const std::vector<std::string>& hashes, const std::vector<size_t>& positions) {
  // What every row of the page shares, escaped once.
  std::string account, shared;
  append_copy_field(account, meta.account);
  shared += format_utc_micros(meta.ingested_at) + '\t' + format_utc_micros(meta.window.start) + '\t' +
            format_utc_micros(meta.window.end) + '\t' + std::to_string(meta.page_number) + '\t' +
            std::to_string(meta.page_size) + '\t';
  append_copy_field(shared, meta.request_payload);
  shared += '\t' + std::to_string(meta.run_id);
  txn.exec("SAVEPOINT tributary_new_rows");
  try {
    CopyLines copy(txn, quoted_, kRawColumns);
    std::string line;
    for (auto k : positions) {
      line = account;
      line += '\t';
      append_record_fields(line, records.at(chosen.at(k)), hashes[k]);
      line += '\t';
      line += shared;
      copy.write(line);
    }
    copy.complete();
    txn.exec("RELEASE SAVEPOINT tributary_new_rows");
    return true;
  } catch (const pqxx::unique_violation&) {
    txn.exec("ROLLBACK TO SAVEPOINT tributary_new_rows");
    return false;
  }
}

std::vector<std::string> RawTableWriter::older_than_raw(pqxx::transaction_base& txn, const std::string& account) {
  std::vector<std::string> out;
  for (const auto& row : txn.exec_params(sql::fill(kOlderThanRawSql, "table", quoted_), account)) {
    out.push_back(row[0].as<std::string>());
  }
  return out;
}

std::vector<std::string> RawTableWriter::missing_or_stale(pqxx::transaction_base& txn,
                                                          const std::string& account,
                                                          const std::vector<std::string>& ids,
                                                          const std::vector<std::optional<Timestamp>>& updated_at) {
  std::vector<std::string> times;
  times.reserve(updated_at.size());
  for (const auto& t : updated_at) times.push_back(t ? format_utc_micros(*t) : std::string());
  auto rows = txn.exec_params(sql::fill(kMissingOrStaleSql, "table", quoted_), account,
                              pg::array_literal(ids), pg::array_literal(times));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(row[0].as<std::string>());
  return out;
}

std::vector<std::pair<size_t, std::string>> RawTableWriter::refused(pqxx::transaction_base& txn,
                                                                    const std::vector<RawRecord>& records) {
  std::vector<std::pair<size_t, std::string>> out;
  for (size_t i = 0; i < records.size(); ++i) {
    txn.exec("SAVEPOINT tributary_record_check");
    try {
      txn.exec_params("SELECT $1::jsonb, NULLIF($2, '')::timestamptz", std::string(records[i].payload),
                      records[i].source_updated_at ? format_utc_micros(*records[i].source_updated_at) : "");
      txn.exec("RELEASE SAVEPOINT tributary_record_check");
    } catch (const pqxx::data_exception& e) {
      txn.exec("ROLLBACK TO SAVEPOINT tributary_record_check");
      out.emplace_back(i, "PostgreSQL refuses it: " + one_line(e.what(), 200));
    }
  }
  return out;
}

}  // namespace tributary::warehouse

namespace tributary::warehouse {

long RawTableWriter::mark_deleted(pqxx::transaction_base& txn, const std::string& account,
                                  const std::vector<std::string>& ids, const std::vector<Timestamp>& deleted_at) {
  if (ids.empty()) return 0;
  std::vector<std::string> times;
  times.reserve(deleted_at.size());
  for (const auto& t : deleted_at) times.push_back(format_utc_micros(t));
  auto result = txn.exec_params(sql::fill(kMarkDeletedSql, "table", quoted_), account, pg::array_literal(ids),
                                pg::array_literal(times));
  return static_cast<long>(result.affected_rows());
}

}  // namespace tributary::warehouse
