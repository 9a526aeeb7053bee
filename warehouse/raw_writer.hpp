#pragma once
// Lands records as raw JSON. A page's records are first compared with raw by the hash of their
// text (computed here, so unchanged records are never sent); the others are COPYed into a
// staging table as the text the source sent and moved into raw by one set-based upsert.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/window.hpp"
#include "pg/pg.hpp"

namespace tributary::warehouse {

struct RawRecord {
  std::string_view id;
  std::string_view payload;  // JSON text exactly as the source returned it
  std::optional<Timestamp> source_updated_at;
};

// What every row of one page shares.
struct PageMetadata {
  std::string account;
  Window window;
  int page_number = 0;
  int page_size = 0;
  std::string request_payload;  // JSON; never holds a secret
  long long run_id = 0;
  Timestamp ingested_at;
};

class RawTableWriter {
 public:
  // `table` is schema-qualified ("raw.qbo_invoices").
  RawTableWriter(pqxx::connection_base& conn, const std::string& table);

  // Creates the table if missing (idempotent). Run once per table, outside page transactions.
  void ensure_table();

  struct PageWrite {
    long long staged = 0;   // records raw lacked, held in another version, or had marked deleted
    long long changed = 0;  // rows inserted or changed (fewer: raw holds a newer version)
  };
  // Writes the page inside `txn` (the caller commits it together with the checkpoint).
  PageWrite write_page(pqxx::transaction_base& txn, const PageMetadata& meta, const std::vector<RawRecord>& records);

  // Of `ids` with their source updated-at times (nullopt: no cursor), those raw lacks or holds
  // in an older version.
  std::vector<std::string> missing_or_stale(pqxx::transaction_base& txn, const std::string& account,
                                            const std::vector<std::string>& ids,
                                            const std::vector<std::optional<Timestamp>>& updated_at);

  // After write_page in the same transaction, when it changed fewer rows than it staged: the
  // staged ids raw holds in a newer version (kept), whose payload differs.
  std::vector<std::string> older_than_raw(pqxx::transaction_base& txn, const std::string& account);

  // Marks the rows of `ids` deleted at the matching time, unless raw holds a version written
  // after it or the row is already marked. Returns how many rows it marked.
  long mark_deleted(pqxx::transaction_base& txn, const std::string& account, const std::vector<std::string>& ids,
                    const std::vector<Timestamp>& deleted_at);

  // After write_page failed with a data error: which records PostgreSQL refuses, and why
  // (index into `records`, its message). Each is tried under its own savepoint in `txn`.
  std::vector<std::pair<size_t, std::string>> refused(pqxx::transaction_base& txn,
                                                      const std::vector<RawRecord>& records);

 private:
  void upgrade_older_table(pqxx::transaction_base& txn);
  bool copy_new_rows(pqxx::transaction_base& txn, const PageMetadata& meta, const std::vector<RawRecord>& records,
                     const std::vector<size_t>& chosen, const std::vector<std::string>& hashes,
                     const std::vector<size_t>& positions);

  pqxx::connection_base& conn_;
  std::string table_;
  std::string quoted_;
  std::string upsert_sql_;
  std::string changed_sql_;
};

}  // namespace tributary::warehouse
