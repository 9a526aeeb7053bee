#include "connectors/qbo/qbo_stream.hpp"

#include "connectors/qbo/qbo_query.hpp"
#include "connectors/qbo/qbo_response.hpp"
#include "connectors/rest/json_page.hpp"
#include "connectors/rest/paginator.hpp"
#include "core/error.hpp"

namespace tributary::connectors::qbo {
namespace {

[[noreturn]] void refuse(const StreamConfig& stream, const std::string& message) {
  throw Error(ErrorKind::config, stream.extension.where + ": stream '" + stream.name + "': " + message);
}

// The generic parts QuickBooks pages itself: no paginator of the file's, no declared count.
StreamConfig generic_part(const StreamConfig& stream) {
  for (const auto& [key, value] : stream.extension.values) {
    if (key != "entity" && key != "deletions") {
      refuse(stream, "unknown key '" + key + "' in its quickbooks settings (expected one of: entity, deletions)");
    }
  }
  if (stream.extension.find("entity") == nullptr || stream.extension.find("entity")->empty()) {
    refuse(stream, "missing 'entity' in its quickbooks settings (quickbooks: {entity: Invoice})");
  }
  if (stream.rest.paginator.kind != PaginatorKind::none || stream.rest.volume.kind != VolumeKind::none) {
    refuse(stream, "QuickBooks pages and counts with its query language: drop 'paginator' and 'volume'");
  }
  if (stream.deletions) refuse(stream, "QuickBooks reports deletions through CDC: drop 'deletions'");
  if (!stream.rest.cursor) refuse(stream, "needs its cursor (cursor: {field: /MetaData/LastUpdatedTime})");
  if (stream.page_size > kMaxResults) {
    refuse(stream, "page_size " + std::to_string(stream.page_size) + " exceeds QuickBooks' MAXRESULTS limit of 1000");
  }
  return stream;
}

// .../v3/company/{realm}/query -> .../v3/company/{realm}/cdc
std::unique_ptr<RestStream> cdc_stream(const ConnectorConfig& connector, const StreamConfig& stream) {
  const auto* setting = stream.extension.find("deletions");
  if (setting != nullptr && *setting == "none") return nullptr;
  if (setting != nullptr && *setting != "cdc") refuse(stream, "'deletions' must be cdc or none, got '" + *setting + "'");
  const std::string query = "/query";
  const auto& path = stream.rest.path;
  if (path.size() < query.size() || path.compare(path.size() - query.size(), query.size(), query) != 0) {
    refuse(stream, "its path must end with /query for CDC to be found beside it (or set deletions: none)");
  }
  StreamConfig cdc = stream;
  cdc.name = stream.name + " deletions";
  cdc.rest.path = path.substr(0, path.size() - query.size()) + "/cdc";
  cdc.rest.method = "GET";
  cdc.rest.body.clear();
  return std::make_unique<RestStream>(connector, std::move(cdc));
}

}  // namespace

QboStream::QboStream(const ConnectorConfig& connector, const StreamConfig& stream)
    : rest_(connector, generic_part(stream)), entity_(*stream.extension.find("entity")),
      cdc_(cdc_stream(connector, stream)) {}

SourceRequest QboStream::query(const Window& window, const std::string& statement, int page_size) const {
  return rest_.build(config().rest.path, window, "", page_size, {{"query", statement}}, false);
}

SourceRequest QboStream::page_request(const Window& window, const std::string& position) const {
  int size = config().page_size;
  return query(window, page_query(entity_, window, start_position(position), size), size);
}

void QboStream::parse_page(Page& page, const std::string& position) const {
  // An answer past the end has no entity key at all: {"QueryResponse":{}}.
  auto reading = read_json_page(page.body, config().rest, "", "", true);
  page.records = std::move(reading.records);
  page.next_position.reset();
  if (page.records.size() >= static_cast<size_t>(config().page_size)) {
    page.next_position = std::to_string(start_position(position) + static_cast<long>(page.records.size()));
  }
}

std::optional<SourceRequest> QboStream::count_request(const Window& window) const {
  return query(window, count_query(entity_, window), 1);
}

long long QboStream::parse_count(http::HttpResponse& response) const { return qbo::parse_count(response.body); }

// Reconciliation: SELECT Id, MetaData.LastUpdatedTime pages (1000 at a time), then
// SELECT * ... WHERE Id IN (...) for what offset paging missed.
SourceRequest QboStream::id_request(const Window& window, const std::string& position) const {
  return query(window, id_query(entity_, window, start_position(position), kMaxResults), kMaxResults);
}

IdPage QboStream::parse_ids(http::HttpResponse& response, const std::string& position) const {
  IdPage page;
  page.ids = parse_id_page(response.body, entity_);
  if (page.ids.size() >= static_cast<size_t>(kMaxResults)) {
    page.next_position = std::to_string(start_position(position) + static_cast<long>(page.ids.size()));
  }
  return page;
}

SourceRequest QboStream::fetch_by_ids_request(const std::vector<std::string>& ids) const {
  return query(Window{}, by_ids_query(entity_, ids), static_cast<int>(ids.size()));
}

// CDC has a lower bound only (changedSince); `position` is a later changedSince after an answer
// that held QuickBooks' 1000 objects.
SourceRequest QboStream::deletions_request(const Window& range, const std::string& position) const {
  auto since = position.empty() ? format_utc_offset(range.start) : position;
  return cdc_->build(cdc_->config().rest.path, range, "", 0, {{"entities", entity_}, {"changedSince", since}}, false);
}

DeletionPage QboStream::parse_deletions(Page& answer, const std::string& position) const {
  auto cdc = parse_cdc(answer.body, entity_);
  DeletionPage out;
  out.deleted = std::move(cdc.deleted);
  if (cdc.objects < static_cast<size_t>(kCdcMaxObjects)) return out;
  // A full answer: ask again from the latest change it showed. Intuit does not document the
  // order of a capped answer; when asking again would not move forward, say so.
  auto since = try_parse_timestamp(position);
  if (cdc.latest && (!since || *cdc.latest > *since)) {
    out.next_position = format_utc_offset(*cdc.latest);
  } else {
    out.truncated = "QuickBooks' CDC answered its maximum of " + std::to_string(kCdcMaxObjects) + " " + entity_ +
                    " objects changed at one instant; deletions beyond them cannot be read";
  }
  return out;
}

long QboStream::start_position(const std::string& position) const {
  auto start = position_number(position, 1);
  if (start < 1) throw Error(ErrorKind::data, "stored position '" + position + "' is not a STARTPOSITION");
  return static_cast<long>(start);
}

namespace {

class QuickBooks final : public Extension {
 public:
  std::unique_ptr<Stream> make_stream(const ConnectorConfig& connector, const StreamConfig& stream) const override {
    return std::make_unique<QboStream>(connector, stream);
  }
  std::string describe_failure(const http::HttpResponse& response) const override { return describe_fault(response); }
};

}  // namespace

const Extension& extension() {
  static const QuickBooks quickbooks;
  return quickbooks;
}

}  // namespace tributary::connectors::qbo
