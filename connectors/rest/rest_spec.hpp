#pragma once
// A declarative REST stream, as written in a connector file. Plain data with defaults:
// printable, testable, no I/O.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace tributary::connectors {

// How a window bound (or a record's cursor value) is written as text.
enum class TimeFormat { iso8601, iso8601_millis, iso8601_micros, iso8601_offset, date, epoch_seconds, epoch_millis };

struct WindowSpec {
  TimeFormat format = TimeFormat::iso8601;
  // Half-open [start, end) sends the end as is; inclusive sends end - granularity, for APIs
  // that only offer <= filters.
  bool inclusive = false;
  Duration granularity = boost::posix_time::seconds(1);
};

struct CursorSpec {
  std::string field;  // JSON pointer into the record, e.g. /updated_at
  TimeFormat format = TimeFormat::iso8601;
};

enum class PaginatorKind { none, offset, page_number, cursor, next_url, link_header };

struct PaginatorSpec {
  PaginatorKind kind = PaginatorKind::none;
  std::string limit_param = "limit";    // page size parameter (offset, cursor, next_url, link_header)
  std::string offset_param = "offset";  // offset
  std::string page_param = "page";      // page_number
  int first_page = 1;
  std::string cursor_param = "cursor";  // cursor
  std::string next;                     // JSON pointer: next cursor (cursor) or next URL (next_url)
  std::string total;                    // JSON pointer to a total count; stops paging when reached
  bool stop_on_short_page = true;       // offset and page_number
  std::string first_cursor;             // cursor: sent with the first request (a body page number: "1")
  // Keyset re-anchoring (offset, page_number): every request restarts at the last cursor value
  // seen ({window_start} becomes it), so updates to records already read shift nothing. Needs an
  // API that sorts by the cursor and filters it with >=.
  bool anchor_cursor = false;
};

// How a window is proven complete (docs/reliability.md). auto: keyset for anchored paginators,
// a verification sweep for offset, page_number and link_header, the source's own
// tokens for cursor and next_url.
enum class VerifyMode { automatic, sweep, none };

// A record whose cursor lies outside its window: fail the window, or load it (APIs whose filter
// and cursor fields differ).
enum class OutOfWindow { fail, load };

enum class VolumeKind { none, count_request, total_field, total_header };

struct VolumeSpec {
  VolumeKind kind = VolumeKind::none;
  std::string path;     // count_request: GET path, with the stream's parameters
  std::string pointer;  // count_request: where the count is (/count); total_field: /total
  std::string header;   // total_header: X-Total-Count
};

struct RestStreamSpec {
  std::string path;
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> params;  // values may hold {window_start} {window_end}
  std::string body;                                          // template, sent as JSON when not empty
  std::string records;                                       // JSON pointer to the record array ("" = root)
  std::vector<std::string> primary_key;                      // JSON pointers into a record
  std::optional<CursorSpec> cursor;                          // absent: full refresh
  WindowSpec window;
  PaginatorSpec paginator;
  VolumeSpec volume;
  VerifyMode verify = VerifyMode::automatic;
  OutOfWindow out_of_window = OutOfWindow::fail;
  long long max_record_bytes = 16LL << 20;  // larger records are quarantined
};

// A stream's `deletions:`: a second request, paged like any stream, whose records are what the
// source deleted in a time range ({window_start} {window_end} in its params or body).
struct DeletionSpec {
  RestStreamSpec feed;                   // primary_key: the deleted ids; cursor: when each was deleted
  std::optional<Duration> max_lookback;  // how far back the source keeps them; nullopt: unlimited
};

std::string to_string(TimeFormat f);
std::optional<TimeFormat> time_format_from(const std::string& name);
// The smallest step a time format can express (a day for `date`).
Duration resolution(TimeFormat f);
std::string to_string(PaginatorKind k);
std::optional<PaginatorKind> paginator_kind_from(const std::string& name);

// "2024-01-01T00:00:00Z", "1704067200", ... per format.
std::string format_time(const Timestamp& t, TimeFormat format);
// Reads a record's cursor value; nullopt when it does not fit the format.
std::optional<Timestamp> parse_time(std::string_view text, TimeFormat format);

// RFC 6901: "" or "/a/b~1c"; false for anything else.
bool valid_json_pointer(const std::string& pointer);

}  // namespace tributary::connectors
