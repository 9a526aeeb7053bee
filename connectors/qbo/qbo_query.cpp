#include "connectors/qbo/qbo_query.hpp"

#include "http/curl_client.hpp"

namespace tributary::connectors::qbo {

std::string quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string window_filter(const Window& window) {
  return "MetaData.LastUpdatedTime >= " + quote(format_utc_offset(window.start)) +
         " AND MetaData.LastUpdatedTime < " + quote(format_utc_offset(window.end));
}

std::string page_query(std::string_view entity, const Window& window, long start_position, int max_results) {
  return "SELECT * FROM " + std::string(entity) + " WHERE " + window_filter(window) +
         " ORDERBY Id STARTPOSITION " + std::to_string(start_position) + " MAXRESULTS " +
         std::to_string(max_results);
}

std::string count_query(std::string_view entity, const Window& window) {
  return "SELECT COUNT(*) FROM " + std::string(entity) + " WHERE " + window_filter(window);
}

std::string id_query(std::string_view entity, const Window& window, long start_position, int max_results) {
  return "SELECT Id, MetaData.LastUpdatedTime FROM " + std::string(entity) + " WHERE " +
         window_filter(window) + " ORDERBY Id STARTPOSITION " + std::to_string(start_position) +
         " MAXRESULTS " + std::to_string(max_results);
}

std::string by_ids_query(std::string_view entity, const std::vector<std::string>& ids) {
  std::string list;
  for (const auto& id : ids) list += (list.empty() ? "" : ",") + quote(id);
  return "SELECT * FROM " + std::string(entity) + " WHERE Id IN (" + list + ") MAXRESULTS " +
         std::to_string(std::max<size_t>(ids.size(), 1));
}

std::string query_url(std::string_view base_url, std::string_view realm, int minor_version,
                      std::string_view statement) {
  return std::string(base_url) + "/v3/company/" + http::url_encode(realm) +
         "/query?query=" + http::url_encode(statement) + "&minorversion=" + std::to_string(minor_version);
}

}  // namespace tributary::connectors::qbo
