// Keyset re-anchoring for offset and page-number APIs that sort by the cursor: each request
// starts at the last cursor value seen instead of at an offset, so a record updated while the
// window is paged moves behind us (it is read again later, or has left the window) and can
// never shift an unread record past a page boundary.
#include <algorithm>
#include <charconv>

#include "connectors/rest/paginator.hpp"
#include "core/error.hpp"

namespace tributary::connectors {
namespace {

constexpr std::string_view kPrefix = "anchor:";

[[noreturn]] void unreadable(const std::string& position) {
  throw Error(ErrorKind::data, "stored position '" + position.substr(0, 80) + "' is not an anchored position");
}

// Reads "<digits><sep>" at `at`, advancing it.
size_t read_number(const std::string& text, size_t& at, char sep) {
  size_t value = 0;
  auto [p, ec] = std::from_chars(text.data() + at, text.data() + text.size(), value);
  if (ec != std::errc{} || p == text.data() + text.size() || *p != sep) unreadable(text);
  at = static_cast<size_t>(p - text.data()) + 1;
  return value;
}

}  // namespace

// anchor:<UTC micros>|<page>|<len>:<id><len>:<id>...  (ids length-prefixed: they may hold anything)
std::string encode_anchor(const AnchorPosition& a) {
  std::string out = std::string(kPrefix) + format_utc_micros(a.anchor) + "|" + std::to_string(a.page) + "|";
  for (const auto& id : a.seen) out += std::to_string(id.size()) + ":" + id;
  return out;
}

std::optional<AnchorPosition> decode_anchor(const std::string& position) {
  if (position.empty()) return std::nullopt;
  if (position.rfind(kPrefix, 0) != 0) unreadable(position);
  auto bar = position.find('|', kPrefix.size());
  if (bar == std::string::npos) unreadable(position);
  auto anchor = try_parse_timestamp(std::string_view(position).substr(kPrefix.size(), bar - kPrefix.size()));
  if (!anchor) unreadable(position);
  AnchorPosition a{*anchor, 0, {}};
  size_t at = bar + 1;
  a.page = static_cast<int>(read_number(position, at, '|'));
  while (at < position.size()) {
    size_t len = read_number(position, at, ':');
    if (len > position.size() - at) unreadable(position);
    a.seen.push_back(position.substr(at, len));
    at += len;
  }
  return a;
}

std::optional<std::string> next_anchor(const std::optional<AnchorPosition>& at, std::vector<Record>& records,
                                       int page_size) {
  size_t returned = records.size();
  auto already_read = [&](const Record& r) {
    if (!at || !r.updated_at) return false;
    if (*r.updated_at < at->anchor) return true;
    return *r.updated_at == at->anchor && std::find(at->seen.begin(), at->seen.end(), r.id) != at->seen.end();
  };
  std::optional<Timestamp> newest;
  for (const auto& r : records) {
    if (r.updated_at && (!newest || *r.updated_at > *newest)) newest = r.updated_at;
  }
  records.erase(std::remove_if(records.begin(), records.end(), already_read), records.end());
  bool full = returned >= static_cast<size_t>(page_size);
  if (!newest) return std::nullopt;  // an empty page (or no readable cursor): the end
  AnchorPosition next{*newest, 0, {}};
  if (at && *newest <= at->anchor) {
    if (!full) return std::nullopt;  // nothing past the anchor: the end
    if (*newest < at->anchor) {
      throw Error(ErrorKind::data, "anchored paging: a full page of records before the anchor " +
                                       format_utc_micros(at->anchor) +
                                       "; the window format is coarser than the cursor (use a finer window format)");
    }
    next = *at;  // more records share the anchor than a page holds: the next page at it
    next.page += 1;
  }
  for (const auto& r : records) {
    if (r.updated_at && *r.updated_at == next.anchor) next.seen.push_back(r.id);
  }
  return encode_anchor(next);
}

}  // namespace tributary::connectors
