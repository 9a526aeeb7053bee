// Declarative REST connectors end to end: the CLI binary against the generic REST mock
// (in-process) and a real PostgreSQL. Each case writes its own connector file (or uses
// config/examples/link_header.yaml) and asserts the raw table holds exactly the mock's records,
// and the exact requests the mock received: every paginator, every auth kind (and that no
// credential lands anywhere), window boundaries in three filter flavours, stop conditions and
// the repeated-position guard, full refresh, volume checks, and cross-host next links.
#include <cstdio>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "tests/support/rest_fixture.hpp"

namespace tributary::testing {
namespace {

using mock::PageStyle;
using mock::RestAuth;

constexpr const char* kStart = "2024-01-01";
constexpr const char* kEnd = "2024-01-11";
// The first request's filters for the whole range [2024-01-01, 2024-01-11), half-open RFC 3339.
const std::string kRange =
    "updated_since=2024-01-01T00%3A00%3A00Z&updated_before=2024-01-11T00%3A00%3A00Z";

const std::string kHalfOpenParams =
    "params:\n"
    "  updated_since: \"{window_start}\"\n"
    "  updated_before: \"{window_end}\"\n";
const std::string kCursor = "cursor: {field: /updated_at, format: iso8601}\n";

// Stream keys for each mock style (records pointer and paginator), page size 20 unless given.
std::string offset_stream(const std::string& extra = "") {
  return "path: /items\n" + kHalfOpenParams + "records: /items\nprimary_key: /id\n" + kCursor +
         "paginator: {kind: offset, total: /total}\n" + extra;
}
std::string page_number_stream(const std::string& extra = "") {
  return "path: /items\n" + kHalfOpenParams + "records: \"\"\nprimary_key: /id\n" + kCursor +
         "paginator: {kind: page_number, limit_param: per_page}\n" + extra;
}
std::string cursor_stream(const std::string& extra = "", const std::string& paginator_extra = "") {
  return "path: /items\n" + kHalfOpenParams + "records: /data\nprimary_key: /id\n" + kCursor +
         "paginator: {kind: cursor, next: /meta/next_cursor" + paginator_extra + "}\n" + extra;
}
std::string next_url_stream(const std::string& extra = "") {
  return "path: /items\n" + kHalfOpenParams + "records: /results\nprimary_key: /id\n" + kCursor +
         "paginator: {kind: next_url, next: /next}\n" + extra;
}
std::string link_header_stream(const std::string& extra = "") {
  return "path: /items\n" + kHalfOpenParams + "records: \"\"\nprimary_key: /id\n" + kCursor +
         "paginator: {kind: link_header, limit_param: per_page}\n" + extra;
}

std::vector<std::string> repeated(const std::string& prefix, const std::vector<std::string>& suffixes) {
  std::vector<std::string> out;
  for (const auto& s : suffixes) out.push_back(prefix + s);
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  " + l;
  return out;
}

class RestConnectors : public RestPgTest {
 protected:
  // Every record of the mock's range is in raw exactly once, payloads equal, and the
  // window(s) fetched each record once.
  // (`count_fetches` false: a window whose pages are distrusted may reset its counters.)
  void expect_exact_load(long long expected_rows, bool count_fetches = true) {
    auto expected = records_in(kStart, kEnd);
    ASSERT_EQ(static_cast<long long>(expected.size()), expected_rows);
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), expected_rows);
    EXPECT_EQ(mismatches(kRestTable, expected), 0);
    if (count_fetches) {
      EXPECT_EQ(scalar("SELECT sum(records_loaded) FROM state.windows"), expected_rows)
          << "a record fetched twice, or one missed";
    }
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable + " WHERE realm_id <> 'acme'"), 0);
  }
};

// ---------------------------------------------------------------------------------------------
// Paginators: each walks every record once, with exactly the requests its convention needs

TEST_F(RestConnectors, OffsetPaginatorStopsWhenTheTotalIsReached) {
  start_mock(small_data(PageStyle::Offset, 100));
  auto config = write_config("offset.yaml", rest_connector_file("", offset_stream()));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(100);
  // 100 records, 20 a page: the fifth page reaches total=100, so no sixth (empty) request.
  EXPECT_EQ(targets(), repeated("/items?" + kRange, {"&offset=0&limit=20", "&offset=20&limit=20",
                                                      "&offset=40&limit=20", "&offset=60&limit=20",
                                                      "&offset=80&limit=20"}));
  EXPECT_EQ(scalar("SELECT pages_loaded FROM state.windows"), 5);
  EXPECT_EQ(text("SELECT status FROM state.windows"), "done");
  // Each row stores the request that fetched it: base_url + path, and the filled parameters.
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable +
                   " WHERE page_number = 3 AND request_payload = '{\"method\":\"GET\",\"url\":\"" + base_url() +
                   "/items\",\"params\":{\"updated_since\":\"2024-01-01T00:00:00Z\",\"updated_before\":"
                   "\"2024-01-11T00:00:00Z\",\"offset\":\"40\",\"limit\":\"20\"}}'::jsonb"),
            20);
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable +
                   " WHERE page_size <> 20 OR extract_window_start_utc <> '2024-01-01Z' OR extract_window_end_utc <> '2024-01-11Z'"),
            0);
}

TEST_F(RestConnectors, PageNumberPaginatorStopsOnAnEmptyPage) {
  start_mock(small_data(PageStyle::Page, 100));
  auto config = write_config("pages.yaml", rest_connector_file("", page_number_stream()));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(100);
  // Five full pages say nothing about the end (no total pointer), so page 6 is asked and is [].
  EXPECT_EQ(targets(), repeated("/items?" + kRange, {"&page=1&per_page=20", "&page=2&per_page=20",
                                                      "&page=3&per_page=20", "&page=4&per_page=20",
                                                      "&page=5&per_page=20", "&page=6&per_page=20"}));
}

TEST_F(RestConnectors, PageNumberPaginatorStopsOnAShortPage) {
  start_mock(small_data(PageStyle::Page, 90));
  auto config = write_config("pages.yaml", rest_connector_file("", page_number_stream()));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  EXPECT_EQ(targets(), repeated("/items?" + kRange, {"&page=1&per_page=20", "&page=2&per_page=20",
                                                      "&page=3&per_page=20", "&page=4&per_page=20",
                                                      "&page=5&per_page=20"}));
}

TEST_F(RestConnectors, CursorPaginatorFollowsNextCursorUntilNull) {
  start_mock(small_data(PageStyle::Cursor, 90));
  auto config = write_config("cursor.yaml", rest_connector_file("", cursor_stream()));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  auto t = targets();
  ASSERT_EQ(t.size(), 5u) << joined(t);
  EXPECT_EQ(t[0], "/items?" + kRange + "&limit=20");
  const std::regex later("/items\\?" + kRange + "&cursor=[A-Za-z0-9_%=-]+&limit=20");
  for (size_t i = 1; i < t.size(); ++i) EXPECT_TRUE(std::regex_match(t[i], later)) << t[i];
  EXPECT_EQ(std::set<std::string>(t.begin(), t.end()).size(), 5u) << "a cursor was sent twice" << joined(t);
}

TEST_F(RestConnectors, NextUrlPaginatorFollowsNextVerbatimUntilNull) {
  start_mock(small_data(PageStyle::NextUrl, 90));
  auto config = write_config("next.yaml", rest_connector_file("", next_url_stream()));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  auto t = targets();
  ASSERT_EQ(t.size(), 5u) << joined(t);
  EXPECT_EQ(t[0], "/items?" + kRange + "&limit=20");
  const std::regex later("/items\\?after=[A-Za-z0-9_%=-]+&limit=20&" + kRange);
  for (size_t i = 1; i < t.size(); ++i) EXPECT_TRUE(std::regex_match(t[i], later)) << t[i];
  // Pages after the first store the URL they followed, and nothing else, as their request.
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable +
                   " WHERE page_number > 1 AND request_payload->'params'->>'next_url' NOT LIKE '" + base_url() +
                   "/items?after=%'"),
            0);
  EXPECT_EQ(scalar(std::string("SELECT count(DISTINCT request_payload->'params'->>'next_url') FROM ") + kRestTable),
            4);
}

TEST_F(RestConnectors, LinkHeaderExampleFileWalksRelNextAndChecksXTotalCount) {
  auto o = small_data(PageStyle::Page, 90);
  o.auth = RestAuth::Bearer;
  o.token = "gh-SECRET-token-4410";
  start_mock(o);
  auto config = source_dir() + "/config/examples/link_header.yaml";
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", "10", "--page-size", "20"},
                    {{"REST_TOKEN", o.token}, {"REST_RETRY_BASE_MS", "10"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto expected = records_in(kStart, kEnd);
  ASSERT_EQ(expected.size(), 90u);
  EXPECT_EQ(mismatches("raw.link_header_items", expected), 0);
  EXPECT_EQ(scalar("SELECT sum(records_loaded) FROM state.windows"), 90);
  // Page 1 carries the filters and per_page; pages 2-5 are the Link targets verbatim (filters
  // after page/per_page); page 5 has no rel="next". Then the count: the filters with per_page=1.
  EXPECT_EQ(targets(), (std::vector<std::string>{
                           "/items?" + kRange + "&per_page=20",
                           "/items?page=2&per_page=20&" + kRange,
                           "/items?page=3&per_page=20&" + kRange,
                           "/items?page=4&per_page=20&" + kRange,
                           "/items?page=5&per_page=20&" + kRange,
                           "/items?" + kRange + "&per_page=1",
                       }));
  EXPECT_EQ(scalar("SELECT expected_count FROM state.windows"), 90);
  EXPECT_EQ(scalar("SELECT verified_count FROM state.windows"), 90);
  EXPECT_EQ(text("SELECT realm_id FROM raw.link_header_items LIMIT 1"), "default");
  EXPECT_EQ(text("SELECT connector FROM state.runs"), "link_header_example");
  EXPECT_EQ(r.out.find(o.token), std::string::npos);
  EXPECT_EQ(r.err.find(o.token), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Auth: the right credential works, a wrong one stops the run (exit 5) after one request, and
// no credential appears in output, rows or state

struct AuthCase {
  const char* name;
  RestAuth mode;
  std::string auth_yaml;
  std::string variable;
};

const std::string kToken = "tok-SECRET-bearer-7f3a";
const std::string kApiKey = "key-SECRET-apikey-91c2";
const std::string kPassword = "pw-SECRET-basic-0d5e";
const std::string kWrong = "wrong-SECRET-credential-66aa";

mock::RestMockOptions with_credentials(mock::RestMockOptions o, RestAuth mode) {
  o.auth = mode;
  o.token = kToken;
  o.api_key = kApiKey;
  o.user = "rest-user";
  o.password = kPassword;
  return o;
}

const std::vector<AuthCase>& auth_cases() {
  static const std::vector<AuthCase> cases = {
      {"bearer", RestAuth::Bearer, "{kind: bearer, token: \"${REST_SECRET}\"}", "REST_SECRET"},
      {"api_key header", RestAuth::ApiKeyHeader, "{kind: api_key, in: header, name: X-API-Key, value: \"${REST_SECRET}\"}",
       "REST_SECRET"},
      {"api_key query", RestAuth::ApiKeyQuery, "{kind: api_key, in: query, name: api_key, value: \"${REST_SECRET}\"}",
       "REST_SECRET"},
      {"basic", RestAuth::Basic, "{kind: basic, username: rest-user, password: \"${REST_SECRET}\"}", "REST_SECRET"},
  };
  return cases;
}

std::string right_secret(RestAuth mode) {
  switch (mode) {
    case RestAuth::Bearer: return kToken;
    case RestAuth::ApiKeyHeader:
    case RestAuth::ApiKeyQuery: return kApiKey;
    case RestAuth::Basic: return kPassword;
    case RestAuth::None: break;
  }
  return "";
}

// Every place a secret could leak to: the run's output, the rows' request payloads, positions
// and errors in state.
void expect_nowhere(const std::string& secret, const ProcessResult& r, const std::string& what) {
  EXPECT_EQ(r.out.find(secret), std::string::npos) << what << ": stdout holds the secret\n" << r.out;
  EXPECT_EQ(r.err.find(secret), std::string::npos) << what << ": stderr holds the secret\n" << r.err;
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable + " WHERE request_payload::text LIKE '%" +
                   secret + "%' OR payload::text LIKE '%" + secret + "%'"),
            0)
      << what;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE coalesce(next_position, '') LIKE '%" + secret +
                   "%' OR coalesce(last_error, '') LIKE '%" + secret + "%'"),
            0)
      << what;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.runs WHERE coalesce(last_error, '') LIKE '%" + secret +
                   "%' OR config_path LIKE '%" + secret + "%'"),
            0)
      << what;
}

TEST_F(RestConnectors, EveryAuthKindLoadsWithTheRightCredential) {
  for (const auto& c : auth_cases()) {
    SCOPED_TRACE(c.name);
    reset_database();
    start_mock(with_credentials(small_data(PageStyle::Offset, 90), c.mode));
    auto config = write_config("auth.yaml", rest_connector_file(c.auth_yaml, offset_stream("page_size: 50\n")));
    auto secret = right_secret(c.mode);
    auto r = backfill(config, kStart, kEnd, {}, {{c.variable, secret}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_exact_load(90);
    auto t = targets();
    auto key = c.mode == RestAuth::ApiKeyQuery ? "&api_key=" + secret : "";
    EXPECT_EQ(t, repeated("/items?" + kRange, {"&offset=0&limit=50" + key, "&offset=50&limit=50" + key}));
    EXPECT_EQ(mock_->stats().by_status, (std::map<int, int>{{200, 2}}));
    expect_nowhere(secret, r, c.name);
  }
}

TEST_F(RestConnectors, AWrongCredentialStopsTheRunWithExitCode5AfterOneRequest) {
  for (const auto& c : auth_cases()) {
    SCOPED_TRACE(c.name);
    reset_database();
    start_mock(with_credentials(small_data(PageStyle::Offset, 90), c.mode));
    auto config = write_config("auth.yaml", rest_connector_file(c.auth_yaml, offset_stream("page_size: 50\n")));
    auto r = backfill(config, kStart, kEnd, {}, {{c.variable, kWrong}});
    EXPECT_EQ(r.exit_code, 5) << r.err;
    // 401 is not retried: refreshing a static credential cannot help.
    EXPECT_EQ(mock_->stats().requests, 1);
    EXPECT_EQ(mock_->stats().by_status, (std::map<int, int>{{401, 1}}));
    EXPECT_NE(r.err.find("HTTP 401 from GET " + base_url() + "/items (items): {\"error\":\"unauthorized\"}"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), 0);
    EXPECT_EQ(text("SELECT status FROM state.windows"), "failed");
    EXPECT_NE(text("SELECT last_error FROM state.windows").find("HTTP 401"), std::string::npos);
    expect_nowhere(kWrong, r, c.name);
    expect_nowhere(right_secret(c.mode), r, c.name);
  }
}

// An API key in the query comes back inside next links (the mock echoes every parameter, as
// real APIs do). Stored positions and request payloads must hold the link without it, the key
// is sent exactly once per request, and a resumed run continues from the stored link.
struct EchoCase {
  const char* name;
  PageStyle style;
  std::string stream;
  std::string page3_pattern;  // the stored position after page 2, as a regex (BASE is the mock)
};

TEST_F(RestConnectors, AnApiKeyInTheQueryNeverReachesAStoredPositionAndResumeSendsItOnce) {
  const std::vector<EchoCase> cases = {
      {"link_header", PageStyle::Page, link_header_stream(), "BASE/items\\?page=3&per_page=20&" + kRange},
      {"next_url", PageStyle::NextUrl, next_url_stream(), "BASE/items\\?after=[A-Za-z0-9_%=-]+&limit=20&" + kRange},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    reset_database();
    start_mock(with_credentials(small_data(c.style, 90), RestAuth::ApiKeyQuery));
    // Pages 1 and 2 load; page 3 answers 400 (not retried): the window fails holding the link to page 3.
    mock_->add_fault({.path_prefix = "/items", .skip = 2, .times = 1, .status = 400});
    auto config = write_config(
        "echo.yaml", rest_connector_file("{kind: api_key, in: query, name: api_key, value: \"${REST_SECRET}\"}", c.stream));
    // Debug logging on: not even the most talkative log may show the key.
    auto r = tributary({"--log-level", "debug", "backfill", "--config", config, "--start", kStart, "--end", kEnd,
                        "--workers", "1"},
                       {{"REST_SECRET", kApiKey}});
    ASSERT_EQ(r.exit_code, 6) << r.err;
    auto first = targets();
    ASSERT_EQ(first.size(), 3u) << joined(first);
    for (const auto& t : first) EXPECT_EQ(occurrences(t, "api_key="), 1) << t;
    for (const auto& t : first) EXPECT_TRUE(t.ends_with("&api_key=" + kApiKey)) << t;

    auto position = text("SELECT next_position FROM state.windows");
    std::regex page3(std::regex_replace(c.page3_pattern, std::regex("BASE"), base_url()));
    EXPECT_TRUE(std::regex_match(position, page3)) << position;
    // The position is exactly what was requested third, minus the key tributary appended.
    EXPECT_EQ(base_url() + first[2], position + "&api_key=" + kApiKey);
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), 40);
    EXPECT_EQ(text(std::string("SELECT DISTINCT request_payload->'params'->>'next_url' FROM ") + kRestTable +
                   " WHERE page_number = 2"),
              base_url() + first[1].substr(0, first[1].size() - std::string("&api_key=" + kApiKey).size()));
    EXPECT_NE(text("SELECT last_error FROM state.windows").find("HTTP 400"), std::string::npos);
    expect_nowhere(kApiKey, r, c.name);

    auto resumed = tributary({"--log-level", "debug", "resume", "--run", "1", "--workers", "1"}, {{"REST_SECRET", kApiKey}});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    auto all = targets();
    ASSERT_EQ(all.size(), 6u) << joined(all);
    EXPECT_EQ(all[3], first[2]) << "resume starts from the stored link, with the key appended once";
    for (const auto& t : all) EXPECT_EQ(occurrences(t, "api_key="), 1) << t;
    expect_exact_load(90);
    expect_nowhere(kApiKey, resumed, c.name);
  }
}

// ---------------------------------------------------------------------------------------------
// Windows: daily windows over ten days; records exactly on a midnight load exactly once

struct WindowCase {
  const char* name;
  PageStyle style;
  std::string stream;
  // The first request of the window starting on day D (1..10) of January 2024.
  std::function<std::string(int)> first_request;
};

std::string day(int d, const char* time_of_day = "T00:00:00") {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2024-01-%02d%s", d, time_of_day);
  return buf;
}

long long epoch_of(int d) { return 1704067200LL + 86400LL * (d - 1); }

TEST_F(RestConnectors, WindowBoundariesInEveryFilterFlavourLoadEachRecordOnce) {
  const std::vector<WindowCase> cases = {
      {"half-open RFC 3339", PageStyle::Offset,
       "path: /items\n" + kHalfOpenParams + "records: /items\nprimary_key: /id\n" + kCursor +
           "paginator: {kind: offset, total: /total}\npage_size: 50\n",
       [](int d) {
         return "/items?updated_since=" + url_encoded(day(d) + "Z") + "&updated_before=" + url_encoded(day(d + 1) + "Z") +
                "&offset=0&limit=50";
       }},
      {"inclusive RFC 3339, 1ms", PageStyle::Cursor,
       "path: /items\nparams:\n  updated_from: \"{window_start}\"\n  updated_to: \"{window_end}\"\n"
       "window: {format: iso8601_millis, range: inclusive, granularity: 1ms}\n"
       "records: /data\nprimary_key: /id\n" + kCursor + "paginator: {kind: cursor, next: /meta/next_cursor}\npage_size: 50\n",
       [](int d) {
         return "/items?updated_from=" + url_encoded(day(d) + ".000Z") + "&updated_to=" +
                url_encoded(day(d, "T23:59:59") + ".999Z") + "&limit=50";
       }},
      {"epoch seconds, half-open", PageStyle::NextUrl,
       "path: /items\nparams:\n  since_epoch: \"{window_start}\"\n  until_epoch: \"{window_end}\"\n"
       "window: {format: epoch_seconds}\n"
       "records: /results\nprimary_key: /id\n" + kCursor + "paginator: {kind: next_url, next: /next}\npage_size: 50\n",
       [](int d) {
         return "/items?since_epoch=" + std::to_string(epoch_of(d)) + "&until_epoch=" + std::to_string(epoch_of(d + 1)) +
                "&limit=50";
       }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    reset_database();
    start_mock(small_data(c.style, 100));
    // Records on a midnight after the first day sit on a window boundary: they prove the point.
    long long on_midnight = 0;
    for (const auto& rec : records_in(kStart, kEnd)) on_midnight += rec.updated_at_utc.ends_with("T00:00:00.000Z");
    ASSERT_GE(on_midnight, 3) << "the mock puts every 25th record on a midnight";

    auto config = write_config("windows.yaml", rest_connector_file("", c.stream));
    auto r = backfill(config, kStart, kEnd, {"--chunk-days", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_exact_load(100);
    EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status = 'done'"), 10);
    // Each window loaded exactly the records of its day, boundary records in the later one.
    for (int d = 1; d <= 10; ++d) {
      auto in_day = static_cast<long long>(records_in(day(d) + "Z", day(d + 1) + "Z").size());
      EXPECT_EQ(scalar("SELECT records_loaded FROM state.windows WHERE window_start_utc = '" + day(d) + "Z'"), in_day)
          << day(d);
    }
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable +
                     " WHERE source_updated_at = extract_window_start_utc"),
              on_midnight);
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable +
                     " WHERE NOT (source_updated_at >= extract_window_start_utc AND source_updated_at < extract_window_end_utc)"),
              0);
    // One page per window (at most ~20 records a day, pages of 50): exactly these ten requests.
    std::vector<std::string> expected;
    for (int d = 1; d <= 10; ++d) expected.push_back(c.first_request(d));
    EXPECT_EQ(targets(), expected);
  }
}

// ---------------------------------------------------------------------------------------------
// Stop conditions

TEST_F(RestConnectors, ShortPagesDoNotEndACursorWalk) {
  auto o = small_data(PageStyle::Cursor, 90);
  o.short_pages = true;  // 10 records a page although 20 are asked for
  start_mock(o);
  auto config = write_config("short.yaml", rest_connector_file("", cursor_stream()));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  auto t = targets();
  ASSERT_EQ(t.size(), 9u) << joined(t);
  EXPECT_EQ(t[0], "/items?" + kRange + "&limit=20");
  for (size_t i = 1; i < t.size(); ++i) EXPECT_NE(t[i].find("&cursor="), std::string::npos) << t[i];
  EXPECT_EQ(scalar("SELECT pages_loaded FROM state.windows"), 9);
}

TEST_F(RestConnectors, StopOnShortPageTrueEndsACursorWalkAtTheFirstShortPage) {
  auto o = small_data(PageStyle::Cursor, 90);
  o.short_pages = true;
  start_mock(o);
  auto config = write_config("short.yaml", rest_connector_file("", cursor_stream("", ", stop_on_short_page: true")));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(targets(), std::vector<std::string>{"/items?" + kRange + "&limit=20"});
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), 10);
}

TEST_F(RestConnectors, ShortPagesWithAnOffsetPaginatorAdvanceByTheRecordsReceived) {
  auto o = small_data(PageStyle::Offset, 90);
  o.short_pages = true;
  start_mock(o);
  auto config = write_config(
      "short.yaml", rest_connector_file("", "path: /items\n" + kHalfOpenParams + "records: /items\nprimary_key: /id\n" +
                                                kCursor + "paginator: {kind: offset, total: /total, stop_on_short_page: false}\n"));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  std::vector<std::string> expected;
  for (int offset = 0; offset < 90; offset += 10) expected.push_back("/items?" + kRange + "&offset=" + std::to_string(offset) + "&limit=20");
  EXPECT_EQ(targets(), expected);
}

struct RepeatCase {
  const char* name;
  PageStyle style;
  std::string stream;
};

TEST_F(RestConnectors, ARepeatedPaginationPositionFailsTheWindowInsteadOfLooping) {
  const std::vector<RepeatCase> cases = {
      {"cursor", PageStyle::Cursor, cursor_stream()},
      {"next_url", PageStyle::NextUrl, next_url_stream()},
      {"link_header", PageStyle::Page, link_header_stream()},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    reset_database();
    auto o = small_data(c.style, 90);
    o.repeat_next_token = true;  // page 2 hands back the position it was asked with, forever
    start_mock(o);
    auto config = write_config("repeat.yaml", rest_connector_file("", c.stream));
    auto r = backfill(config, kStart, kEnd, {}, {}, std::chrono::seconds(30));
    ASSERT_EQ(r.exit_code, 6) << r.err;
    // Page 1, then page 2 which names itself as next: two requests, never a third.
    EXPECT_EQ(mock_->stats().requests, 2) << joined(targets());
    EXPECT_EQ(text("SELECT status FROM state.windows"), "failed");
    auto error = text("SELECT last_error FROM state.windows");
    EXPECT_NE(error.find("page 2: the source repeated the pagination position"), std::string::npos) << error;
    // Page 1 is committed with its checkpoint; page 2's records are not.
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), 20);
    EXPECT_EQ(scalar("SELECT records_loaded FROM state.windows"), 20);
    EXPECT_NE(text("SELECT next_position FROM state.windows"), "");
    EXPECT_EQ(text("SELECT status FROM state.runs"), "failed");
    EXPECT_NE(r.err.find("1 window(s) failed"), std::string::npos) << r.err;
  }
}

// ---------------------------------------------------------------------------------------------
// Full refresh: no cursor, one window over the whole requested range, every record

TEST_F(RestConnectors, AStreamWithoutCursorIsOneFullRefreshWindow) {
  start_mock(small_data(PageStyle::Offset, 90));
  auto config = write_config("full.yaml", rest_connector_file("", "path: /items\nrecords: /items\nprimary_key: /id\n"
                                                                  "paginator: {kind: offset, total: /total}\npage_size: 50\n"));
  // Three daily windows would be planned for an incremental stream; a full refresh has one,
  // and loads records far outside the range (no filter is sent).
  auto r = backfill(config, "2024-01-03", "2024-01-06", {"--chunk-days", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows"), 1);
  EXPECT_EQ(text("SELECT window_start_utc::text || ' ' || window_end_utc::text FROM state.windows"),
            "2024-01-03 00:00:00+00 2024-01-06 00:00:00+00");
  EXPECT_EQ(targets(), (std::vector<std::string>{"/items?offset=0&limit=50", "/items?offset=50&limit=50"}));
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable + " WHERE source_updated_at IS NOT NULL"), 0);
}

// ---------------------------------------------------------------------------------------------
// Volume: the source's count per window must match what the window loaded

struct VolumeCase {
  const char* name;
  PageStyle style;
  std::string stream;
  // Requests of the window [from, to) holding `loaded` records: its pages, then its count. An
  // offset paginator that reads a total keeps paging past a short page while the (lying)
  // total says more follow, so it asks once more and gets an empty page.
  std::function<std::vector<std::string>(const std::string& range, long long loaded, int lie)> requests;
};

TEST_F(RestConnectors, VolumeChecksPassWhenTheSourceAgreesAndFailTheWindowWhenItLies) {
  const std::vector<VolumeCase> cases = {
      {"total_header", PageStyle::Page,
       link_header_stream("page_size: 100\nvolume: {kind: total_header, header: X-Total-Count}\n"),
       [](const std::string& range, long long, int) {
         return std::vector<std::string>{"/items?" + range + "&per_page=100", "/items?" + range + "&per_page=1"};
       }},
      {"total_field", PageStyle::Offset, offset_stream("page_size: 100\nvolume: {kind: total_field, pointer: /total}\n"),
       [](const std::string& range, long long loaded, int lie) {
         std::vector<std::string> r{"/items?" + range + "&offset=0&limit=100"};
         if (lie) r.push_back("/items?" + range + "&offset=" + std::to_string(loaded) + "&limit=100");
         r.push_back("/items?" + range + "&offset=0&limit=1");
         return r;
       }},
      {"count_request", PageStyle::Offset,
       offset_stream("page_size: 100\nvolume: {kind: count_request, path: /items/count, count: /count}\n"),
       [](const std::string& range, long long loaded, int lie) {
         std::vector<std::string> r{"/items?" + range + "&offset=0&limit=100"};
         if (lie) r.push_back("/items?" + range + "&offset=" + std::to_string(loaded) + "&limit=100");
         r.push_back("/items/count?" + range);
         return r;
       }},
  };
  const std::vector<std::pair<std::string, std::string>> windows = {{day(1) + "Z", day(6) + "Z"},
                                                                    {day(6) + "Z", day(11) + "Z"}};
  for (const auto& c : cases) {
    for (int lie : {0, 3}) {
      SCOPED_TRACE(std::string(c.name) + (lie ? ", total_lies_by 3" : ", honest"));
      reset_database();
      auto o = small_data(c.style, 90);
      o.total_lies_by = lie;
      start_mock(o);
      auto config = write_config("volume.yaml", rest_connector_file("", c.stream));
      auto r = backfill(config, kStart, kEnd, {"--chunk-days", "5"});
      ASSERT_EQ(r.exit_code, lie ? 6 : 0) << r.err;
      expect_exact_load(90, lie == 0);  // the records load either way; the verdict is the window's
      std::vector<std::string> expected_requests;
      for (const auto& [from, to] : windows) {
        auto range = "updated_since=" + url_encoded(from) + "&updated_before=" + url_encoded(to);
        auto loaded = static_cast<long long>(records_in(from, to).size());
        for (auto& t : c.requests(range, loaded, lie)) expected_requests.push_back(t);
        auto where = "window_start_utc = '" + from + "'";
        EXPECT_EQ(scalar("SELECT expected_count FROM state.windows WHERE " + where), loaded + lie);
        EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable + " WHERE extract_window_start_utc = '" +
                         from + "'"),
                  loaded);
        if (lie) {
          EXPECT_EQ(text("SELECT status FROM state.windows WHERE " + where), "failed");
          EXPECT_EQ(text("SELECT last_error FROM state.windows WHERE " + where),
                    "volumetry: the source counts " + std::to_string(loaded + lie) + " records in stream items, window [" +
                        from + ", " + to + "), the window loaded " + std::to_string(loaded));
        } else {
          EXPECT_EQ(text("SELECT status FROM state.windows WHERE " + where), "done");
          EXPECT_EQ(scalar("SELECT records_loaded FROM state.windows WHERE " + where), loaded);
          EXPECT_EQ(scalar("SELECT verified_count FROM state.windows WHERE " + where), loaded);
        }
      }
      EXPECT_EQ(targets(), expected_requests);
      if (lie) EXPECT_NE(r.err.find("2 window(s) failed"), std::string::npos) << r.err;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A next link to another host is refused: credentials are never sent elsewhere

struct CrossHostCase {
  const char* name;
  PageStyle style;
  std::string stream;
};

TEST_F(RestConnectors, ANextLinkToAnotherHostIsRefused) {
  // The mock builds its links from the Host header; a Host header naming another host makes
  // it hand out links to that host, as a misconfigured or hostile API would.
  const std::vector<CrossHostCase> cases = {
      {"next_url", PageStyle::NextUrl, next_url_stream()},
      {"link_header", PageStyle::Page, link_header_stream()},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    reset_database();
    start_mock(with_credentials(small_data(c.style, 90), RestAuth::Bearer));
    auto config = write_config("cross.yaml", rest_connector_file("{kind: bearer, token: \"${REST_SECRET}\"}", c.stream,
                                                                 "headers: {Host: \"elsewhere.example:8443\"}\n"));
    auto r = backfill(config, kStart, kEnd, {}, {{"REST_SECRET", kToken}});
    ASSERT_EQ(r.exit_code, 6) << r.err;
    EXPECT_EQ(mock_->stats().requests, 1);
    auto error = text("SELECT last_error FROM state.windows");
    EXPECT_NE(error.find("the next page link points to http://elsewhere.example:8443, not " + base_url() +
                         "; refusing to follow it"),
              std::string::npos)
        << error;
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), 0) << "the page that pointed away is not committed";
    expect_nowhere(kToken, r, c.name);
  }
}

}  // namespace
}  // namespace tributary::testing
