#include "connectors/rest/rest_stream.hpp"

#include <strings.h>

#include <algorithm>
#include <charconv>


#include "connectors/rest/json_page.hpp"
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
  if (stream_.deletions) {
    StreamConfig feed = stream_;
    feed.name = stream_.name + " deletions";
    feed.rest = stream_.deletions->feed;
    feed.deletions.reset();
    deletions_ = std::make_unique<RestStream>(connector_, std::move(feed));
  }
}

SourceRequest RestStream::build(const std::string& path, const Window& window, const std::string& position,
                                int page_size, const std::vector<std::pair<std::string, std::string>>& extra,
                                bool paginate) const {
  const auto& spec = stream_.rest;
  SourceRequest r;
  r.http.method = spec.method;
  // Labels reach logs and errors, request_payload every row: neither shows a secret value,
  // and a secret param shows as *** (it is still sent).
  auto shown = [this](const std::string& text) { return scrub(text, connector_.secrets); };
  r.http.label = shown(spec.method + " " + connector_.base_url + path + " (" + stream_.name + ")");
  r.http.headers = connector_.headers;
  bool has_accept = false;
  for (const auto& [k, v] : r.http.headers) has_accept = has_accept || strcasecmp(k.c_str(), "Accept") == 0;
  if (!has_accept) r.http.headers.emplace_back("Accept", "application/json");
  std::vector<JsonField> params;
  if (position_is_url(spec.paginator, position)) {
    r.http.url = position;
    params.push_back({"next_url", shown(position)});
  } else {
    std::string query;
    auto all = spec.params;
    if (paginate) {
      for (auto& p : paginator_params(spec.paginator, position, page_size)) all.push_back(std::move(p));
    }
    all.insert(all.end(), extra.begin(), extra.end());
    for (const auto& [k, v] : all) {
      auto value = fill_window(v, window, spec.window);
      query += query.empty() ? '?' : '&';
      query += http::url_encode(k);
      query += '=';
      query += http::url_encode(value);
      bool secret = std::find(stream_.secret_params.begin(), stream_.secret_params.end(), k) != stream_.secret_params.end();
      params.push_back({k, secret ? std::string("***") : shown(value)});
    }
    r.http.url = connector_.base_url + path + query;
  }
  std::vector<JsonField> payload{{"method", spec.method}, {"url", shown(connector_.base_url + path)},
                                 {"params", json_object(params), true}};
  if (!spec.body.empty()) {
    r.http.body = fill_window(spec.body, window, spec.window);
    r.http.headers.emplace_back("Content-Type", "application/json");
    payload.push_back({"body", shown(r.http.body)});
  }
  r.request_payload = json_object(payload);
  return r;
}

Guarantee RestStream::guarantee() const {
  const auto& p = stream_.rest.paginator;
  if (stream_.rest.verify == VerifyMode::none) return Guarantee::unverified;
  if (stream_.rest.verify == VerifyMode::sweep) return Guarantee::sweep;
  if (p.anchor_cursor) return Guarantee::keyset;
  switch (p.kind) {
    case PaginatorKind::none: return Guarantee::single_request;
    case PaginatorKind::cursor:
    case PaginatorKind::next_url: return Guarantee::source_cursor;
    case PaginatorKind::offset:
    case PaginatorKind::page_number:
    case PaginatorKind::link_header: return Guarantee::sweep;
  }
  return Guarantee::sweep;
}

SourceRequest RestStream::page_request(const Window& window, const std::string& position) const {
  return sized_page_request(window, position, stream_.page_size);
}

SourceRequest RestStream::sized_page_request(const Window& window, const std::string& position, int size) const {
  if (stream_.rest.paginator.anchor_cursor) {
    // Anchored: the window starts again at the last cursor value read.
    if (auto anchor = decode_anchor(position)) return build(stream_.rest.path, {anchor->anchor, window.end}, position, size);
  }
  return build(stream_.rest.path, window, position, size);
}

std::optional<Window> RestStream::requested_range(const Window& window) const {
  if (!incremental()) return std::nullopt;
  const auto& w = stream_.rest.window;
  auto as_sent = [&](const Timestamp& t) { return parse_time(format_time(t, w.format), w.format).value_or(t); };
  // Inclusive windows send end - granularity and the API includes it: the range ends one
  // granularity later (a whole day for a date format).
  auto end = w.inclusive ? as_sent(window.end - w.granularity) + w.granularity : as_sent(window.end);
  return Window{as_sent(window.start), end};
}

Duration RestStream::window_step() const {
  const auto& w = stream_.rest.window;
  return std::max(w.granularity, resolution(w.format));
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
  auto reading = read_json_page(page.body, stream_.rest, body_next ? p.next : "", p.total);
  page.records = std::move(reading.records);
  if (p.anchor_cursor) {
    page.next_position = next_anchor(decode_anchor(position), page.records, stream_.page_size);
    return;
  }
  PageFacts facts{page.records.size(), stream_.page_size, reading.next, std::nullopt, reading.total,
                  page.records_before};
  if (auto it = page.headers.find("link"); it != page.headers.end()) facts.next_link = link_next(it->second);
  page.next_position = next_position(p, position, facts);
  if (page.next_position && (p.kind == PaginatorKind::next_url || p.kind == PaginatorKind::link_header)) {
    page.next_position = next_url(*page.next_position);
  }
  if (!page.next_position) page.end_check = end_check(page.window, position, page);
}

// Which endings are taken on trust and which are asked once more (docs/connectors.md, "Where
// paging ends").
std::optional<EndCheck> RestStream::end_check(const Window& window, const std::string& position, const Page& page) const {
  const auto& p = stream_.rest.paginator;
  bool full = page.records.size() >= static_cast<size_t>(stream_.page_size);
  if (!full) return std::nullopt;
  if ((p.kind == PaginatorKind::offset || p.kind == PaginatorKind::page_number) && !p.total.empty()) {
    // Ended by the declared total on a full page: the next page must be empty.
    auto after = p.kind == PaginatorKind::offset
                     ? std::to_string(position_number(position, 0) + static_cast<long long>(page.records.size()))
                     : std::to_string(position_number(position, p.first_page) + 1);
    return EndCheck{sized_page_request(window, after, stream_.page_size), EndCheck::Expect::no_records, 1};
  }
  if (p.kind == PaginatorKind::link_header && position.empty() && page.headers.count("link") == 0) {
    // A full first page without any Link header: one page exactly, or an API that does not
    // send Link headers at all. Half the page size must then bring a next link.
    int half = std::max(1, stream_.page_size / 2);
    return EndCheck{sized_page_request(window, "", half), EndCheck::Expect::next_link, static_cast<size_t>(half)};
  }
  return std::nullopt;
}

std::optional<std::string> RestStream::confirm_end(const EndCheck& check, Page& answer) const {
  const auto& p = stream_.rest.paginator;
  auto reading = read_json_page(answer.body, stream_.rest, "", "");
  if (check.expect == EndCheck::Expect::no_records) {
    if (reading.records.empty()) return std::nullopt;
    return "the page after the declared total (" + p.total + ") still returned " +
           std::to_string(reading.records.size()) + " records: the total does not count this window's records "
           "(check paginator.total, or drop it and let paging run to an empty page)";
  }
  std::optional<std::string> next;
  if (auto it = answer.headers.find("link"); it != answer.headers.end()) next = link_next(it->second);
  if (next || reading.records.size() < check.min_records) return std::nullopt;
  return "a full page came without a Link header, and a page of " + std::to_string(check.min_records) +
         " records did not link onwards either: the API does not paginate with Link headers "
         "(json-server 1.0 does not; use paginator page_number with its total)";
}

std::optional<SourceRequest> RestStream::count_request(const Window& window) const {
  const auto& v = stream_.rest.volume;
  switch (v.kind) {
    case VolumeKind::none: return std::nullopt;
    case VolumeKind::count_request: return build(v.path, window, "", 1, {}, false);
    case VolumeKind::total_field:
    case VolumeKind::total_header: return build(stream_.rest.path, window, "", 1);
  }
  return std::nullopt;
}

long long RestStream::parse_count(http::HttpResponse& response) const {
  const auto& v = stream_.rest.volume;
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

std::optional<Duration> RestStream::max_lookback() const {
  return stream_.deletions ? stream_.deletions->max_lookback : std::nullopt;
}

SourceRequest RestStream::deletions_request(const Window& range, const std::string& position) const {
  return deletions_->page_request(range, position);
}

// The feed's records are the deleted ids, its cursor when each was deleted.
DeletionPage RestStream::parse_deletions(Page& answer, const std::string& position) const {
  deletions_->parse_page(answer, position);
  DeletionPage out;
  out.next_position = answer.next_position;
  for (const auto& r : answer.records) {
    if (r.id.empty()) {
      throw Error(ErrorKind::data, "stream " + stream_.name + ": deletions record " + std::to_string(r.index) +
                                       " has no id (" + r.reject_reason + ")");
    }
    out.deleted.push_back({r.id, r.updated_at});
  }
  return out;
}

RestConnector::RestConnector(ConnectorConfig config, const Extension* extension)
    : config_(std::move(config)), extension_(extension) {
  for (const auto& s : config_.streams) {
    if (extension_ != nullptr) streams_.push_back(extension_->make_stream(config_, s));
    else streams_.push_back(std::make_unique<RestStream>(config_, s));
  }
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
  if (extension_ != nullptr) return extension_->describe_failure(response);
  return http::describe_plainly(response);
}

}  // namespace tributary::connectors
