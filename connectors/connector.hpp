#pragma once
// The connector side of the engine: turn a window and a position into a request, and an answer
// into records and the next position. Connectors never touch the database or retry anything.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/config.hpp"
#include "core/window.hpp"
#include "http/executor.hpp"
#include "http/types.hpp"

namespace tributary::connectors {

struct SourceRequest {
  http::HttpRequest http;
  std::string request_payload;  // JSON stored with the rows: method, URL, query, parameters
};

struct Record {
  std::string id;         // primary key as text
  std::string_view json;  // the record exactly as returned; points into Page::body
  std::optional<Timestamp> updated_at;
};

struct Page {
  std::string body;  // owns the bytes the records point into
  std::map<std::string, std::string> headers;  // lower-cased names (Link, X-Total-Count)
  std::vector<Record> records;
  std::optional<std::string> next_position;  // nullopt: this was the last page
};

// One id the source holds, with the record's updated-at (for the mutation-safe reconcile).
struct SourceId {
  std::string id;
  Timestamp updated_at;
};

struct IdPage {
  std::vector<SourceId> ids;
  std::optional<std::string> next_position;
};

class Stream {
 public:
  virtual ~Stream() = default;
  virtual const StreamConfig& config() const = 0;
  // Incremental streams are extracted window by window; full-refresh streams in one pass.
  virtual bool incremental() const { return true; }

  // `position` is "" for the first page, else what the previous page's next_position said.
  virtual SourceRequest page_request(const Window& window, const std::string& position) const = 0;
  // Fills page.records and page.next_position from page.body. Throws Error(data).
  virtual void parse_page(Page& page, const std::string& position) const = 0;

  // Volumetry: the source's own count of records in a window, when it can say.
  virtual std::optional<SourceRequest> count_request(const Window& window) const = 0;
  virtual long long parse_count(http::HttpResponse& response) const = 0;

  // Reconciliation for offset-paged sources: list the window's ids, fetch records by id.
  virtual bool supports_reconcile() const = 0;
  virtual SourceRequest id_request(const Window& window, const std::string& position) const = 0;
  virtual IdPage parse_ids(http::HttpResponse& response, const std::string& position) const = 0;
  virtual SourceRequest fetch_by_ids_request(const std::vector<std::string>& ids) const = 0;
  virtual int max_ids_per_fetch() const = 0;
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual const ConnectorConfig& config() const = 0;
  virtual const Stream& stream(const std::string& name) const = 0;  // throws Error(usage)
  // Reads an error answer into one line, e.g. "ValidationFault 4000: Error parsing query (...)".
  virtual std::string describe_failure(const http::HttpResponse& response) const = 0;
};

// The registry: one place that knows every connector kind. Throws Error(config).
std::unique_ptr<Connector> make_connector(ConnectorConfig config);

}  // namespace tributary::connectors
