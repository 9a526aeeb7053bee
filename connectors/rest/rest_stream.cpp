#include "connectors/rest/rest_stream.hpp"

#include <strings.h>

#include <charconv>


#include "connectors/rest/json_page.hpp"
#include "connectors/qbo/qbo_query.hpp"
#include "connectors/qbo/qbo_response.hpp"
#include "connectors/rest/paginator.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "core/text.hpp"
#include "http/curl_client.hpp"

namespace tributary::connectors {
namespace {

// scheme://host[:port]
std::string origin_of(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  auto slash = url.find('/', scheme + 3);
  return url.substr(0, slash);
}

// Removes `name=...` from a URL's query string (a key echoed back in a next link).
std::string without_param(const std::string& url, const std::string& name) {
  auto q = url.find('?');
  if (name.empty() || q == std::string::npos) return url;
  std::string out = url.substr(0, q), query = url.substr(q + 1), kept;
  size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    auto part = query.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!part.empty() && part.rfind(http::url_encode(name) + "=", 0) != 0) kept += (kept.empty() ? "" : "&") + part;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return kept.empty() ? out : out + "?" + kept;
}

}  // namespace

std::string fill_window(const std::string& text, const Window& window, const WindowSpec& spec) {
  if (text.find('{') == std::string::npos) return text;
  auto end = spec.inclusive ? window.end - spec.granularity : window.end;
  return replace_all(replace_all(text, "{window_start}", format_time(window.start, spec.format)), "{window_end}",
                     format_time(end, spec.format));
}

RestStream::RestStream(const ConnectorConfig& connector, StreamConfig stream)
    : connector_(connector), stream_(std::move(stream)) {
  if (qbo() && stream_.page_size > qbo::kMaxResults) {
    throw Error(ErrorKind::config, connector_.path + ": stream '" + stream_.name + "': page_size " +
                                       std::to_string(stream_.page_size) +
                                       " exceeds QuickBooks' MAXRESULTS limit of 1000");
  }
}

SourceRequest RestStream::build(const std::string& path, const Window& window, const std::string& position,
                                int page_size, const std::string& statement, bool paginate) const {
  const auto& spec = stream_.rest;
  SourceRequest r;
  r.http.method = spec.method;
  r.http.label = spec.method + " " + connector_.base_url + path + " (" + stream_.name + ")";
  r.http.headers = connector_.headers;
  bool has_accept = false;
  for (const auto& [k, v] : r.http.headers) has_accept = has_accept || strcasecmp(k.c_str(), "Accept") == 0;
  if (!has_accept) r.http.headers.emplace_back("Accept", "application/json");
  std::vector<JsonField> params;
  if (position_is_url(spec.paginator, position)) {
    r.http.url = position;
    params.push_back({"next_url", position});
  } else {
    std::string query;
    auto all = spec.params;
    if (paginate) {
      for (auto& p : paginator_params(spec.paginator, position, page_size)) all.push_back(std::move(p));
    }
    if (!statement.empty()) all.emplace_back("query", statement);
    for (const auto& [k, v] : all) {
      auto value = fill_window(v, window, spec.window);
      query += query.empty() ? '?' : '&';
      query += http::url_encode(k);
      query += '=';
      query += http::url_encode(value);
      params.push_back({k, value});
    }
    r.http.url = connector_.base_url + path + query;
  }
  std::vector<JsonField> payload{{"method", spec.method}, {"url", connector_.base_url + path},
                                 {"params", json_object(params), true}};
  if (!spec.body.empty()) {
    r.http.body = fill_window(spec.body, window, spec.window);
    r.http.headers.emplace_back("Content-Type", "application/json");
    payload.push_back({"body", r.http.body});
  }
  r.request_payload = json_object(payload);
  return r;
}

SourceRequest RestStream::page_request(const Window& window, const std::string& position) const {
  if (!qbo()) return build(stream_.rest.path, window, position, stream_.page_size);
  auto statement = qbo::page_query(stream_.rest.paginator.entity, window, start_position(position), stream_.page_size);
  return build(stream_.rest.path, window, position, stream_.page_size, statement);
}

std::string RestStream::next_url(const std::string& raw) const {
  std::string url = raw;
  if (raw.rfind("http://", 0) != 0 && raw.rfind("https://", 0) != 0) {
    url = raw[0] == '/' ? origin_of(connector_.base_url) + raw
          : raw[0] == '?' ? connector_.base_url + stream_.rest.path + raw
                          : connector_.base_url + "/" + raw;
  }
  if (origin_of(url) != origin_of(connector_.base_url)) {
    // Following it would send our credentials to another host.
    throw Error(ErrorKind::data, "the next page link points to " + origin_of(url) + ", not " +
                                     origin_of(connector_.base_url) + "; refusing to follow it");
  }
  return connector_.auth.kind == "api_key" && connector_.auth.api_key_in == "query"
             ? without_param(url, connector_.auth.api_key_name)
             : url;
}

void RestStream::parse_page(Page& page, const std::string& position) const {
  const auto& p = stream_.rest.paginator;
  bool body_next = p.kind == PaginatorKind::cursor || p.kind == PaginatorKind::next_url;
  auto reading = read_json_page(page.body, stream_.rest, body_next ? p.next : "", p.total, qbo());
  page.records = std::move(reading.records);
  PageFacts facts{page.records.size(), stream_.page_size, reading.next, std::nullopt, reading.total};
  if (auto it = page.headers.find("link"); it != page.headers.end()) facts.next_link = link_next(it->second);
  page.next_position = next_position(p, position, facts);
  if (page.next_position && (p.kind == PaginatorKind::next_url || p.kind == PaginatorKind::link_header)) {
    page.next_position = next_url(*page.next_position);
  }
}

std::optional<SourceRequest> RestStream::count_request(const Window& window) const {
  const auto& v = stream_.rest.volume;
  switch (v.kind) {
    case VolumeKind::none: return std::nullopt;
    case VolumeKind::count_request: return build(v.path, window, "", 1, "", false);
    case VolumeKind::total_field:
    case VolumeKind::total_header: return build(stream_.rest.path, window, "", 1);
    case VolumeKind::qbo_count:
      return build(stream_.rest.path, window, "", 1, qbo::count_query(stream_.rest.paginator.entity, window));
  }
  return std::nullopt;
}

long long RestStream::parse_count(http::HttpResponse& response) const {
  const auto& v = stream_.rest.volume;
  if (v.kind == VolumeKind::qbo_count) return qbo::parse_count(response.body);
  std::optional<std::string> text;
  if (v.kind == VolumeKind::total_header) {
    if (auto* h = response.header(to_lower(v.header))) text = *h;
  } else {
    text = read_json_value(response.body, v.pointer);
  }
  long long n = 0;
  if (!text || std::from_chars(text->data(), text->data() + text->size(), n).ec != std::errc{}) {
    throw Error(ErrorKind::data, "stream " + stream_.name + ": the answer has no readable count (" +
                                     (v.kind == VolumeKind::total_header ? "header " + v.header : "at " + v.pointer) + ")");
  }
  return n;
}

// Reconciliation speaks QuickBooks' query language: SELECT Id, MetaData.LastUpdatedTime pages
// (1000 at a time), then SELECT * ... WHERE Id IN (...) for what offset paging missed.
SourceRequest RestStream::id_request(const Window& window, const std::string& position) const {
  require_qbo("reconcile");
  const auto& entity = stream_.rest.paginator.entity;
  return build(stream_.rest.path, window, position, qbo::kMaxResults,
               qbo::id_query(entity, window, start_position(position), qbo::kMaxResults));
}

IdPage RestStream::parse_ids(http::HttpResponse& response, const std::string& position) const {
  require_qbo("reconcile");
  IdPage page;
  page.ids = qbo::parse_id_page(response.body, stream_.rest.paginator.entity);
  PaginatorSpec ids = stream_.rest.paginator;
  page.next_position = next_position(ids, position, {page.ids.size(), qbo::kMaxResults, {}, {}, {}});
  return page;
}

SourceRequest RestStream::fetch_by_ids_request(const std::vector<std::string>& ids) const {
  require_qbo("reconcile");
  return build(stream_.rest.path, Window{}, "", static_cast<int>(ids.size()),
               qbo::by_ids_query(stream_.rest.paginator.entity, ids));
}

void RestStream::require_qbo(const char* what) const {
  if (!qbo()) throw Error(ErrorKind::internal, "stream " + stream_.name + " cannot " + what + " by id");
}

long RestStream::start_position(const std::string& position) const {
  auto start = position_number(position, 1);
  if (start < 1) throw Error(ErrorKind::data, "stored position '" + position + "' is not a STARTPOSITION");
  return static_cast<long>(start);
}

RestConnector::RestConnector(ConnectorConfig config) : config_(std::move(config)) {
  for (const auto& s : config_.streams) streams_.push_back(std::make_unique<RestStream>(config_, s));
}

const Stream& RestConnector::stream(const std::string& name) const {
  std::string known;
  for (const auto& s : streams_) {
    if (s->config().name == name) return *s;
    known += (known.empty() ? "" : ", ") + s->config().name;
  }
  throw Error(ErrorKind::usage, "unknown stream '" + name + "' (" + config_.path + " declares: " + known + ")");
}

std::string RestConnector::describe_failure(const http::HttpResponse& response) const {
  if (config_.errors == "quickbooks_fault") return qbo::describe_fault(response);
  return http::describe_plainly(response);
}

}  // namespace tributary::connectors
