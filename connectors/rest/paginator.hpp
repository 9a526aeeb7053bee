#pragma once
// Paginators as policy: which parameters a position adds to a request, and what position
// follows a page. Pure functions; the stream does the I/O.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/rest/rest_spec.hpp"

namespace tributary::connectors {

struct PageFacts {
  size_t returned = 0;
  int page_size = 0;
  std::optional<std::string> next_token;  // body's next cursor or next URL
  std::optional<std::string> next_link;   // Link rel="next"
  std::optional<long long> total;
};

// For positions that are whole URLs (next_url, link_header after the first page) the request
// is that URL and this returns nothing.
std::vector<std::pair<std::string, std::string>> paginator_params(const PaginatorSpec& p, const std::string& position,
                                                                  int page_size);
bool position_is_url(const PaginatorSpec& p, const std::string& position);

// nullopt: the page was the last one.
std::optional<std::string> next_position(const PaginatorSpec& p, const std::string& position, const PageFacts& page);

// A counted position (offset, page, STARTPOSITION) as a number; "" is `fallback`. Throws
// Error(data) for anything else.
long long position_number(const std::string& position, long long fallback);

// The target of rel="next" in an RFC 8288 Link header, if any.
std::optional<std::string> link_next(const std::string& header);

}  // namespace tributary::connectors
