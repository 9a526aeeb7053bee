#pragma once
// QuickBooks Online's query language, as far as the connector speaks it. Pure functions.
#include <string>
#include <string_view>
#include <vector>

#include "core/window.hpp"

namespace tributary::connectors::qbo {

// The largest page QBO answers is 1000 rows; asking for more is a 400, not a cap.
constexpr int kMaxResults = 1000;

// 'O\'Brien': single quotes, with \' escapes.
std::string quote(std::string_view value);

// MetaData.LastUpdatedTime >= '…+00:00' AND MetaData.LastUpdatedTime < '…+00:00' (half-open).
std::string window_filter(const Window& window);

// SELECT * FROM Invoice WHERE <window> ORDERBY Id STARTPOSITION 1 MAXRESULTS 100
std::string page_query(std::string_view entity, const Window& window, long start_position, int max_results);
std::string count_query(std::string_view entity, const Window& window);
std::string id_query(std::string_view entity, const Window& window, long start_position, int max_results);
std::string by_ids_query(std::string_view entity, const std::vector<std::string>& ids);

// {base}/v3/company/{realm}/query?query=<statement URL-encoded once>&minorversion=N
std::string query_url(std::string_view base_url, std::string_view realm, int minor_version,
                      std::string_view statement);

}  // namespace tributary::connectors::qbo
