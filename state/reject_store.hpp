#pragma once
// Quarantined records: written with their page, listed by `tributary rejects`.
#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::state {

struct RejectedRecord {
  std::string record_id;  // "" when the record has no readable key
  int record_index = 0;   // in its page
  std::string reason;
  std::string_view text;  // the record as the source sent it
};

struct RejectRow {
  long long run_id = 0;
  long long window_id = 0;
  std::string stream;
  std::string window;  // "[start, end)"
  int page_number = 0;
  int record_index = 0;
  std::string record_id;
  std::string reason;
  std::string excerpt;  // the first 200 characters of the stored text
};

class RejectStore {
 public:
  static constexpr size_t kMaxStoredText = 64 * 1024;

  // Inside the page's transaction; a record already quarantined for the window is not added
  // again. Returns how many were new.
  static long add(pqxx::transaction_base& txn, long long run_id, long long window_id, const std::string& stream,
                  int page_number, const std::vector<RejectedRecord>& records);

  // Of `ids`, those quarantined for the window (raw lacks them on purpose).
  static std::vector<std::string> quarantined(pqxx::transaction_base& txn, long long window_id,
                                              const std::vector<std::string>& ids);

  explicit RejectStore(pqxx::connection_base& conn) : conn_(conn) {}
  std::vector<RejectRow> list(std::optional<long long> run_id, int limit);

 private:
  pqxx::connection_base& conn_;
};

// The text as PostgreSQL can store it: NUL bytes as '?', cut at a UTF-8 boundary.
std::string storable_text(std::string_view text, size_t max_bytes);

}  // namespace tributary::state
