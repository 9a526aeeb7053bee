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
  std::string id;         // primary key as text; "" when the record has none (then rejected)
  std::string_view json;  // the record exactly as returned; points into Page::body
  std::optional<Timestamp> updated_at;
  // Why the record cannot be stored (no key, unreadable cursor, too large, text jsonb refuses);
  // "" for a good record. Rejected records are quarantined, never block their page.
  std::string reject_reason;
  int index = 0;  // position in its page as the source sent it
};

// A page that ended paging on a full page is confirmed by one more request before it is
// trusted (an API that lies about its total, or does not paginate the way the file says).
// The engine fetches `request` and hands the answer to Stream::confirm_end.
struct EndCheck {
  SourceRequest request;
  enum class Expect { no_records, next_link } expect = Expect::no_records;
  size_t min_records = 1;  // next_link: an answer at least this full must link onwards
};

struct Page {
  std::string body;  // owns the bytes the records point into
  std::map<std::string, std::string> headers;  // lower-cased names (Link, X-Total-Count)
  std::vector<Record> records;
  std::optional<std::string> next_position;  // nullopt: this was the last page
  std::optional<EndCheck> end_check;         // set on a last page that must be confirmed
  Window window;                             // the window the page was asked for
  long long records_before = 0;              // records this pass read before this page
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

// How a stream's windows are proven to hold every record the source has for them.
enum class Guarantee {
  keyset,          // anchored on the cursor: an update moves a record forward, never past us
  sweep,           // the window is paged again (ids only where the source can) until two agree
  source_cursor,   // the source's own continuation tokens; trusted as the API documents them
  single_request,  // one answer holds the whole window
  unverified,      // verify: none
};
std::string to_string(Guarantee g);

// Optional: a stream that can list a window's ids more cheaply than its records, and fetch
// records by id (QuickBooks: SELECT Id ..., then WHERE Id IN (...)).
class IdSweep {
 public:
  virtual ~IdSweep() = default;
  virtual SourceRequest id_request(const Window& window, const std::string& position) const = 0;
  virtual IdPage parse_ids(http::HttpResponse& response, const std::string& position) const = 0;
  virtual SourceRequest fetch_by_ids_request(const std::vector<std::string>& ids) const = 0;
  virtual int max_ids_per_fetch() const = 0;
};

// One record the source reports deleted, and when (nullopt: the feed does not say).
struct Deletion {
  std::string id;
  std::optional<Timestamp> deleted_at;
};

struct DeletionPage {
  std::vector<Deletion> deleted;
  std::optional<std::string> next_position;  // nullopt: the feed has nothing more
  // The answer held as much as the source ever returns at once and could not be continued:
  // deletions after what it showed may be missing (QuickBooks' CDC: 1000 objects).
  std::optional<std::string> truncated;
};

// Optional: a stream whose source reports deletions (QuickBooks: the CDC endpoint; a connector
// file: `deletions:`). sync reads it from the stream's deletion point and marks raw rows.
class DeletionFeed {
 public:
  virtual ~DeletionFeed() = default;
  // How far back the source keeps deletions; nullopt: as far as asked (QuickBooks: 30 days).
  virtual std::optional<Duration> max_lookback() const = 0;
  // Deletions in [range.start, range.end); `position` is "" first, then the previous next_position.
  virtual SourceRequest deletions_request(const Window& range, const std::string& position) const = 0;
  // Throws Error(data) when the answer cannot be read.
  virtual DeletionPage parse_deletions(Page& answer, const std::string& position) const = 0;
};

class Stream {
 public:
  virtual ~Stream() = default;
  virtual const StreamConfig& config() const = 0;
  // Incremental streams are extracted window by window; full-refresh streams in one pass.
  virtual bool incremental() const { return true; }
  virtual Guarantee guarantee() const = 0;

  // `position` is "" for the first page, else what the previous page's next_position said.
  virtual SourceRequest page_request(const Window& window, const std::string& position) const = 0;
  // Fills page.records, page.next_position and page.end_check from page.body (and
  // page.records_before). Throws Error(data) when the page as a whole cannot be read.
  virtual void parse_page(Page& page, const std::string& position) const = 0;

  // The range of cursor values the source was asked for: the window as written in the
  // request's time format (a date format asks for whole days). nullopt: not incremental.
  virtual std::optional<Window> requested_range(const Window& window) const = 0;
  // The finest step a window bound can take in requests (a day when windows are sent as
  // dates): windows a sync plans itself fall on multiples of it.
  virtual Duration window_step() const { return boost::posix_time::seconds(1); }
  virtual bool load_out_of_window() const = 0;

  // Volumetry: the source's own count of records in a window, when it can say.
  virtual std::optional<SourceRequest> count_request(const Window& window) const = 0;
  virtual long long parse_count(http::HttpResponse& response) const = 0;

  // The answer to a page's end_check: nullopt when it confirms the end, else what is likely
  // misconfigured (the window fails with it).
  virtual std::optional<std::string> confirm_end(const EndCheck& check, Page& answer) const = 0;

  virtual const IdSweep* id_sweep() const { return nullptr; }
  virtual const DeletionFeed* deletion_feed() const { return nullptr; }
};

// A connector file's `extension: NAME`: what one API needs beyond the generic REST stream, kept
// in its own folder (connectors/qbo/: QuickBooks' query language, id sweep, CDC and Fault
// bodies) and registered by name in connectors/registry.cpp.
class Extension {
 public:
  virtual ~Extension() = default;
  // The stream as this API needs it, from its generic settings and its `NAME:` map.
  // Throws Error(config) as "FILE:LINE:COL: ..." for settings it refuses.
  virtual std::unique_ptr<Stream> make_stream(const ConnectorConfig& connector, const StreamConfig& stream) const = 0;
  // Reads an error answer into one line, e.g. "ValidationFault 4000: Error parsing query (...)".
  virtual std::string describe_failure(const http::HttpResponse& response) const = 0;
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual const ConnectorConfig& config() const = 0;
  virtual const Stream& stream(const std::string& name) const = 0;  // throws Error(usage)
  // Reads an error answer into one line, e.g. "ValidationFault 4000: Error parsing query (...)".
  virtual std::string describe_failure(const http::HttpResponse& response) const = 0;
};

// The registry: one place that knows every connector kind and extension. Throws Error(config).
std::unique_ptr<Connector> make_connector(ConnectorConfig config);
const Extension* find_extension(const std::string& name);  // nullptr: none by that name

}  // namespace tributary::connectors
