#include "connectors/qbo/qbo_connector.hpp"

#include <charconv>

#include "connectors/qbo/qbo_query.hpp"
#include "connectors/qbo/qbo_response.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace tributary::connectors::qbo {
namespace {

// A position is the next STARTPOSITION (1-based), as text; "" means 1.
long start_of(const std::string& position) {
  if (position.empty()) return 1;
  long v = 0;
  auto [p, ec] = std::from_chars(position.data(), position.data() + position.size(), v);
  if (ec != std::errc{} || p != position.data() + position.size() || v < 1) {
    throw Error(ErrorKind::data, "stored QuickBooks position '" + position + "' is not a STARTPOSITION");
  }
  return v;
}

// Offset paging ends on a short page: fewer rows than asked means nothing follows.
std::optional<std::string> next_after(long start, size_t returned, int asked) {
  if (returned < static_cast<size_t>(asked)) return std::nullopt;
  return std::to_string(start + static_cast<long>(returned));
}

}  // namespace

QboStream::QboStream(const ConnectorConfig& connector, StreamConfig stream)
    : connector_(connector), stream_(std::move(stream)) {
  if (stream_.page_size > kMaxResults) {
    throw Error(ErrorKind::config, connector_.path + ": stream '" + stream_.name + "': page_size " +
                                       std::to_string(stream_.page_size) + " exceeds QuickBooks' MAXRESULTS limit of 1000");
  }
}

SourceRequest QboStream::query_request(const std::string& statement) const {
  SourceRequest r;
  r.http.method = "GET";
  r.http.url = query_url(connector_.base_url, connector_.account, connector_.minor_version, statement);
  r.http.label = "GET " + connector_.base_url + "/v3/company/" + connector_.account + "/query (" +
                 stream_.name + ")";
  r.http.headers = {{"Accept", "application/json"}};
  r.request_payload = json_object({
      {"method", "GET"},
      {"url", connector_.base_url + "/v3/company/" + connector_.account + "/query"},
      {"query", statement},
      {"params", json_object({{"minorversion", std::to_string(connector_.minor_version)}}), true},
  });
  return r;
}

SourceRequest QboStream::page_request(const Window& window, const std::string& position) const {
  return query_request(page_query(stream_.entity, window, start_of(position), stream_.page_size));
}

void QboStream::parse_page(Page& page, const std::string& position) const {
  page.records = parse_entity_page(page.body, stream_.entity);
  page.next_position = next_after(start_of(position), page.records.size(), stream_.page_size);
}

std::optional<SourceRequest> QboStream::count_request(const Window& window) const {
  return query_request(count_query(stream_.entity, window));
}

long long QboStream::parse_count(http::HttpResponse& response) const { return qbo::parse_count(response.body); }

SourceRequest QboStream::id_request(const Window& window, const std::string& position) const {
  return query_request(id_query(stream_.entity, window, start_of(position), kMaxResults));
}

IdPage QboStream::parse_ids(http::HttpResponse& response, const std::string& position) const {
  IdPage page;
  page.ids = parse_id_page(response.body, stream_.entity);
  page.next_position = next_after(start_of(position), page.ids.size(), kMaxResults);
  return page;
}

SourceRequest QboStream::fetch_by_ids_request(const std::vector<std::string>& ids) const {
  return query_request(by_ids_query(stream_.entity, ids));
}

QboConnector::QboConnector(ConnectorConfig config) : config_(std::move(config)) {
  for (const auto& s : config_.streams) streams_.push_back(std::make_unique<QboStream>(config_, s));
}

const Stream& QboConnector::stream(const std::string& name) const {
  for (const auto& s : streams_) {
    if (s->config().name == name) return *s;
  }
  std::string known;
  for (const auto& s : streams_) known += (known.empty() ? "" : ", ") + s->config().name;
  throw Error(ErrorKind::usage, "unknown stream '" + name + "' (" + config_.path + " declares: " + known + ")");
}

std::string QboConnector::describe_failure(const http::HttpResponse& response) const {
  return describe_fault(response);
}

}  // namespace tributary::connectors::qbo
