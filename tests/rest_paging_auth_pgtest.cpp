// Declarative REST connectors end to end, part 1: the CLI binary against the generic REST mock
// (in-process) and a real PostgreSQL. Every paginator walks every record once with exactly the
// requests its convention needs, and every auth kind loads with the right credential, fails
// with exit code 5 with a wrong one, and leaves no credential anywhere, not even by following
// a next link to another host.
#include <cstdio>

#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

// ---------------------------------------------------------------------------------------------
// Paginators: each walks every record once, with exactly the requests its convention needs

TEST_F(RestConnectors, OffsetPaginatorStopsWhenTheTotalIsReached) {
  start_mock(small_data(PageStyle::Offset, 100));
  auto config = write_config("offset.yaml", rest_connector_file("", offset_stream()));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(100);
  // 100 records, 20 a page: the fifth page reaches total=100. It is full, so one more request
  // confirms the end (offset 100 must be empty). Then the verification sweep pages the window
  // again and finds raw complete; the paging pass and the sweep agree, so one sweep is enough.
  EXPECT_EQ(targets(), repeated("/items?" + kRange, {"&offset=0&limit=20", "&offset=20&limit=20",
                                                      "&offset=40&limit=20", "&offset=60&limit=20",
                                                      "&offset=80&limit=20", "&offset=100&limit=20",
                                                      "&offset=0&limit=20", "&offset=20&limit=20",
                                                      "&offset=40&limit=20", "&offset=60&limit=20",
                                                      "&offset=80&limit=20"}));
  EXPECT_EQ(text("SELECT guarantee || ' ' || sweeps FROM state.windows"), "sweep 1");
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
  // The verification sweep walks the same pages again.
  auto pass = repeated("/items?" + kRange, {"&page=1&per_page=20", "&page=2&per_page=20", "&page=3&per_page=20",
                                            "&page=4&per_page=20", "&page=5&per_page=20", "&page=6&per_page=20"});
  auto both = pass;
  both.insert(both.end(), pass.begin(), pass.end());
  EXPECT_EQ(targets(), both);
}

TEST_F(RestConnectors, PageNumberPaginatorStopsOnAShortPage) {
  start_mock(small_data(PageStyle::Page, 90));
  auto config = write_config("pages.yaml", rest_connector_file("", page_number_stream()));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  auto pass = repeated("/items?" + kRange, {"&page=1&per_page=20", "&page=2&per_page=20", "&page=3&per_page=20",
                                            "&page=4&per_page=20", "&page=5&per_page=20"});
  auto both = pass;  // paging, then the verification sweep
  both.insert(both.end(), pass.begin(), pass.end());
  EXPECT_EQ(targets(), both);
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
  // after page/per_page); page 5 has no rel="next". The verification sweep walks them again,
  // then the count: the filters with per_page=1.
  std::vector<std::string> pass{
      "/items?" + kRange + "&per_page=20",         "/items?page=2&per_page=20&" + kRange,
      "/items?page=3&per_page=20&" + kRange,       "/items?page=4&per_page=20&" + kRange,
      "/items?page=5&per_page=20&" + kRange,
  };
  auto expected_targets = pass;
  expected_targets.insert(expected_targets.end(), pass.begin(), pass.end());
  expected_targets.push_back("/items?" + kRange + "&per_page=1");
  EXPECT_EQ(targets(), expected_targets);
  EXPECT_EQ(scalar("SELECT expected_count FROM state.windows"), 90);
  EXPECT_EQ(scalar("SELECT verified_count FROM state.windows"), 90);
  EXPECT_EQ(text("SELECT account FROM raw.link_header_items LIMIT 1"), "default");
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
    // Paging, then the verification sweep.
    EXPECT_EQ(t, repeated("/items?" + kRange, {"&offset=0&limit=50" + key, "&offset=50&limit=50" + key,
                                               "&offset=0&limit=50" + key, "&offset=50&limit=50" + key}));
    EXPECT_EQ(mock_->stats().by_status, (std::map<int, int>{{200, 4}}));
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
    mock::HttpFaultRule client_error;
    client_error.path_prefix = "/items";
    client_error.skip = 2;
    client_error.status = 400;
    mock_->add_fault(client_error);
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
    // Pages 3-5 again after the three of the failed run; a link_header window is then swept
    // twice (its paging pass was split over two processes, so two sweeps must agree).
    ASSERT_EQ(all.size(), c.style == PageStyle::Page ? 16u : 6u) << joined(all);
    EXPECT_EQ(all[3], first[2]) << "resume starts from the stored link, with the key appended once";
    for (const auto& t : all) EXPECT_EQ(occurrences(t, "api_key="), 1) << t;
    expect_exact_load(90);
    expect_nowhere(kApiKey, resumed, c.name);
  }
}

// ---------------------------------------------------------------------------------------------
// Windows: daily windows over ten days; records exactly on a midnight load exactly once



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
