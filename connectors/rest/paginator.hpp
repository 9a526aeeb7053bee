#pragma once
// Paginators as policy: which parameters a position adds to a request, and what position
// follows a page. Pure functions; the stream does the I/O.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/rest/rest_spec.hpp"

namespace tributary::connectors {

struct PageFacts {
  size_t returned = 0;
  int page_size = 0;
  std::optional<std::string> next_token;  // body's next cursor or next URL
  std::optional<std::string> next_link;   // Link rel="next"
  std::optional<long long> total;
  long long records_before = 0;  // records read from this window's earlier pages in this pass
};

// For positions that are whole URLs (next_url, link_header after the first page) the request
// is that URL and this returns nothing.
std::vector<std::pair<std::string, std::string>> paginator_params(const PaginatorSpec& p, const std::string& position,
                                                                  int page_size);
bool position_is_url(const PaginatorSpec& p, const std::string& position);

// nullopt: the page was the last one.
std::optional<std::string> next_position(const PaginatorSpec& p, const std::string& position, const PageFacts& page);

// An anchored position (paginator anchor: cursor): restart at `anchor`, skipping the records
// already read there; `page` counts pages taken at the same anchor (more records share one
// cursor value than a page holds).
struct AnchorPosition {
  Timestamp anchor;
  int page = 0;
  std::vector<std::string> seen;  // ids read with cursor == anchor
};
std::string encode_anchor(const AnchorPosition& a);
std::optional<AnchorPosition> decode_anchor(const std::string& position);  // "" -> nullopt

// Drops from `records` those read before (cursor < anchor, or == anchor and seen) and returns
// the position after the page, nullopt at the end: a page that brings nothing new and is not
// full. `returned` is the page's size before dropping.
std::optional<std::string> next_anchor(const std::optional<AnchorPosition>& at, std::vector<Record>& records,
                                       int page_size);

// A counted position (offset, page, STARTPOSITION) as a number; "" is `fallback`. Throws
// Error(data) for anything else.
long long position_number(const std::string& position, long long fallback);

// The target of rel="next" in an RFC 8288 Link header, if any.
std::optional<std::string> link_next(const std::string& header);

}  // namespace tributary::connectors
