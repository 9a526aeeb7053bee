// Keyset ("seek") pagination over records ordered by (updated_at, key), the order incremental
// APIs page in. A position is the last (updated_at, key) a page returned; the next page starts
// strictly after it, so a record that changes mid-walk moves to the end instead of shifting
// every later record into a page already read (what breaks offset paging).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::mock {

struct KeysetPosition {
  std::int64_t updated_us = 0;
  std::string key;
  auto operator<=>(const KeysetPosition&) const = default;
};

// Opaque to clients: base64url (unpadded) of "k1|<updated_us>|<key>|<check>", the check
// being 8 hex digits of FNV-1a over what precedes it.
std::string encode_keyset_cursor(const KeysetPosition& position);
// nullopt for anything encode_keyset_cursor could not have produced.
std::optional<KeysetPosition> decode_keyset_cursor(std::string_view cursor);

// Half-open [from_us, before_us); every filter flavour (inclusive, exclusive, epoch) narrows it.
struct TimeRange {
  std::int64_t from_us = std::numeric_limits<std::int64_t>::min();
  std::int64_t before_us = std::numeric_limits<std::int64_t>::max();
  void at_least(std::int64_t us) { from_us = us > from_us ? us : from_us; }
  void below(std::int64_t us) { before_us = us < before_us ? us : before_us; }
};

struct TableRow {
  std::string key;
  std::int64_t updated_us = 0;
  std::string json;  // rendered payload, exactly what the API returns
};

struct KeysetSlice {
  std::vector<const TableRow*> rows;
  bool more = false;  // rows of the range remain after the last one returned
};

// Rows kept in (updated_us, key) order. Not thread-safe; pointers are valid until the next
// upsert.
class KeysetTable {
 public:
  void upsert(TableRow row);  // inserts, or replaces the row with the same key
  const TableRow* find(const std::string& key) const;
  std::vector<const TableRow*> by_key() const;
  std::size_t count(const TimeRange& range) const;
  // Up to `limit` rows of `range` strictly after `after` (from the start without one).
  KeysetSlice after(const TimeRange& range, const std::optional<KeysetPosition>& after, std::size_t limit) const;
  // Up to `limit` rows of `range` after skipping `offset` of them.
  KeysetSlice at_offset(const TimeRange& range, std::size_t offset, std::size_t limit) const;

  static KeysetPosition position_of(const TableRow& row) { return {row.updated_us, row.key}; }

 private:
  using Rows = std::map<KeysetPosition, TableRow>;
  KeysetSlice take(Rows::const_iterator from, Rows::const_iterator end, std::size_t limit) const;
  Rows::const_iterator range_end(const TimeRange& range) const;

  Rows rows_;
  std::map<std::string, std::int64_t> updated_by_key_;
};

}  // namespace tributary::mock
