// The four pagination conventions of GET /items, each answered exactly as the APIs that use it
// do, over one (updated_at, id)-ordered, filtered table.
#pragma once

#include <httplib.h>

#include <string>

#include "mock/common/http_faults.hpp"
#include "mock/common/keyset.hpp"
#include "mock/rest/rest_mock.hpp"

namespace tributary::mock {

struct PageRequest {
  const KeysetTable& table;
  const TimeRange& range;
  const httplib::Request& req;
  const RestMockOptions& options;
  std::string origin;  // "http://host:port" for the absolute URLs in Link and next
};

// Throws BadRequest on bad parameters.
HttpAnswer answer_items_page(const PageRequest& page);

// "<url>; rel=\"next\", <url>; rel=\"last\"" links for the page style, GitHub's order and
// presence rules: prev and first unless on page 1, next and last unless on the last page.
std::string link_header(const std::string& url_prefix, int page, int last_page, int per_page,
                        const std::string& other_params, bool repeat_next);

}  // namespace tributary::mock
