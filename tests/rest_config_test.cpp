// `kind: rest` connector files: config/quizops.yaml as shipped, and every error naming
// FILE:LINE:COL with kind config. Reading pages is tests/rest_json_page_test.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "connectors/config.hpp"
#include "core/error.hpp"

namespace tributary::connectors {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Vars = std::map<std::string, std::string>;

const std::string kToken = "qz-SECRET-TOKEN-51f0";

fs::path source_dir() { return fs::path(__FILE__).parent_path().parent_path(); }

EnvLookup fake_env(Vars vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("tributary-rest-config-test-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::ofstream(p) << text;
    return p.string();
  }

 private:
  fs::path path_;
};

// ---------------------------------------------------------------------------------------------
// config/quizops.yaml as shipped

TEST(RestConfig, ShippedQuizOpsFileLoadsWithItsSpec) {
  auto path = source_dir() / "config/quizops.yaml";
  ASSERT_TRUE(fs::exists(path)) << path;
  auto c = load_connector_config(path.string(), fake_env({{"QUIZOPS_TOKEN", kToken}}));

  EXPECT_EQ(c.kind, "rest");
  EXPECT_EQ(c.name, "quizops");
  EXPECT_EQ(c.account, "quizops");
  EXPECT_EQ(c.base_url, "http://localhost:8000");
  EXPECT_EQ(c.auth.kind, "bearer");
  EXPECT_EQ(c.auth.token.reveal(), kToken);
  EXPECT_EQ(c.rate_limit.requests_per_interval, 1200);
  EXPECT_EQ(c.rate_limit.interval, milliseconds(60'000));
  EXPECT_EQ(c.rate_limit.max_concurrent, 4);
  EXPECT_EQ(c.retry.max_retries, 5);
  EXPECT_EQ(c.retry.base_delay, milliseconds(500));
  EXPECT_EQ(c.retry.max_delay, milliseconds(30'000));
  EXPECT_EQ(c.retry.retry_statuses, (std::set<int>{429, 500, 502, 503, 504}));
  EXPECT_EQ(c.default_chunk, boost::posix_time::hours(24 * 7));
  EXPECT_EQ(c.default_page_size, 100);
  EXPECT_EQ(c.max_page_size, 500);
  ASSERT_EQ(c.streams.size(), 3u);

  const auto* quizzes = c.find_stream("quizzes");
  ASSERT_NE(quizzes, nullptr);
  EXPECT_EQ(quizzes->table, "raw.quizops_quizzes");
  EXPECT_EQ(quizzes->page_size, 200);
  const auto& q = quizzes->rest;
  EXPECT_EQ(q.path, "/quizzes");
  EXPECT_EQ(q.method, "GET");
  EXPECT_TRUE(q.params.empty());
  EXPECT_EQ(q.body, "");
  EXPECT_EQ(q.records, "");
  EXPECT_EQ(q.primary_key, std::vector<std::string>{"/id"});
  EXPECT_FALSE(q.cursor.has_value()) << "no cursor: a full refresh";
  EXPECT_EQ(q.paginator.kind, PaginatorKind::offset);
  EXPECT_EQ(q.paginator.offset_param, "offset");
  EXPECT_EQ(q.paginator.limit_param, "limit");
  EXPECT_EQ(q.paginator.total, "");
  EXPECT_TRUE(q.paginator.stop_on_short_page) << "counted paginators stop on a short page by default";
  EXPECT_EQ(q.volume.kind, VolumeKind::none);

  const auto* attempts = c.find_stream("attempts");
  ASSERT_NE(attempts, nullptr);
  EXPECT_EQ(attempts->table, "raw.quizops_attempts");
  EXPECT_EQ(attempts->page_size, 100) << "the defaults' page size";
  const auto& a = attempts->rest;
  EXPECT_EQ(a.path, "/attempts");
  using Params = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(a.params, (Params{{"updated_since", "{window_start}"}, {"updated_before", "{window_end}"}}));
  EXPECT_EQ(a.window.format, TimeFormat::iso8601_micros);
  EXPECT_FALSE(a.window.inclusive);
  EXPECT_EQ(a.window.granularity, boost::posix_time::seconds(1));
  EXPECT_EQ(a.records, "/data");
  EXPECT_EQ(a.primary_key, std::vector<std::string>{"/id"});
  ASSERT_TRUE(a.cursor.has_value());
  EXPECT_EQ(a.cursor->field, "/updated_at");
  EXPECT_EQ(a.cursor->format, TimeFormat::iso8601);
  EXPECT_EQ(a.paginator.kind, PaginatorKind::cursor);
  EXPECT_EQ(a.paginator.cursor_param, "cursor");
  EXPECT_EQ(a.paginator.next, "/next_cursor");
  EXPECT_EQ(a.paginator.limit_param, "limit");
  EXPECT_FALSE(a.paginator.stop_on_short_page) << "token paginators follow the token, not the page size";

  const auto* answers = c.find_stream("answers");
  ASSERT_NE(answers, nullptr);
  EXPECT_EQ(answers->page_size, 500);
  EXPECT_EQ(answers->table, "raw.quizops_answers");
  EXPECT_EQ(answers->rest.primary_key, (std::vector<std::string>{"/attempt_id", "/question_id"}));
}

TEST(RestConfig, QuizOpsFileTakesItsEnvironment) {
  auto path = source_dir() / "config/quizops.yaml";
  auto c = load_connector_config(path.string(), fake_env({{"QUIZOPS_TOKEN", kToken},
                                                         {"QUIZOPS_BASE_URL", "https://quiz.example.com/api/"},
                                                         {"QUIZOPS_ACCOUNT", "tenant-7"},
                                                         {"QUIZOPS_REQUESTS_PER_MINUTE", "60"},
                                                         {"QUIZOPS_RETRY_BASE_MS", "20"}}));
  EXPECT_EQ(c.base_url, "https://quiz.example.com/api") << "trailing slashes are dropped";
  EXPECT_EQ(c.account, "tenant-7");
  EXPECT_EQ(c.rate_limit.requests_per_interval, 60);
  EXPECT_EQ(c.retry.base_delay, milliseconds(20));
}

// ---------------------------------------------------------------------------------------------
// Defaults of a minimal stream, and the keys of every paginator and volume kind

TEST(RestConfig, AMinimalStreamGetsTheDocumentedDefaults) {
  TempDir dir;
  auto path = dir.write("min.yaml",
                        "kind: rest\n"
                        "base_url: https://api.example.com/\n"
                        "streams:\n"
                        "  things:\n"
                        "    path: /things\n"
                        "    primary_key: /id\n"
                        "    table: raw.things\n");
  auto c = load_connector_config(path, fake_env({}));
  EXPECT_EQ(c.name, "rest");
  EXPECT_EQ(c.account, "");
  EXPECT_EQ(c.auth.kind, "none");
  ASSERT_EQ(c.streams.size(), 1u);
  const auto& s = c.streams[0].rest;
  EXPECT_EQ(s.method, "GET");
  EXPECT_EQ(s.records, "");
  EXPECT_FALSE(s.cursor.has_value());
  EXPECT_EQ(s.window.format, TimeFormat::iso8601);
  EXPECT_FALSE(s.window.inclusive);
  EXPECT_EQ(s.window.granularity, boost::posix_time::seconds(1));
  EXPECT_EQ(s.paginator.kind, PaginatorKind::none);
  EXPECT_EQ(s.volume.kind, VolumeKind::none);
  EXPECT_EQ(c.streams[0].page_size, 100);
}

TEST(RestConfig, ReadsEveryPaginatorVolumeAndAuthKey) {
  TempDir dir;
  Vars vars{{"API_KEY", "k-SECRET"}, {"API_PASSWORD", "p-SECRET"}};
  auto path = dir.write("all.yaml",
                        "kind: rest\n"
                        "base_url: https://api.example.com\n"
                        "headers: {X-Tenant: acme}\n"
                        "auth: {kind: api_key, in: query, name: apikey, value: '${API_KEY}'}\n"
                        "streams:\n"
                        "  a:\n"
                        "    path: /a\n"
                        "    primary_key: [/k1, /k2]\n"
                        "    window: {format: epoch_millis, range: inclusive, granularity: 1ms}\n"
                        "    cursor: {field: /ts, format: epoch_millis}\n"
                        "    paginator: {kind: page_number, page_param: p, limit_param: per_page, first_page: 0,\n"
                        "                total: /meta/total, stop_on_short_page: false}\n"
                        "    volume: {kind: count_request, path: /a/count, count: /n}\n"
                        "    table: raw.a\n"
                        "  b:\n"
                        "    path: /b\n"
                        "    primary_key: /id\n"
                        "    paginator: {kind: next_url, next: /links/next}\n"
                        "    volume: {kind: total_header}\n"
                        "    window: {range: inclusive, granularity: 2h}\n"
                        "    table: raw.b\n"
                        "  c:\n"
                        "    path: /c\n"
                        "    method: POST\n"
                        "    body: '{\"since\":\"{window_start}\"}'\n"
                        "    primary_key: /id\n"
                        "    paginator: {kind: cursor}\n"
                        "    volume: {kind: total_field}\n"
                        "    window: {granularity: 1d}\n"
                        "    table: raw.c\n");
  auto c = load_connector_config(path, fake_env(vars));
  EXPECT_EQ(c.auth.kind, "api_key");
  EXPECT_EQ(c.auth.api_key_in, "query");
  EXPECT_EQ(c.auth.api_key_name, "apikey");
  EXPECT_EQ(c.auth.api_key.reveal(), "k-SECRET");
  EXPECT_EQ(c.headers, (std::vector<std::pair<std::string, std::string>>{{"X-Tenant", "acme"}}));
  ASSERT_EQ(c.streams.size(), 3u);

  const auto& a = c.find_stream("a")->rest;
  EXPECT_EQ(a.primary_key, (std::vector<std::string>{"/k1", "/k2"}));
  EXPECT_EQ(a.window.format, TimeFormat::epoch_millis);
  EXPECT_TRUE(a.window.inclusive);
  EXPECT_EQ(a.window.granularity, boost::posix_time::milliseconds(1));
  EXPECT_EQ(a.cursor->format, TimeFormat::epoch_millis);
  EXPECT_EQ(a.paginator.kind, PaginatorKind::page_number);
  EXPECT_EQ(a.paginator.page_param, "p");
  EXPECT_EQ(a.paginator.limit_param, "per_page");
  EXPECT_EQ(a.paginator.first_page, 0);
  EXPECT_EQ(a.paginator.total, "/meta/total");
  EXPECT_FALSE(a.paginator.stop_on_short_page);
  EXPECT_EQ(a.volume.kind, VolumeKind::count_request);
  EXPECT_EQ(a.volume.path, "/a/count");
  EXPECT_EQ(a.volume.pointer, "/n");

  const auto& b = c.find_stream("b")->rest;
  EXPECT_EQ(b.paginator.kind, PaginatorKind::next_url);
  EXPECT_EQ(b.paginator.next, "/links/next");
  EXPECT_FALSE(b.paginator.stop_on_short_page);
  EXPECT_EQ(b.volume.kind, VolumeKind::total_header);
  EXPECT_EQ(b.volume.header, "X-Total-Count");
  EXPECT_EQ(b.window.granularity, boost::posix_time::hours(2));

  const auto& cc = c.find_stream("c")->rest;
  EXPECT_EQ(cc.method, "POST");
  EXPECT_EQ(cc.body, "{\"since\":\"{window_start}\"}");
  EXPECT_EQ(cc.paginator.kind, PaginatorKind::cursor);
  EXPECT_EQ(cc.paginator.next, "/next_cursor");
  EXPECT_EQ(cc.paginator.cursor_param, "cursor");
  EXPECT_EQ(cc.volume.kind, VolumeKind::total_field);
  EXPECT_EQ(cc.volume.pointer, "/total");
  EXPECT_EQ(cc.window.granularity, boost::posix_time::hours(24));
}

// ---------------------------------------------------------------------------------------------
// Errors: FILE:LINE:COL of the offending node, kind config

// A valid file; each error case replaces one line (1-based) so positions are easy to read.
const std::vector<std::string> kValid = {
    /*  1 */ "kind: rest",
    /*  2 */ "name: generic",
    /*  3 */ "account: acme",
    /*  4 */ "base_url: ${REST_BASE_URL}",
    /*  5 */ "auth:",
    /*  6 */ "  kind: bearer",
    /*  7 */ "  token: ${REST_TOKEN}",
    /*  8 */ "streams:",
    /*  9 */ "  items:",
    /* 10 */ "    path: /items",
    /* 11 */ "    params:",
    /* 12 */ "      updated_since: \"{window_start}\"",
    /* 13 */ "      updated_before: \"{window_end}\"",
    /* 14 */ "    window:",
    /* 15 */ "      format: iso8601_millis",
    /* 16 */ "      range: half_open",
    /* 17 */ "    records: /data",
    /* 18 */ "    primary_key: /id",
    /* 19 */ "    cursor: {field: /updated_at, format: iso8601}",
    /* 20 */ "    paginator:",
    /* 21 */ "      kind: cursor",
    /* 22 */ "      next: /meta/next_cursor",
    /* 23 */ "    page_size: 50",
    /* 24 */ "    table: raw.items",
};

const Vars kVars{{"REST_BASE_URL", "http://127.0.0.1:9"}, {"REST_TOKEN", "tok-SECRET-9"}};

std::string with_line(int line, const std::string& text) {
  std::string out;
  for (size_t i = 0; i < kValid.size(); ++i) out += (static_cast<int>(i) + 1 == line ? text : kValid[i]) + "\n";
  return out;
}

TEST(RestConfigErrors, TheBaseFileIsValid) {
  TempDir dir;
  auto c = load_connector_config(dir.write("valid.yaml", with_line(0, "")), fake_env(kVars));
  ASSERT_EQ(c.streams.size(), 1u);
  EXPECT_EQ(c.streams[0].rest.paginator.kind, PaginatorKind::cursor);
  EXPECT_EQ(c.streams[0].rest.window.format, TimeFormat::iso8601_millis);
}

struct ErrorCase {
  const char* name;
  int line;  // replaced line
  std::string text;
  std::string position;  // "LINE:COL"
  std::string message;   // how the text after "FILE:LINE:COL: " begins
  Vars vars = kVars;
};

TEST(RestConfigErrors, EachErrorNamesFileLineAndColumn) {
  const std::vector<ErrorCase> cases = {
      {"unknown stream key", 23, "    page_limit: 50", "23:5",
       "unknown key 'page_limit' in stream 'items' (expected one of: path, method, params, body, records, "
       "primary_key, cursor, window, paginator, volume, table, page_size, secret_params, verify, out_of_window, "
       "max_record_bytes, sync, deletions)"},
      {"a sync lag without its unit", 23, "    sync: {lookback: 2h, lag: 5 minutes}", "23:31",
       "'lag' must be an amount with a unit (ms, s, m, h, d) such as 5m or 1h, got '5 minutes'"},
      {"a sync start that is no date", 23, "    sync: {start: yesterday}", "23:19",
       "'start' must be a date or an ISO-8601 time such as 2024-01-01, got 'yesterday'"},
      {"records pointer without a slash", 17, "    records: data", "17:14",
       "'records' must be a JSON pointer like /data or /meta/next (RFC 6901), got 'data'"},
      {"next pointer with a bad escape", 22, "      next: /meta/next~2", "22:13",
       "'next' must be a JSON pointer like /data or /meta/next (RFC 6901), got '/meta/next~2'"},
      {"unknown paginator kind", 21, "      kind: pages", "21:13",
       "unknown paginator kind 'pages' (expected one of: none, offset, page_number, cursor, next_url, link_header"},
      {"unknown auth kind", 6, "  kind: oauth1", "6:9",
       "unknown auth kind 'oauth1' (expected one of: none, bearer, api_key, basic, oauth2_refresh)"},
      {"unknown window time format", 15, "      format: rfc3339", "15:15",
       "unknown time format 'rfc3339' (expected one of: iso8601, iso8601_millis, iso8601_micros, iso8601_offset, "
       "date, epoch_seconds, epoch_millis)"},
      {"unknown cursor time format", 19, "    cursor: {field: /updated_at, format: unix}", "19:42",
       "unknown time format 'unix' (expected one of: iso8601, iso8601_millis, iso8601_micros, iso8601_offset, "
       "date, epoch_seconds, epoch_millis)"},
      {"unknown range", 16, "      range: closed", "16:14", "'range' must be half_open or inclusive, got 'closed'"},
      {"inclusive range, granularity without a unit", 16, "      range: inclusive\n      granularity: 1", "17:20",
       "'granularity' must be a positive amount with a unit (ms, s, m, h, d), got '1'"},
      {"inclusive range, unknown unit", 16, "      range: inclusive\n      granularity: 1w", "17:20",
       "'granularity' must be a positive amount with a unit (ms, s, m, h, d), got '1w'"},
      {"inclusive range, zero granularity", 16, "      range: inclusive\n      granularity: 0ms", "17:20",
       "'granularity' must be a positive amount with a unit (ms, s, m, h, d), got '0ms'"},
      {"inclusive range, negative granularity", 16, "      range: inclusive\n      granularity: -1s", "17:20",
       "'granularity' must be a positive amount with a unit (ms, s, m, h, d), got '-1s'"},
      {"missing primary_key", 18, "    # no primary key", "10:5", "missing required key 'primary_key'"},
      {"primary key that is not a pointer", 18, "    primary_key: [/id, name]", "18:24",
       "primary key 'name' is not a JSON pointer like /id"},
      {"unset environment variable", 7, "  token: ${REST_TOKEN}", "7:10", "environment variable REST_TOKEN is not set",
       Vars{{"REST_BASE_URL", "http://127.0.0.1:9"}}},
      {"path without a slash", 10, "    path: items", "10:11", "'path' must start with '/'"},
      {"unknown volume kind", 23, "    volume: {kind: estimate}", "23:20",
       "unknown volume kind 'estimate' (expected one of: none, count_request, total_field, total_header"},
  };
  TempDir dir;
  int n = 0;
  for (const auto& c : cases) {
    auto path = dir.write("case" + std::to_string(++n) + ".yaml", with_line(c.line, c.text));
    try {
      load_connector_config(path, fake_env(c.vars));
      ADD_FAILURE() << c.name << ": loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::config) << c.name;
      std::string what = e.what();
      std::string expected = path + ":" + c.position + ": " + c.message;
      EXPECT_EQ(what.substr(0, expected.size()), expected) << c.name << "\n  got: " << what;
      EXPECT_EQ(std::string(e.what()).find("tok-SECRET-9"), std::string::npos) << c.name << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace tributary::connectors
