#include "state/reject_store.hpp"

#include "pg/pg.hpp"

namespace tributary::state {
namespace {

constexpr const char* kAdd = R"(
INSERT INTO state.rejected_records (run_id, window_id, stream, page_number, record_index, record_id,
                                    record_key, reason, raw_text, raw_bytes)
SELECT $1, $2, $3, $4, r.idx, NULLIF(r.id, ''), CASE WHEN r.id = '' THEN md5(r.txt) ELSE r.id END,
       r.reason, r.txt, r.bytes
FROM unnest($5::int[], $6::text[], $7::text[], $8::text[], $9::bigint[]) AS r(idx, id, reason, txt, bytes)
ON CONFLICT (window_id, record_key) DO NOTHING)";

constexpr const char* kQuarantined = R"(
SELECT record_id FROM state.rejected_records
WHERE window_id = $1 AND record_id = ANY($2::text[]))";

constexpr const char* kList = R"(
SELECT q.run_id, q.window_id, q.stream,
       '[' || to_char(w.window_start_utc, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ', ' ||
       to_char(w.window_end_utc, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ')',
       q.page_number, q.record_index, coalesce(q.record_id, ''), q.reason, left(q.raw_text, 200)
FROM state.rejected_records q JOIN state.windows w USING (window_id)
WHERE $1::bigint IS NULL OR q.run_id = $1
ORDER BY q.run_id, w.window_start_utc, q.stream, q.page_number, q.record_index
LIMIT $2)";

}  // namespace

std::string storable_text(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    size_t cut = max_bytes;
    // Never split a UTF-8 sequence: back up over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  std::string out(text);
  for (auto& c : out) {
    if (c == '\0') c = '?';
  }
  return out;
}

long RejectStore::add(pqxx::transaction_base& txn, long long run_id, long long window_id, const std::string& stream,
                      int page_number, const std::vector<RejectedRecord>& records) {
  if (records.empty()) return 0;
  std::vector<std::string> index, ids, reasons, texts, bytes;
  for (const auto& r : records) {
    index.push_back(std::to_string(r.record_index));
    ids.push_back(r.record_id);
    reasons.push_back(r.reason);
    texts.push_back(storable_text(r.text, kMaxStoredText));
    bytes.push_back(std::to_string(r.text.size()));
  }
  auto result = txn.exec_params(kAdd, run_id, window_id, stream, page_number, pg::array_literal(index),
                                pg::array_literal(ids), pg::array_literal(reasons), pg::array_literal(texts),
                                pg::array_literal(bytes));
  return static_cast<long>(result.affected_rows());
}

std::vector<std::string> RejectStore::quarantined(pqxx::transaction_base& txn, long long window_id,
                                                  const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  if (ids.empty()) return out;
  for (const auto& row : txn.exec_params(kQuarantined, window_id, pg::array_literal(ids))) {
    out.push_back(row[0].as<std::string>());
  }
  return out;
}

std::vector<RejectRow> RejectStore::list(std::optional<long long> run_id, int limit) {
  try {
    pqxx::work txn(conn_);
    auto rows = run_id ? txn.exec_params(kList, *run_id, limit) : txn.exec_params(kList, nullptr, limit);
    std::vector<RejectRow> out;
    for (const auto& r : rows) {
      out.push_back({r[0].as<long long>(), r[1].as<long long>(), r[2].as<std::string>(), r[3].as<std::string>(),
                     r[4].as<int>(), r[5].as<int>(), r[6].as<std::string>(), r[7].as<std::string>(),
                     r[8].as<std::string>()});
    }
    return out;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "listing rejected records");
  }
}

}  // namespace tributary::state
