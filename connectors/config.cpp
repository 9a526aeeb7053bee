#include "connectors/config.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>

#include "connectors/config_security.hpp"
#include "connectors/rest/rest_config.hpp"
#include "connectors/yaml_reader.hpp"
#include "core/error.hpp"

namespace tributary::connectors {
namespace {

using std::chrono::milliseconds;

AuthConfig read_auth(const YamlReader& r, const YAML::Node& node) {
  AuthConfig auth;
  if (!node) return auth;
  r.require_map(node, "auth");
  r.allow_keys(node, {"kind", "token", "in", "name", "value", "username", "password", "token_url",
                      "client_id", "client_secret", "refresh_token"}, "auth");
  auth.kind = r.text(node, "kind");
  if (auth.kind == "none") return auth;
  if (auth.kind == "bearer") {
    auth.token = r.secret(node, "token");
    if (auth.token.empty()) r.fail(node, "bearer auth needs a non-empty 'token'");
    return auth;
  }
  if (auth.kind == "api_key") {
    auth.api_key_in = r.text(node, "in", std::string("header"));
    if (auth.api_key_in != "header" && auth.api_key_in != "query") r.fail(node["in"], "'in' must be header or query");
    auth.api_key_name = r.text(node, "name");
    auth.api_key = r.secret(node, "value");
    if (auth.api_key.empty()) r.fail(node, "api_key auth needs a non-empty 'value'");
    return auth;
  }
  if (auth.kind == "basic") {
    auth.username = r.text(node, "username");
    auth.password = r.secret(node, "password");
    return auth;
  }
  if (auth.kind != "oauth2_refresh") {
    r.fail(node["kind"], "unknown auth kind '" + node["kind"].Scalar() +
                             "' (expected one of: none, bearer, api_key, basic, oauth2_refresh)");
  }
  auth.token_url = r.text(node, "token_url");
  auth.client_id = r.text(node, "client_id");
  auth.client_secret = r.secret(node, "client_secret");
  auth.refresh_token = r.secret(node, "refresh_token");
  // A key left out points at the auth mapping; one given empty, at itself.
  auto at = [&](const char* key) { return node[key] ? node[key] : node; };
  if (auth.client_id.empty()) r.fail(at("client_id"), "'client_id' is empty");
  if (auth.client_secret.empty()) r.fail(at("client_secret"), "'client_secret' is empty");
  return auth;
}

http::RetryPolicy read_retry(const YamlReader& r, const YAML::Node& node) {
  http::RetryPolicy p;
  if (!node) return p;
  r.require_map(node, "retry");
  r.allow_keys(node, {"max_retries", "base_delay_ms", "max_delay_ms", "max_retry_after_ms",
                      "retry_statuses", "honour_retry_after", "throttle_budget_ms", "throttle_max_delay_ms"}, "retry");
  p.max_retries = static_cast<int>(r.integer(node, "max_retries", p.max_retries, 0, 100));
  p.base_delay = milliseconds(r.integer(node, "base_delay_ms", p.base_delay.count(), 0, 3'600'000));
  p.max_delay = milliseconds(r.integer(node, "max_delay_ms", p.max_delay.count(), 0, 3'600'000));
  p.max_retry_after = milliseconds(r.integer(node, "max_retry_after_ms", p.max_retry_after.count(), 0, 86'400'000));
  p.honour_retry_after = r.boolean(node, "honour_retry_after", p.honour_retry_after);
  p.throttle_budget = milliseconds(r.integer(node, "throttle_budget_ms", p.throttle_budget.count(), 0, 86'400'000));
  p.throttle_max_delay = milliseconds(r.integer(node, "throttle_max_delay_ms", p.throttle_max_delay.count(), 0, 3'600'000));
  if (auto statuses = node["retry_statuses"]) {
    if (!statuses.IsSequence()) r.fail(statuses, "'retry_statuses' must be a list of HTTP statuses");
    p.retry_statuses.clear();
    for (const auto& s : statuses) {
      int status = 0;
      // Retrying any other 4xx repeats a request the source has already called wrong.
      if (!YAML::convert<int>::decode(s, status) || !(status == 408 || status == 429 || (status >= 500 && status <= 599))) {
        r.fail(s, "retry status must be 408, 429 or a 5xx status");
      }
      p.retry_statuses.insert(status);
    }
  }
  return p;
}

// `requests_per_minute: N` is short for `requests_per_interval: N` with `interval_ms: 60000`.
http::RateLimit read_rate_limit(const YamlReader& r, const YAML::Node& node) {
  http::RateLimit l;
  if (!node) return l;
  r.require_map(node, "rate_limit");
  r.allow_keys(node, {"requests_per_minute", "requests_per_interval", "interval_ms", "max_concurrent",
                      "recovery_hold_ms", "recovery_ms", "shared"}, "rate_limit");
  if (node["requests_per_minute"] && (node["requests_per_interval"] || node["interval_ms"])) {
    r.fail(node["requests_per_minute"], "'requests_per_minute' cannot be combined with 'requests_per_interval' or "
                                        "'interval_ms'; use those two alone");
  }
  const char* count_key = node["requests_per_minute"] ? "requests_per_minute" : "requests_per_interval";
  l.requests_per_interval = static_cast<int>(r.integer(node, count_key, l.requests_per_interval, 0, 1'000'000));
  l.interval = milliseconds(r.integer(node, "interval_ms", l.interval.count(), 1, 86'400'000));
  l.max_concurrent = static_cast<int>(r.integer(node, "max_concurrent", l.max_concurrent, 0, 1000));
  l.recovery_hold = milliseconds(r.integer(node, "recovery_hold_ms", l.recovery_hold.count(), 0, 86'400'000));
  l.recovery = milliseconds(r.integer(node, "recovery_ms", l.recovery.count(), 0, 86'400'000));
  l.shared = r.boolean(node, "shared", l.shared);
  if (l.recovery_hold > l.recovery) {
    r.fail(node["recovery_hold_ms"] ? node["recovery_hold_ms"] : node["recovery_ms"],
           "'recovery_hold_ms' (" + std::to_string(l.recovery_hold.count()) + ") exceeds 'recovery_ms' (" +
               std::to_string(l.recovery.count()) + "): a lowered limit must be back by the end of its recovery");
  }
  return l;
}

http::HttpOptions read_http(const YamlReader& r, const YAML::Node& node) {
  http::HttpOptions o;
  if (!node) return o;
  r.require_map(node, "http");
  r.allow_keys(node, {"connect_timeout_ms", "timeout_ms", "max_body_bytes"}, "http");
  o.connect_timeout = milliseconds(r.integer(node, "connect_timeout_ms", o.connect_timeout.count(), 1, 600'000));
  o.total_timeout = milliseconds(r.integer(node, "timeout_ms", o.total_timeout.count(), 1, 3'600'000));
  o.max_body_bytes = r.integer(node, "max_body_bytes", o.max_body_bytes, 1024, 4LL << 30);
  return o;
}

// `sync: {lookback: 1h, lag: 5m, start: 2024-01-01, window_records: 5000}`, each key optional.
SyncPolicy read_sync(const YamlReader& r, const YAML::Node& node, SyncPolicy p) {
  if (!node) return p;
  r.require_map(node, "sync");
  r.allow_keys(node, {"lookback", "lag", "start", "window_records"}, "sync");
  auto duration = [&](const char* key, Duration fallback) {
    if (!node[key]) return fallback;
    auto d = try_parse_duration(r.text(node, key));
    if (!d) r.fail(node[key], std::string("'") + key + "' must be an amount with a unit (ms, s, m, h, d) such as 5m or 1h, got '" + node[key].Scalar() + "'");
    return *d;
  };
  p.lookback = duration("lookback", p.lookback);
  p.lag = duration("lag", p.lag);
  if (node["start"]) {
    auto start = try_parse_timestamp(r.text(node, "start"));
    if (!start || !within_calendar(*start)) r.fail(node["start"], "'start' must be a date or an ISO-8601 time such as 2024-01-01, got '" + node["start"].Scalar() + "'");
    p.start = *start;
  }
  p.window_records = r.integer(node, "window_records", p.window_records, 1, 100'000'000);
  return p;
}

void read_defaults(const YamlReader& r, const YAML::Node& node, ConnectorConfig& c) {
  if (!node) return;
  r.require_map(node, "defaults");
  r.allow_keys(node, {"chunk_days", "page_size", "max_page_size", "sync"}, "defaults");
  c.default_sync = read_sync(r, node["sync"], c.default_sync);
  c.max_page_size = static_cast<int>(r.integer(node, "max_page_size", c.max_page_size, 1, 100'000));
  c.default_chunk = boost::posix_time::hours(24 * r.integer(node, "chunk_days", 7, 1, 3660));
  c.default_page_size = static_cast<int>(r.integer(node, "page_size", c.default_page_size, 1, c.max_page_size));
  if (c.default_page_size > c.max_page_size) {
    r.fail(node, "the default page_size " + std::to_string(c.default_page_size) + " exceeds max_page_size " +
                     std::to_string(c.max_page_size) + "; set page_size too");
  }
}

// Runs each section's reader, keeping going after a problem so `check` can list them all.
class ProblemCollector {
 public:
  template <typename F>
  void section(F&& read) {
    try {
      read();
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::config) throw;
      problems.push_back(e.what());
    }
  }
  std::vector<std::string> problems;
};

// Each part of a stream is its own section, so `check` reports every problem in it.
StreamConfig read_stream(const YamlReader& r, const YAML::Node& key, const YAML::Node& body, const ConnectorConfig& c,
                         ProblemCollector& problems) {
  StreamConfig s;
  s.name = r.plain(key);
  r.require_map(body, "stream '" + s.name + "'");
  problems.section([&] {
    std::vector<std::string> keys{"path", "method", "params", "body", "records", "primary_key", "cursor",
                                  "window", "paginator", "volume", "table", "page_size", "secret_params",
                                  "verify", "out_of_window", "max_record_bytes", "sync", "deletions"};
    if (!c.extension.empty()) keys.push_back(c.extension);
    r.allow_keys(body, keys, "stream '" + s.name + "'");
  });
  auto section = [&](const std::function<void()>& read) { problems.section(read); };
  s.rest = read_rest_stream(r, body, s.name, section);
  problems.section([&] { s.deletions = read_deletions(r, body["deletions"], s.rest); });
  if (!c.extension.empty()) {
    problems.section([&] {
      auto node = body[c.extension];
      s.extension.where = r.where(node ? node : body);
      s.extension.values = read_string_map(r, node, c.extension + " settings of stream '" + s.name + "'");
    });
  }
  problems.section([&] { s.secret_params = secret_params_of(r, body, s, c); });
  problems.section([&] {
    s.table = r.text(body, "table");
    // The name is quoted wherever it is used (pg::quote_qualified); rejecting it here as well
    // points at the line, and keeps names that quoting would make surprising out.
    if (auto problem = table_problem(s.table, s.name); !problem.empty()) r.fail(body["table"], problem);
  });
  problems.section([&] {
    s.page_size = static_cast<int>(r.integer(body, "page_size", c.default_page_size, 1, c.max_page_size));
  });
  problems.section([&] { s.sync = read_sync(r, body["sync"], c.default_sync); });
  return s;
}

void read_streams(const YamlReader& r, const YAML::Node& node, ConnectorConfig& c, ProblemCollector& problems) {
  problems.section([&] {
    if (!node) r.fail(YAML::Node(), "missing required key 'streams'");
    r.require_map(node, "streams");
    if (node.size() == 0) r.fail(node, "'streams' declares no stream");
  });
  if (!node || !node.IsMap()) return;
  for (const auto& kv : node) {
    problems.section([&] { c.streams.push_back(read_stream(r, kv.first, kv.second, c, problems)); });
  }
}

void read_identity(const YamlReader& r, const YAML::Node& root, ConnectorConfig& c) {
  c.kind = r.text(root, "kind");
  if (c.kind != "rest") r.fail(root["kind"], "unknown connector kind '" + root["kind"].Scalar() + "' (expected: rest)");
  c.name = r.text(root, "name", c.kind);
  // The account a record belongs to (account column): QBO's realm, or any tenant name.
  c.account = r.text(root, "account", std::string());
  c.base_url = r.text(root, "base_url");
  while (!c.base_url.empty() && c.base_url.back() == '/') c.base_url.pop_back();
  if (c.base_url.rfind("http://", 0) != 0 && c.base_url.rfind("https://", 0) != 0) {
    r.fail(root["base_url"], "'base_url' must start with http:// or https://, got '" + root["base_url"].Scalar() + "'");
  }
}

// `extension: quickbooks`: what one API needs beyond the generic stream (connectors/registry.cpp).
void read_extension(const YamlReader& r, const YAML::Node& root, ConnectorConfig& c) {
  if (root["errors"]) {
    r.fail(root["errors"], "'errors' is gone: error bodies are read by the file's extension "
                           "(QuickBooks: `extension: quickbooks`, as config/quickbooks.yaml), else shown plainly");
  }
  c.extension = r.text(root, "extension", std::string());
  if (root["extension"]) c.extension_where = r.where(root["extension"]);
  const auto& known = extension_names();
  if (!c.extension.empty() && std::find(known.begin(), known.end(), c.extension) == known.end()) {
    std::string expected;
    for (const auto& n : known) expected += (expected.empty() ? "" : ", ") + n;
    r.fail(root["extension"], "unknown extension '" + c.extension + "' (expected one of: " + expected + ")");
  }
}

}  // namespace

const std::string* ExtensionSettings::find(const std::string& key) const {
  for (const auto& [k, v] : values) {
    if (k == key) return &v;
  }
  return nullptr;
}

const StreamConfig* ConnectorConfig::find_stream(const std::string& stream_name) const {
  for (const auto& s : streams) {
    if (s.name == stream_name) return &s;
  }
  return nullptr;
}

namespace {

ConfigCheck check_loaded(const YamlReader& r, const std::string& path, const std::function<YAML::Node()>& load) {
  ConfigCheck out;
  YAML::Node root;
  ProblemCollector problems;
  problems.section([&] {
    root = load();
    r.require_map(root, "the connector file");
  });
  if (!problems.problems.empty()) {
    out.problems = problems.problems;
    return out;
  }
  ConnectorConfig& c = out.config;
  c.path = std::filesystem::absolute(path).lexically_normal().string();
  problems.section([&] {
    r.allow_keys(root, {"kind", "name", "account", "base_url", "headers", "errors", "extension", "auth", "retry",
                        "rate_limit", "http", "defaults", "streams", "secret_params", "secret_variables"},
                 "the connector file");
  });
  problems.section([&] { read_identity(r, root, c); });
  problems.section([&] { read_extension(r, root, c); });
  problems.section([&] { c.headers = read_string_map(r, root["headers"], "headers"); });
  problems.section([&] { c.auth = read_auth(r, root["auth"]); });
  problems.section([&] { c.retry = read_retry(r, root["retry"]); });
  problems.section([&] { c.rate_limit = read_rate_limit(r, root["rate_limit"]); });
  problems.section([&] { c.http = read_http(r, root["http"]); });
  problems.section([&] { read_defaults(r, root["defaults"], c); });
  problems.section([&] { c.secret_variables = read_secret_variables(r, root); });
  problems.section([&] { c.secret_params = r.names(root, "secret_params"); });
  read_streams(r, root["streams"], c, problems);
  c.secrets = secret_values(r, c);
  out.problems = std::move(problems.problems);
  return out;
}

}  // namespace

ConfigCheck check_connector_config(const std::string& path, const EnvLookup& env) {
  YamlReader r(path, env);
  return check_loaded(r, path, [&] { return r.load_file(); });
}

ConfigCheck check_connector_text(const std::string& text, const std::string& path, const EnvLookup& env) {
  YamlReader r(path, env);
  return check_loaded(r, path, [&] { return r.load_text(text); });
}

ConnectorConfig load_connector_config(const std::string& path, const EnvLookup& env) {
  auto checked = check_connector_config(path, env);
  if (checked.ok()) return std::move(checked.config);
  auto more = checked.problems.size() - 1;
  throw Error(ErrorKind::config, checked.problems.front() +
                                     (more == 0 ? "" : " (and " + std::to_string(more) +
                                                           " more; `tributary check --config " + path + "` lists them)"));
}

// Sections are read in a fixed order; the report is in file order ("PATH:LINE:COL: ...").
void sort_by_position(std::vector<std::string>& problems, const std::string& path) {
  auto position = [&path](const std::string& p) {
    int line = 0, col = 0;
    if (p.rfind(path + ":", 0) == 0) std::sscanf(p.c_str() + path.size() + 1, "%d:%d", &line, &col);
    return std::pair(line, col);
  };
  std::stable_sort(problems.begin(), problems.end(),
                   [&](const std::string& a, const std::string& b) { return position(a) < position(b); });
}

}  // namespace tributary::connectors
