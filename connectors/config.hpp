#pragma once
// A connector file, parsed. Policy is data: every field has a default you can print.
#include <optional>
#include <string>
#include <vector>

#include "connectors/rest/rest_spec.hpp"
#include "core/env.hpp"
#include "core/time.hpp"
#include "http/curl_client.hpp"
#include "http/rate_limiter.hpp"
#include "http/retry.hpp"

namespace tributary::connectors {

struct AuthConfig {
  std::string kind = "none";  // none | bearer | api_key | basic | oauth2_refresh
  Secret token;               // bearer
  std::string api_key_in = "header";  // api_key: header | query
  std::string api_key_name;           // api_key: header or parameter name
  Secret api_key;                     // api_key
  std::string username;               // basic
  Secret password;                    // basic
  std::string token_url;              // oauth2_refresh
  std::string client_id;
  Secret client_secret;
  Secret refresh_token;
};

// How `sync` extracts a stream: from its high-water mark minus `lookback` to now minus `lag`.
struct SyncPolicy {
  Duration lookback = boost::posix_time::hours(1);  // re-read before the mark: late-arriving updates
  Duration lag = boost::posix_time::minutes(5);     // stop short of now: records still being written
  std::optional<Timestamp> start;  // where the first sync of a stream without state begins
  long long window_records = 0;    // a sync window holds about this many records; 0: 10 pages
};

// The settings a stream gives its connector file's extension: the `NAME:` map, read by the
// extension itself (connectors/qbo/ reads `quickbooks: {entity: Invoice}`).
struct ExtensionSettings {
  std::vector<std::pair<std::string, std::string>> values;
  std::string where;  // "FILE:LINE:COL" of the map (or of the stream), for the extension's messages
  const std::string* find(const std::string& key) const;
};

struct StreamConfig {
  std::string name;    // what the user types: --stream invoices
  std::string table;   // raw.qbo_invoices
  int page_size = 100;
  RestStreamSpec rest;  // rest: how to request and read it
  // Params whose values request_payload shows as "***" (they are still sent): listed in
  // `secret_params` (the stream's or the file's), or read from a variable the file marks secret.
  std::vector<std::string> secret_params;
  SyncPolicy sync;
  std::optional<DeletionSpec> deletions;
  ExtensionSettings extension;
};

struct ConnectorConfig {
  std::string path;            // the file it came from
  std::string kind;            // rest
  std::string name;            // connector name recorded with runs
  std::string account;         // stored in raw.*.account: QBO's realm id, or any tenant name
  std::string extension;       // `extension: quickbooks`; "" for a plain REST API
  std::string extension_where;  // "FILE:LINE:COL" of it
  std::string base_url;
  std::vector<std::pair<std::string, std::string>> headers;  // sent with every request
  AuthConfig auth;
  http::RetryPolicy retry;
  http::RateLimit rate_limit;
  http::HttpOptions http;
  Duration default_chunk = boost::posix_time::hours(24 * 7);
  int default_page_size = 100;
  int max_page_size = 1000;
  SyncPolicy default_sync;  // defaults.sync; each stream's `sync` overrides it key by key
  std::vector<StreamConfig> streams;
  // Variables the file marks secret: those auth secrets are read from, and `secret_variables`.
  std::vector<std::string> secret_variables;
  std::vector<std::string> secret_params;  // `secret_params` at the top: for every stream
  // Every secret value the file holds (auth secrets, secret variables and params), each also
  // URL-encoded: what request_payload, labels and errors must never show.
  std::vector<Secret> secrets;

  const StreamConfig* find_stream(const std::string& name) const;
};

// The names a connector file's `extension:` may take; connectors/registry.cpp makes each.
inline const std::vector<std::string>& extension_names() {
  static const std::vector<std::string> names{"quickbooks"};
  return names;
}

struct ConfigCheck {
  ConnectorConfig config;              // as much as could be read
  std::vector<std::string> problems;   // "FILE:LINE:COL: message", in file order
  bool ok() const { return problems.empty(); }
};

// Reads a connector file and reports every problem it can find (one per section or stream),
// the most specific first.
ConfigCheck check_connector_config(const std::string& path, const EnvLookup& env);
// The same for a connector file's text already in memory; `path` only names it in messages.
ConfigCheck check_connector_text(const std::string& text, const std::string& path, const EnvLookup& env);

// Orders "PATH:LINE:COL: ..." problems by position in the file, for listing them.
void sort_by_position(std::vector<std::string>& problems, const std::string& path);

// Reads and validates a connector file; ${VAR} and ${VAR:-default} come from `env`.
// Throws Error(config) as "FILE:LINE:COL: message".
ConnectorConfig load_connector_config(const std::string& path, const EnvLookup& env);

}  // namespace tributary::connectors
