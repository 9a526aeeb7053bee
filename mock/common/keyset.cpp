#include "mock/common/keyset.hpp"

#include <charconv>
#include <cstdio>

#include "mock/common/base64.hpp"

namespace tributary::mock {
namespace {

constexpr std::string_view kCursorPrefix = "k1|";

// FNV-1a: a check value, so a cursor garbled in transit or by hand is refused rather than
// silently resuming somewhere else.
std::string check_of(std::string_view payload) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : payload) h = (h ^ c) * 16777619u;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

}  // namespace

std::string encode_keyset_cursor(const KeysetPosition& p) {
  std::string payload = std::string(kCursorPrefix) + std::to_string(p.updated_us) + "|" + p.key;
  return base64url_encode(payload + "|" + check_of(payload));
}

std::optional<KeysetPosition> decode_keyset_cursor(std::string_view cursor) {
  auto text = base64url_decode(cursor);
  if (!text || text->rfind(kCursorPrefix, 0) != 0) return std::nullopt;
  std::size_t check = text->rfind('|');
  if (text->substr(check + 1) != check_of(std::string_view(*text).substr(0, check))) return std::nullopt;
  std::string_view rest = std::string_view(*text).substr(kCursorPrefix.size(), check - kCursorPrefix.size());
  std::size_t bar = rest.find('|');
  if (bar == std::string_view::npos || bar == 0 || bar + 1 == rest.size()) return std::nullopt;
  KeysetPosition p;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + bar, p.updated_us);
  if (ec != std::errc() || end != rest.data() + bar) return std::nullopt;
  p.key = std::string(rest.substr(bar + 1));
  return p;
}

void KeysetTable::upsert(TableRow row) {
  auto old = updated_by_key_.find(row.key);
  if (old != updated_by_key_.end()) {
    rows_.erase(KeysetPosition{old->second, row.key});
    updated_by_key_.erase(old);
  }
  updated_by_key_[row.key] = row.updated_us;
  KeysetPosition position = position_of(row);
  rows_.emplace(std::move(position), std::move(row));
}

const TableRow* KeysetTable::find(const std::string& key) const {
  auto it = updated_by_key_.find(key);
  return it == updated_by_key_.end() ? nullptr : &rows_.at(KeysetPosition{it->second, key});
}

std::vector<const TableRow*> KeysetTable::by_key() const {
  std::vector<const TableRow*> out;
  out.reserve(updated_by_key_.size());
  for (const auto& [key, updated] : updated_by_key_) out.push_back(&rows_.at(KeysetPosition{updated, key}));
  return out;
}

KeysetTable::Rows::const_iterator KeysetTable::range_end(const TimeRange& range) const {
  // The empty key sorts before every real key, so this is the first row at or after before_us.
  return rows_.lower_bound(KeysetPosition{range.before_us, ""});
}

std::size_t KeysetTable::count(const TimeRange& range) const {
  if (range.from_us >= range.before_us) return 0;
  auto from = rows_.lower_bound(KeysetPosition{range.from_us, ""});
  return static_cast<std::size_t>(std::distance(from, range_end(range)));
}

KeysetSlice KeysetTable::take(Rows::const_iterator from, Rows::const_iterator end, std::size_t limit) const {
  KeysetSlice slice;
  for (; from != end && slice.rows.size() < limit; ++from) slice.rows.push_back(&from->second);
  slice.more = from != end;
  return slice;
}

KeysetSlice KeysetTable::after(const TimeRange& range, const std::optional<KeysetPosition>& after,
                               std::size_t limit) const {
  if (range.from_us >= range.before_us) return {};
  auto from = rows_.lower_bound(KeysetPosition{range.from_us, ""});
  if (after && from != rows_.end() && !(*after < from->first)) from = rows_.upper_bound(*after);
  auto end = range_end(range);
  // A position past the range's end leaves nothing to return.
  if (end != rows_.end() && (from == rows_.end() || end->first < from->first)) return {};
  return take(from, end, limit);
}

KeysetSlice KeysetTable::at_offset(const TimeRange& range, std::size_t offset, std::size_t limit) const {
  if (range.from_us >= range.before_us) return {};
  auto from = rows_.lower_bound(KeysetPosition{range.from_us, ""});
  auto end = range_end(range);
  for (std::size_t i = 0; i < offset && from != end; ++i) ++from;
  return take(from, end, limit);
}

}  // namespace tributary::mock
