// Reading the generic API's query: credentials, time filters, page sizes and tokens. Bad input
// throws BadRequest, which the server answers 400 {"error": ...}.
#pragma once

#include <httplib.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mock/common/keyset.hpp"
#include "mock/rest/rest_mock.hpp"

namespace tributary::mock {

struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool authorized(const RestMockOptions& options, const httplib::Request& req);

// All filters present, intersected: updated_since/updated_before (RFC 3339, half-open),
// updated_from/updated_to (RFC 3339, both inclusive), since_epoch/until_epoch (integer
// seconds, half-open).
TimeRange time_filter(const httplib::Request& req);
// GET /items/deleted's window over deletion times: since (required) <= deleted_at < until
// (optional), both RFC 3339. The /items filters are not read there.
TimeRange deleted_window(const httplib::Request& req);

// Non-negative integer parameter, `fallback` when absent.
int count_param(const httplib::Request& req, const char* name, int fallback);
// limit / per_page: default when absent, at least 1, clamped to max_limit.
int page_size_param(const httplib::Request& req, const char* name, const RestMockOptions& options);
// A keyset token parameter, decoded; nullopt when absent. Garbled -> BadRequest "invalid cursor".
std::optional<KeysetPosition> token_param(const httplib::Request& req, const char* name);

// The query string's pairs exactly as sent (still percent-encoded), in order, so links can
// carry the client's other parameters back verbatim.
std::vector<std::pair<std::string, std::string>> raw_query(const std::string& target);

}  // namespace tributary::mock
