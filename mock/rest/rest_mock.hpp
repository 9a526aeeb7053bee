// A configurable generic REST API (one resource, /items, and its deletion feed /items/deleted)
// for paginator and auth tests: each pagination style follows a real-world convention exactly,
// time filters come in three flavours, and switches make it misbehave the way real APIs do.
// docs/mock-rest.md has the details.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mock/common/mock_controls.hpp"

namespace tributary::mock {

enum class RestAuth { None, Bearer, ApiKeyHeader, ApiKeyQuery, Basic };
enum class PageStyle { Offset, Page, Cursor, NextUrl, PageJson };

// "none" | "bearer" | "api_key_header" | "api_key_query" | "basic"
std::optional<RestAuth> parse_rest_auth(std::string_view name);
// "offset" | "page" | "cursor" | "next_url" | "page_json"
std::optional<PageStyle> parse_page_style(std::string_view name);
const char* to_string(RestAuth auth);
const char* to_string(PageStyle style);

struct RestMockOptions {
  RestAuth auth = RestAuth::None;
  std::string token = "rest-dev-token";       // bearer
  std::string api_key = "rest-dev-key";       // X-API-Key header or ?api_key=
  std::string user = "rest-user";             // basic
  std::string password = "rest-password";     // basic
  PageStyle style = PageStyle::Offset;
  int records = 250;
  std::uint64_t seed = 7;
  // updated_at of generated records lies in [start, end); RFC 3339 or a bare date (UTC).
  std::string data_start_utc = "2024-01-01T00:00:00Z";
  std::string data_end_utc = "2024-03-01T00:00:00Z";
  int default_limit = 50;  // limit / per_page when absent
  int max_limit = 100;     // larger limits are clamped silently, like GitHub's per_page
  bool split_link_headers = false;  // page style: one `Link` header line per link, not one combined
  // Misbehaviour switches, for client guards:
  bool repeat_next_token = false;  // a page requested with a token/page >= 2 hands the same one back, forever
  bool short_pages = false;        // pages hold (limit + 1) / 2 records although more exist
  int total_lies_by = 0;           // added to total, X-Total-Count and /items/count
};

struct RestRecord {
  int id = 0;
  std::string json;            // exact payload the API returns (set_payload's bytes, once set)
  std::string updated_at_utc;  // "2024-01-05T10:00:00.123Z"; from deleted(): the deletion time
};

class RestMock {
 public:
  // Throws std::invalid_argument when the options cannot describe a data set.
  explicit RestMock(RestMockOptions options = {});
  ~RestMock();  // stops
  RestMock(const RestMock&) = delete;
  RestMock& operator=(const RestMock&) = delete;

  // Binds (0 = free port), serves on background threads and returns the port; the socket
  // already accepts connections when this returns. Throws std::runtime_error on bind failure.
  int start(const std::string& host = "127.0.0.1", int port = 0);
  void stop();
  std::string base_url() const;  // "http://127.0.0.1:PORT"

  std::vector<RestRecord> records() const;  // ordered by id
  void add_fault(HttpFaultRule rule);       // path_prefix "/" (default) matches /items and /items/count
  // updated_at = now (millisecond precision, the same for every id of the call) and the name
  // changes. Unknown ids are ignored.
  void touch(const std::vector<int>& ids);
  // From now on record `id` is served as exactly `raw` (any bytes: invalid UTF-8, \u0000
  // escapes, no "id" field); its updated_at and place in the order stay, and a later touch()
  // moves it without changing the bytes. Throws std::invalid_argument for an unknown id.
  void set_payload(int id, std::string raw);
  // One-shot: the `nth` GET /items request from now (1-based; /items/count and /__admin/* do
  // not count; faulted and rejected ones do) first does touch(ids), then is answered. Hooks
  // queue; several may fire on the same request. Throws std::invalid_argument if nth < 1.
  void touch_on_request(int nth, std::vector<int> ids);
  // The records leave /items, /items/count, totals and records(), and join GET /items/deleted
  // as deleted at now (millisecond precision, the same for every id of the call). Unknown and
  // already removed ids are ignored; touch() ignores removed ids too.
  void remove(const std::vector<int>& ids);
  // Removed records come back with updated_at = now and a changed name, as touch() leaves them,
  // and leave the deleted feed. Unknown and live ids are ignored.
  void restore(const std::vector<int>& ids);
  // Removed records, ordered by id: `json` is the feed entry {"id":N,"deleted_at":"..."} and
  // `updated_at_utc` the deletion time.
  std::vector<RestRecord> deleted() const;
  MockStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tributary::mock
