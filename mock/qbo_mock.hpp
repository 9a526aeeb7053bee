// A local stand-in for the QuickBooks Online Accounting API (query and change data capture
// endpoints, OAuth 2.0 token endpoint, throttling, gateway faults) so tests and the demo can run without Intuit.
// docs/mock-qbo.md lists every behaviour and the public source it was taken from.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tributary::mock {

// Intuit: "Server responses can handle a maximum of 1,000 objects" per CDC answer.
inline constexpr int kCdcMaxObjects = 1000;

struct QboMockOptions {
  std::string realm_id = "9130350000000001";
  std::string client_id = "mock-client-id";
  std::string client_secret = "mock-client-secret";
  std::string initial_refresh_token = "mock-refresh-token-0";
  int access_token_ttl_seconds = 3600;
  // Every refresh returns a NEW refresh token; the old one answers invalid_grant afterwards.
  bool rotate_refresh_tokens = true;
  std::uint64_t seed = 42;  // deterministic data
  // LastUpdatedTime of generated records lies in [start, end).
  std::string data_start_utc = "2024-01-01T00:00:00Z";
  std::string data_end_utc = "2024-07-01T00:00:00Z";
  int customers = 300, invoices = 1500, items = 100;
  // Per realm, admitted data API requests in any moving window of rate_interval_ms (Intuit: a
  // minute; tests shorten it); 0 = unlimited. More, or more in flight, are answered 429.
  int max_requests_per_minute = 500;
  int rate_interval_ms = 60'000;
  int max_concurrent_requests = 10;  // per realm; 0 = unlimited
  // Every admitted data API answer is this late (its request keeps its slot meanwhile), as a
  // loaded realm answers; throttled answers are not delayed.
  int latency_ms = 0;
  // Objects one CDC answer holds at most, all entities together (the latest are cut); tests
  // lower it so a truncated answer needs a handful of records. Must be at least 1.
  int cdc_max_objects = kCdcMaxObjects;
  // Appends a line per data API request (mock/common/request_log.hpp); "" = none.
  std::string request_log_path;
};

// Applied to the next matching requests, in the order added (a queue per path prefix).
struct FaultRule {
  std::string path_prefix = "/v3/";  // "/v3/" = data API, "/oauth2/" = token endpoint
  int skip = 0;                      // let this many matching requests pass first
  int times = 1;                     // then hit this many
  // 0 = no status fault; else answer this status with QBO's body shape for it
  // (429 XML ThrottleExceeded, 500 JSON SystemFault, 502/504 plain text,
  //  503 HTML outage page, 400 JSON ValidationFault, 401 gateway body).
  int status = 0;
  std::optional<int> retry_after_seconds;  // adds a Retry-After header
  int delay_ms = 0;              // sleep before answering (normally, unless status is set)
  bool drop_connection = false;  // declare Content-Length, send half the body, close
  bool malformed_json = false;   // 200 with a truncated (invalid) JSON body
  bool throttle_body_json = false;  // 429 only: JSON Fault body instead of the default XML
};

// json = exact payload the API returns for the entity.
struct MockRecord {
  std::string id;
  std::string json;
  std::string last_updated_utc;  // "2024-03-12T16:15:02Z"
};

struct QboMockStats {
  int total_requests = 0;  // data API + token endpoint (admin calls are not counted)
  int query_requests = 0;
  int cdc_requests = 0;
  int token_requests = 0;
  int throttled = 0;  // organic 429s (rate or concurrency), not injected ones
  int faults_served = 0;
  int max_concurrent_seen = 0;  // peak of data API requests in flight, rejected ones included
  // Peak of data API requests arrived within one moving rate interval (rate_interval_ms, counted
  // as the rate limit counts), rejected ones included: what the clients together sent.
  int max_requests_in_interval_seen = 0;
  std::map<int, int> by_status;
};

class QboMock {
 public:
  explicit QboMock(QboMockOptions options = {});
  ~QboMock();  // stops
  QboMock(const QboMock&) = delete;
  QboMock& operator=(const QboMock&) = delete;

  // Binds (0 = free port), serves on background threads and returns the port; the socket
  // already accepts connections when this returns. Throws std::runtime_error on bind failure.
  int start(const std::string& host = "127.0.0.1", int port = 0);
  void stop();

  std::string base_url() const;   // "http://127.0.0.1:PORT"; data API at /v3/company/{realm}/
  std::string token_url() const;  // base_url() + "/oauth2/v1/tokens/bearer"
  std::string current_refresh_token() const;
  // "Customer" | "Invoice" | "Item", ordered by numeric Id, deleted ones left out. Throws on an
  // unknown entity.
  std::vector<MockRecord> records(const std::string& entity) const;
  // Deleted records, ordered by Id: json = the stub CDC answers, last_updated_utc = deletion time.
  std::vector<MockRecord> deleted_records(const std::string& entity) const;

  void add_fault(FaultRule rule);
  void expire_access_tokens();   // every issued access token answers 401 until a refresh
  void revoke_refresh_tokens();  // refresh answers 400 invalid_grant from now on
  // SyncToken+1, LastUpdatedTime = now, payload changes. Unknown and deleted ids are ignored.
  void touch(const std::string& entity, const std::vector<std::string>& ids);
  // The records leave every query answer and records(); CDC reports them as deleted stubs with
  // the deletion time (now). Unknown and already deleted ids are ignored.
  void delete_records(const std::string& entity, const std::vector<std::string>& ids);
  // Deleted records come back active: SyncToken+1, LastUpdatedTime = now, payload changes as
  // touch() changes it. Ids that are unknown or not deleted are ignored.
  void restore_records(const std::string& entity, const std::vector<std::string>& ids);
  // When the Nth (1-based, counted from this call) "SELECT * ... STARTPOSITION" query for
  // `entity` arrives, before answering it, touch `count` records that the same statement
  // already returned on earlier pages, so they leave the window and later offsets shift.
  void mutate_during_paging(const std::string& entity, int on_query_request, int count);
  // COUNT(*) answers for `entity` are off by `delta` from then on (Intuit documents counts as
  // approximate); lets tests drive a volumetry mismatch.
  void skew_counts(const std::string& entity, int delta);
  QboMockStats stats() const;

 private:
  class Impl;  // mock/qbo_mock_impl.hpp
  std::unique_ptr<Impl> impl_;
};

}  // namespace tributary::mock
