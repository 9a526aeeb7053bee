// The five pagination conventions of GET /items, each answered exactly as the APIs that use it
// do, over one (updated_at, id)-ordered, filtered table.
#pragma once

#include <httplib.h>

#include <string>
#include <vector>

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
// GET /items/deleted over the deletion table: offset/limit paging whatever the style, as
// {"deleted":[{"id":N,"deleted_at":"..."},...],"total":K}. The misbehaviour switches do not
// apply (they test the /items paginators). Throws BadRequest on bad parameters.
HttpAnswer answer_deleted_page(const PageRequest& page);

// The page style's links, each "<url>; rel=\"next\"", in GitHub's order and presence rules:
// prev and first unless on page 1, next and last unless on the last page.
std::vector<std::string> link_values(const std::string& url_prefix, int page, int last_page, int per_page,
                                     const std::string& other_params, bool repeat_next);
// Links joined with ", ": the single Link header GitHub sends ("" for none).
std::string join_links(const std::vector<std::string>& links);

}  // namespace tributary::mock
