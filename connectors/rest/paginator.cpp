#include "connectors/rest/paginator.hpp"

#include <cctype>
#include <charconv>
#include <sstream>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tributary::connectors {
namespace {

long long anchored_page(const std::string& position) {
  auto a = decode_anchor(position);
  return a ? a->page : 0;
}

}  // namespace

long long position_number(const std::string& position, long long fallback) {
  if (position.empty()) return fallback;
  long long v = 0;
  auto [p, ec] = std::from_chars(position.data(), position.data() + position.size(), v);
  if (ec != std::errc{} || p != position.data() + position.size() || v < 0) {
    throw Error(ErrorKind::data, "stored position '" + position + "' is not a number");
  }
  return v;
}

namespace {

// Counted paginators (offset, page number) stop on an empty page, a reached total, or a short page.
// A declared total wins over the short-page rule: APIs that silently cap the page size
// return short pages long before the end.
bool counted_end(const PaginatorSpec& p, const PageFacts& page, long long seen_so_far) {
  if (page.returned == 0) return true;
  if (page.total) return seen_so_far >= *page.total;
  return p.stop_on_short_page && page.returned < static_cast<size_t>(page.page_size);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> paginator_params(const PaginatorSpec& p, const std::string& position,
                                                                  int page_size) {
  auto size = std::to_string(page_size);
  switch (p.kind) {
    case PaginatorKind::none: return {};
    case PaginatorKind::offset: {
      auto offset = p.anchor_cursor ? anchored_page(position) * page_size : position_number(position, 0);
      return {{p.offset_param, std::to_string(offset)}, {p.limit_param, size}};
    }
    case PaginatorKind::page_number: {
      auto page = p.anchor_cursor ? p.first_page + anchored_page(position) : position_number(position, p.first_page);
      return {{p.page_param, std::to_string(page)}, {p.limit_param, size}};
    }
    case PaginatorKind::cursor:
      if (position.empty() && !p.first_cursor.empty()) return {{p.cursor_param, p.first_cursor}, {p.limit_param, size}};
      if (position.empty()) return {{p.limit_param, size}};
      return {{p.cursor_param, position}, {p.limit_param, size}};
    case PaginatorKind::next_url:
    case PaginatorKind::link_header:
      if (position.empty()) return {{p.limit_param, size}};
      return {};
  }
  return {};
}

bool position_is_url(const PaginatorSpec& p, const std::string& position) {
  return !position.empty() && (p.kind == PaginatorKind::next_url || p.kind == PaginatorKind::link_header);
}

std::optional<std::string> next_position(const PaginatorSpec& p, const std::string& position, const PageFacts& page) {
  switch (p.kind) {
    case PaginatorKind::none: return std::nullopt;
    case PaginatorKind::offset: {
      long long next = position_number(position, 0) + static_cast<long long>(page.returned);
      if (counted_end(p, page, next)) return std::nullopt;
      return std::to_string(next);
    }
    case PaginatorKind::page_number: {
      // Counted from what came back, not the size asked for: an API may cap it silently.
      long long current = position_number(position, p.first_page);
      long long seen = page.records_before + static_cast<long long>(page.returned);
      if (counted_end(p, page, seen)) return std::nullopt;
      return std::to_string(current + 1);
    }
    case PaginatorKind::cursor:
    case PaginatorKind::next_url:
      if (!page.next_token || page.next_token->empty() || page.returned == 0) return std::nullopt;
      if (p.stop_on_short_page && page.returned < static_cast<size_t>(page.page_size)) return std::nullopt;
      return page.next_token;
    case PaginatorKind::link_header:
      if (!page.next_link || page.next_link->empty() || page.returned == 0) return std::nullopt;
      if (p.stop_on_short_page && page.returned < static_cast<size_t>(page.page_size)) return std::nullopt;
      return page.next_link;
  }
  return std::nullopt;
}

namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// RFC 8288: rel is a space-separated list of relation types, compared case-insensitively.
bool rel_has_next(const std::string& params) {
  size_t start = 0;
  while (start <= params.size()) {
    auto end = params.find(';', start);
    auto param = params.substr(start, end == std::string::npos ? std::string::npos : end - start);
    auto eq = param.find('=');
    if (eq != std::string::npos && to_lower(trimmed(param.substr(0, eq))) == "rel") {
      auto value = trimmed(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      std::istringstream types(value);
      for (std::string type; types >> type;) {
        if (to_lower(type) == "next") return true;
      }
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::optional<std::string> link_next(const std::string& header) {
  // <https://api.example.com/items?page=2>; rel="next", <...>; rel="last"
  size_t pos = 0;
  while ((pos = header.find('<', pos)) != std::string::npos) {
    auto close = header.find('>', pos);
    if (close == std::string::npos) return std::nullopt;
    auto next_link = header.find('<', close);
    // A link's parameters run to the comma before the next link (a quoted title may hold commas).
    auto params = header.substr(close + 1, next_link == std::string::npos ? std::string::npos : next_link - close - 1);
    auto comma = params.rfind(',');
    if (comma != std::string::npos && next_link != std::string::npos) params = params.substr(0, comma);
    if (rel_has_next(params)) return header.substr(pos + 1, close - pos - 1);
    pos = close + 1;
  }
  return std::nullopt;
}

}  // namespace tributary::connectors
