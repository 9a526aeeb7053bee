#include "mock/rest/rest_pages.hpp"

#include <algorithm>

#include "mock/common/json_writer.hpp"
#include "mock/rest/rest_params.hpp"

namespace tributary::mock {
namespace {

const char* const kJson = "application/json";

std::string json_rows(const std::vector<const TableRow*>& rows) {
  return join_json_array(rows, [](const TableRow* row) -> const std::string& { return row->json; });
}

// Records actually served per page for a requested size.
std::size_t served(const RestMockOptions& o, int size) {
  return static_cast<std::size_t>(o.short_pages ? (size + 1) / 2 : size);
}

std::int64_t reported_total(const PageRequest& p) {
  auto total = static_cast<std::int64_t>(p.table.count(p.range)) + p.options.total_lies_by;
  return std::max<std::int64_t>(total, 0);
}

// The client's other query parameters, verbatim and in order, as "&a=1&b=2".
std::string other_params(const httplib::Request& req, std::initializer_list<std::string_view> replaced) {
  std::string out;
  for (const auto& [key, value] : raw_query(req.target)) {
    if (std::find(replaced.begin(), replaced.end(), key) != replaced.end()) continue;
    out += "&" + key + "=" + value;
  }
  return out;
}

// The token the next request should carry: past the last row, or (repeat_next_token) the one
// this request carried.
std::optional<std::string> next_token(const PageRequest& p, const KeysetSlice& slice, const char* param) {
  if (p.options.repeat_next_token && p.req.has_param(param)) return p.req.get_param_value(param);
  if (!slice.more) return std::nullopt;
  return encode_keyset_cursor(KeysetTable::position_of(*slice.rows.back()));
}

HttpAnswer offset_page(const PageRequest& p) {
  int offset = count_param(p.req, "offset", 0);
  int limit = page_size_param(p.req, "limit", p.options);
  KeysetSlice slice = p.table.at_offset(p.range, static_cast<std::size_t>(offset), served(p.options, limit));
  return plain_answer(200, kJson, "{\"items\":" + json_rows(slice.rows) + ",\"total\":" +
                                      std::to_string(reported_total(p)) + "}");
}

HttpAnswer numbered_page(const PageRequest& p) {
  int page = count_param(p.req, "page", 1);
  if (page < 1) throw BadRequest("invalid parameter 'page'");
  int per_page = page_size_param(p.req, "per_page", p.options);
  std::size_t size = served(p.options, per_page);
  std::size_t count = p.table.count(p.range);
  int last_page = std::max<int>(1, static_cast<int>((count + size - 1) / size));
  KeysetSlice slice = p.table.at_offset(p.range, (static_cast<std::size_t>(page) - 1) * size, size);
  HttpAnswer a = plain_answer(200, kJson, json_rows(slice.rows));
  a.headers.emplace_back("X-Total-Count", std::to_string(reported_total(p)));
  auto links = link_values(p.origin + p.req.path + "?", page, last_page, per_page,
                           other_params(p.req, {"page", "per_page"}), p.options.repeat_next_token && page >= 2);
  if (p.options.split_link_headers) {
    for (auto& link : links) a.headers.emplace_back("Link", std::move(link));
  } else if (!links.empty()) {
    a.headers.emplace_back("Link", join_links(links));
  }
  return a;
}

// json-server 1.0's envelope; the page numbers all derive from `items`, as json-server's do.
std::string json_server_envelope(std::int64_t page, std::int64_t next, std::int64_t last, std::int64_t items,
                                 const std::string& data) {
  auto number_or_null = [](bool present, std::int64_t n) { return present ? std::to_string(n) : "null"; };
  JsonWriter w;
  w.begin_object().field("first", 1).field_raw("prev", number_or_null(page > 1, page - 1));
  w.field_raw("next", number_or_null(next <= last, next)).field("last", last).field("pages", last);
  w.field("items", items).field_raw("data", data).end_object();
  return w.take();
}

// json-server 1.0 (_page/_per_page): without _page the whole filtered collection as a root
// array; with it the envelope, a page past the last answered exactly as the last.
HttpAnswer json_server_page(const PageRequest& p) {
  if (!p.req.has_param("_page")) {
    std::size_t all = p.table.count(p.range);
    return plain_answer(200, kJson, json_rows(p.table.at_offset(p.range, 0, all).rows));
  }
  int asked = count_param(p.req, "_page", 1);
  if (asked < 1) throw BadRequest("invalid parameter '_page'");
  auto size = static_cast<std::int64_t>(served(p.options, page_size_param(p.req, "_per_page", p.options)));
  std::int64_t items = reported_total(p);
  std::int64_t last = std::max<std::int64_t>(1, (items + size - 1) / size);
  std::int64_t page = std::min<std::int64_t>(asked, last);
  std::int64_t next = p.options.repeat_next_token && page >= 2 ? page : page + 1;
  KeysetSlice slice = p.table.at_offset(p.range, static_cast<std::size_t>((page - 1) * size),
                                        static_cast<std::size_t>(size));
  return plain_answer(200, kJson, json_server_envelope(page, next, last, items, json_rows(slice.rows)));
}

HttpAnswer cursor_page(const PageRequest& p) {
  auto after = token_param(p.req, "cursor");
  int limit = page_size_param(p.req, "limit", p.options);
  KeysetSlice slice = p.table.after(p.range, after, served(p.options, limit));
  auto next = next_token(p, slice, "cursor");
  return plain_answer(200, kJson, "{\"data\":" + json_rows(slice.rows) + ",\"meta\":{\"next_cursor\":" +
                                      (next ? json_quote(*next) : "null") + "}}");
}

HttpAnswer next_url_page(const PageRequest& p) {
  auto after = token_param(p.req, "after");
  int limit = page_size_param(p.req, "limit", p.options);
  KeysetSlice slice = p.table.after(p.range, after, served(p.options, limit));
  auto token = next_token(p, slice, "after");
  std::string next = "null";
  if (token) {
    next = json_quote(p.origin + p.req.path + "?after=" + *token + "&limit=" + std::to_string(limit) +
                      other_params(p.req, {"after", "limit"}));
  }
  return plain_answer(200, kJson, "{\"results\":" + json_rows(slice.rows) + ",\"next\":" + next + "}");
}

}  // namespace

std::vector<std::string> link_values(const std::string& url_prefix, int page, int last_page, int per_page,
                                     const std::string& other, bool repeat_next) {
  auto link = [&](int target, const char* rel) {
    return "<" + url_prefix + "page=" + std::to_string(target) + "&per_page=" + std::to_string(per_page) +
           other + ">; rel=\"" + rel + "\"";
  };
  std::vector<std::string> parts;
  if (page > 1) parts.push_back(link(std::min(page - 1, last_page), "prev"));
  if (repeat_next) {
    parts.push_back(link(page, "next"));
  } else if (page < last_page) {
    parts.push_back(link(page + 1, "next"));
  }
  if (page < last_page) parts.push_back(link(last_page, "last"));
  if (page > 1) parts.push_back(link(1, "first"));
  return parts;
}

std::string join_links(const std::vector<std::string>& links) {
  std::string out;
  for (const auto& link : links) out += (out.empty() ? "" : ", ") + link;
  return out;
}

HttpAnswer answer_deleted_page(const PageRequest& p) {
  int offset = count_param(p.req, "offset", 0);
  int limit = page_size_param(p.req, "limit", p.options);
  KeysetSlice slice = p.table.at_offset(p.range, static_cast<std::size_t>(offset), static_cast<std::size_t>(limit));
  return plain_answer(200, kJson, "{\"deleted\":" + json_rows(slice.rows) + ",\"total\":" +
                                      std::to_string(p.table.count(p.range)) + "}");
}

HttpAnswer answer_items_page(const PageRequest& p) {
  switch (p.options.style) {
    case PageStyle::Offset: return offset_page(p);
    case PageStyle::Page: return numbered_page(p);
    case PageStyle::Cursor: return cursor_page(p);
    case PageStyle::NextUrl: return next_url_page(p);
    case PageStyle::PageJson: return json_server_page(p);
  }
  return offset_page(p);
}

}  // namespace tributary::mock
