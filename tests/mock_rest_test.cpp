// Tests of the generic REST mock (mock/rest/): every auth mode, every pagination convention
// walked to its end, the three time-filter flavours at their boundaries, misbehaviour switches,
// faults and the request log, over real HTTP on 127.0.0.1.
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <set>

#include "mock/common/base64.hpp"
#include "mock/common/rfc3339.hpp"
#include "mock/rest/rest_mock.hpp"

namespace qm = tributary::mock;

namespace {

constexpr std::int64_t kDayUs = 86400LL * 1000000;

// rel -> URL of an RFC 8288 Link header.
std::map<std::string, std::string> parse_link_header(const std::string& header) {
  std::map<std::string, std::string> out;
  for (std::size_t at = header.find('<'); at != std::string::npos; at = header.find('<', at)) {
    std::size_t close = header.find('>', at);
    std::size_t rel = header.find("rel=\"", close);
    std::size_t rel_end = header.find('"', rel + 5);
    if (close == std::string::npos || rel == std::string::npos || rel_end == std::string::npos) break;
    out[header.substr(rel + 5, rel_end - rel - 5)] = header.substr(at + 1, close - at - 1);
    at = rel_end;
  }
  return out;
}

struct Walk {
  std::vector<int> ids;
  int requests = 0;
  bool repeated_token = false;  // the guard a client needs: the same token/URL handed back
  std::vector<std::string> targets;
};

class MockRestHttp : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(qm::RestMockOptions options) {
    cli_.reset();
    options_ = options;
    mock_ = std::make_unique<qm::RestMock>(options);
    mock_->start();
    cli_ = std::make_unique<httplib::Client>(mock_->base_url());
    cli_->set_url_encode(false);  // targets go out exactly as written
  }

  httplib::Result get(const std::string& target, httplib::Headers headers = {}) { return cli_->Get(target, headers); }

  // An absolute URL the mock handed out, as a target on this mock.
  std::string target_of(const std::string& url) const {
    EXPECT_EQ(url.rfind(mock_->base_url(), 0), 0u) << url;
    return url.substr(mock_->base_url().size());
  }

  // Walks GET /items in the configured style, `filters` being extra "&k=v" parameters.
  Walk walk(const std::string& filters, int limit) {
    Walk w;
    std::string target = first_target(filters, limit);
    int offset = 0;
    while (!target.empty() && w.requests < 500) {
      auto r = get(target);
      w.requests += 1;
      w.targets.push_back(target);
      EXPECT_EQ(r->status, 200) << target << " " << r->body;
      if (r->status != 200) break;
      std::string next = next_target(*r, filters, limit, offset, w.ids);
      if (next == target) {
        w.repeated_token = true;
        break;
      }
      target = next;
    }
    return w;
  }

  // Ids of records with from <= updated_at < before, in (updated_at, id) order.
  std::vector<int> expected(std::int64_t from = INT64_MIN, std::int64_t before = INT64_MAX) const {
    std::vector<std::pair<std::int64_t, int>> rows;
    for (const auto& r : mock_->records()) {
      std::int64_t t = *qm::parse_rfc3339_us(r.updated_at_utc);
      if (t >= from && t < before) rows.emplace_back(t, r.id);
    }
    std::sort(rows.begin(), rows.end());
    std::vector<int> ids;
    for (const auto& row : rows) ids.push_back(row.second);
    return ids;
  }

  qm::RestMockOptions options_;
  std::unique_ptr<qm::RestMock> mock_;
  std::unique_ptr<httplib::Client> cli_;

 private:
  std::string first_target(const std::string& filters, int limit) const {
    std::string size = std::to_string(limit);
    switch (options_.style) {
      case qm::PageStyle::Offset: return "/items?offset=0&limit=" + size + filters;
      case qm::PageStyle::Page: return "/items?per_page=" + size + filters;
      case qm::PageStyle::PageJson: return "/items?_page=1&_per_page=" + size + filters;
      default: return "/items?limit=" + size + filters;
    }
  }

  // Reads one page's records into `ids` and says where the next page is ("" = the end).
  std::string next_target(const httplib::Response& r, const std::string& filters, int limit, int& offset,
                          std::vector<int>& ids) {
    simdjson::dom::parser p;
    simdjson::dom::element doc = p.parse(r.body);
    bool in_data = options_.style == qm::PageStyle::Cursor || options_.style == qm::PageStyle::PageJson;
    const char* rows = options_.style == qm::PageStyle::Offset ? "items" : in_data ? "data" : "results";
    simdjson::dom::array arr = options_.style == qm::PageStyle::Page ? doc.get_array() : doc[rows].get_array();
    for (auto item : arr) ids.push_back(static_cast<int>(item["id"].get_int64().value()));
    switch (options_.style) {
      case qm::PageStyle::Offset: {
        offset += static_cast<int>(arr.size());  // by what arrived, not by what was asked
        if (arr.size() == 0 || offset >= doc["total"].get_int64().value()) return "";
        return "/items?offset=" + std::to_string(offset) + "&limit=" + std::to_string(limit) + filters;
      }
      case qm::PageStyle::Page: {
        auto links = parse_link_header(r.get_header_value("Link"));
        return links.count("next") ? target_of(links["next"]) : "";
      }
      case qm::PageStyle::Cursor: {
        std::string_view cursor;
        if (doc["meta"]["next_cursor"].get(cursor)) return "";
        return "/items?cursor=" + std::string(cursor) + "&limit=" + std::to_string(limit) + filters;
      }
      case qm::PageStyle::NextUrl: {
        std::string_view next;
        if (doc["next"].get(next)) return "";
        return target_of(std::string(next));
      }
      case qm::PageStyle::PageJson: {  // json-server's "next" page number, or null
        std::int64_t next = 0;
        if (doc["next"].get(next)) return "";
        return "/items?_page=" + std::to_string(next) + "&_per_page=" + std::to_string(limit) + filters;
      }
    }
    return "";
  }
};

std::string style_name(const ::testing::TestParamInfo<qm::PageStyle>& info) { return qm::to_string(info.param); }

}  // namespace

// ---- auth ---------------------------------------------------------------------------------

class MockRestAuth : public MockRestHttp, public ::testing::WithParamInterface<qm::RestAuth> {};

TEST_P(MockRestAuth, AcceptsTheRightCredentialAndRejectsOthersWith401) {
  qm::RestMockOptions o;
  o.auth = GetParam();
  o.records = 5;
  start(o);
  struct Attempt {
    std::string query;
    httplib::Headers headers;
  };
  Attempt right, wrong;
  switch (GetParam()) {
    case qm::RestAuth::None: break;
    case qm::RestAuth::Bearer:
      right.headers = {{"Authorization", "Bearer rest-dev-token"}};
      wrong.headers = {{"Authorization", "Bearer nope"}};
      break;
    case qm::RestAuth::ApiKeyHeader:
      right.headers = {{"X-API-Key", "rest-dev-key"}};
      wrong.headers = {{"X-API-Key", "nope"}};
      break;
    case qm::RestAuth::ApiKeyQuery:
      right.query = "&api_key=rest-dev-key";
      wrong.query = "&api_key=nope";
      break;
    case qm::RestAuth::Basic:
      right.headers = {{"Authorization", "Basic " + qm::base64_encode("rest-user:rest-password")}};
      wrong.headers = {{"Authorization", "Basic " + qm::base64_encode("rest-user:nope")}};
      break;
  }
  for (const char* path : {"/items?limit=2", "/items/count?limit=2"}) {
    auto ok = get(path + right.query, right.headers);
    EXPECT_EQ(ok->status, 200) << path;
    if (GetParam() == qm::RestAuth::None) continue;
    for (const auto& bad : {Attempt{}, wrong}) {
      auto r = get(path + bad.query, bad.headers);
      EXPECT_EQ(r->status, 401) << path;
      EXPECT_EQ(r->body, R"({"error":"unauthorized"})");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, MockRestAuth,
                         ::testing::Values(qm::RestAuth::None, qm::RestAuth::Bearer, qm::RestAuth::ApiKeyHeader,
                                           qm::RestAuth::ApiKeyQuery, qm::RestAuth::Basic),
                         [](const auto& info) { return std::string(qm::to_string(info.param)); });

// ---- pagination styles ----------------------------------------------------------------------

class MockRestStyles : public MockRestHttp, public ::testing::WithParamInterface<qm::PageStyle> {};

TEST_P(MockRestStyles, WalksEveryRecordOnceInOrderAndEndsWithoutAnEmptyPage) {
  qm::RestMockOptions o;
  o.style = GetParam();
  start(o);
  Walk all = walk("", 40);
  EXPECT_EQ(all.ids, expected());
  EXPECT_EQ(all.requests, 7);  // 250 records: 6 x 40 + 10
  EXPECT_FALSE(all.repeated_token);

  std::int64_t from = *qm::parse_rfc3339_us("2024-01-15T00:00:00Z");
  Walk window = walk("&updated_since=2024-01-15T00:00:00Z&updated_before=2024-02-01T00:00:00Z", 9);
  EXPECT_EQ(window.ids, expected(from, from + 17 * kDayUs));
  for (std::size_t i = 1; i < window.targets.size(); ++i) {
    EXPECT_NE(window.targets[i].find("updated_before=2024-02-01T00:00:00Z"), std::string::npos);
  }

  Walk exact = walk("", 50);  // 250 = 5 x 50: the fifth page already says it is the last
  EXPECT_EQ(exact.requests, 5);
  EXPECT_EQ(exact.ids.size(), 250u);
}

TEST_P(MockRestStyles, RepeatNextTokenHandsPageTwoItsOwnTokenForever) {
  qm::RestMockOptions o;
  o.style = GetParam();
  o.records = 30;
  o.repeat_next_token = true;
  start(o);
  Walk w = walk("", 10);
  if (GetParam() == qm::PageStyle::Offset) {  // no token to repeat: the switch does nothing
    EXPECT_EQ(w.ids.size(), 30u);
    return;
  }
  EXPECT_TRUE(w.repeated_token);
  EXPECT_EQ(w.requests, 2);  // page 1, then page 2 pointing at itself
  EXPECT_EQ(w.ids.size(), 20u);
}

TEST_P(MockRestStyles, ShortPagesStillReachTheEndForAClientThatFollowsTheProtocol) {
  qm::RestMockOptions o;
  o.style = GetParam();
  o.records = 45;
  o.short_pages = true;
  start(o);
  Walk w = walk("", 10);  // 5 per page although 10 were asked
  EXPECT_EQ(w.ids, expected());
  EXPECT_EQ(w.requests, 9);
}

INSTANTIATE_TEST_SUITE_P(Styles, MockRestStyles,
                         ::testing::Values(qm::PageStyle::Offset, qm::PageStyle::Page, qm::PageStyle::Cursor,
                                           qm::PageStyle::NextUrl, qm::PageStyle::PageJson),
                         style_name);

TEST_F(MockRestHttp, ShortPagesFoolAClientThatStopsOnAShortPage) {
  qm::RestMockOptions o;
  o.short_pages = true;
  start(o);
  simdjson::dom::parser p;
  auto doc = p.parse(get("/items?offset=0&limit=10")->body);
  EXPECT_EQ(doc["items"].get_array().size(), 5u);
  EXPECT_EQ(doc["total"].get_int64().value(), 250);
}

TEST_F(MockRestHttp, LinkHeaderFollowsGitHubConventions) {
  qm::RestMockOptions o;
  o.style = qm::PageStyle::Page;
  o.records = 25;
  start(o);
  const std::string base = mock_->base_url() + "/items?";
  // The links carry the client's other parameters verbatim. (A '%2B' would come back as '%2B'
  // too, but httplib's client decodes response header values, so this test avoids escapes.)
  auto page = [&](int n) { return get("/items?updated_since=2024-01-01T00:00:00Z&page=" + std::to_string(n) + "&per_page=10"); };
  auto first = page(1);
  EXPECT_EQ(first->get_header_value("X-Total-Count"), "25");
  EXPECT_EQ(first->get_header_value("Link"),
            "<" + base + "page=2&per_page=10&updated_since=2024-01-01T00:00:00Z>; rel=\"next\", <" + base +
                "page=3&per_page=10&updated_since=2024-01-01T00:00:00Z>; rel=\"last\"");
  auto middle = parse_link_header(page(2)->get_header_value("Link"));
  EXPECT_EQ(middle.size(), 4u);
  EXPECT_EQ(middle["prev"], base + "page=1&per_page=10&updated_since=2024-01-01T00:00:00Z");
  EXPECT_EQ(middle["first"], middle["prev"]);
  auto last = page(3);
  auto last_links = parse_link_header(last->get_header_value("Link"));
  EXPECT_EQ(last_links.count("next"), 0u);
  EXPECT_EQ(last_links.count("last"), 0u);
  EXPECT_EQ(last_links.count("prev"), 1u);
  simdjson::dom::parser p;
  EXPECT_EQ(p.parse(last->body).get_array().size(), 5u);
  auto single = get("/items?per_page=100");
  EXPECT_FALSE(single->has_header("Link"));  // one page: no links at all
  EXPECT_EQ(p.parse(get("/items?page=9&per_page=10")->body).get_array().size(), 0u);
  EXPECT_EQ(get("/items?page=0")->status, 400);
}

// ---- filters ----------------------------------------------------------------------------------

TEST_F(MockRestHttp, HalfOpenInclusiveAndEpochFiltersAtABoundaryRecord) {
  std::int64_t m = 0;  // a midnight that a record sits exactly on, not the range start
  std::int64_t range_start = *qm::parse_rfc3339_us(options_.data_start_utc);
  for (const auto& r : mock_->records()) {
    std::int64_t t = *qm::parse_rfc3339_us(r.updated_at_utc);
    if (t % kDayUs == 0 && t > range_start) m = std::max(m, t);
  }
  ASSERT_GT(m, 0);
  auto count = [&](const std::string& query) {
    simdjson::dom::parser p;
    auto r = get("/items/count?" + query);
    EXPECT_EQ(r->status, 200) << query << " " << r->body;
    std::int64_t n = -1;
    EXPECT_EQ(p.parse(r->body)["count"].get(n), simdjson::SUCCESS);
    return static_cast<std::size_t>(n);
  };
  std::string day = qm::format_rfc3339_ms(m - kDayUs), at = qm::format_rfc3339_ms(m);
  std::string secs_at = std::to_string(m / 1000000), secs_day = std::to_string((m - kDayUs) / 1000000);
  std::size_t half_open = expected(m - kDayUs, m).size(), with_m = expected(m - kDayUs, m + 1).size();
  ASSERT_EQ(with_m, half_open + expected(m, m + 1).size());
  ASSERT_GT(with_m, half_open);
  EXPECT_EQ(count("updated_since=" + day + "&updated_before=" + at), half_open);
  EXPECT_EQ(count("updated_from=" + day + "&updated_to=" + at), with_m);
  EXPECT_EQ(count("updated_from=" + day + "&updated_to=" + at.substr(0, 19) + "Z"), with_m);  // second precision
  EXPECT_EQ(count("since_epoch=" + secs_day + "&until_epoch=" + secs_at), half_open);
  EXPECT_EQ(count("updated_since=" + at + "&updated_before=" + at), 0u);
  EXPECT_EQ(count("updated_from=" + at + "&updated_to=" + at), expected(m, m + 1).size());
  // Flavours combine as an intersection.
  EXPECT_EQ(count("updated_since=" + day + "&until_epoch=" + secs_at + "&updated_to=" + at), half_open);

  // A record at a millisecond: inclusive bounds at its exact millisecond keep it, one less drops it.
  const qm::RestRecord r = mock_->records().at(4);
  std::int64_t t = *qm::parse_rfc3339_us(r.updated_at_utc);
  EXPECT_EQ(count("updated_from=" + r.updated_at_utc + "&updated_to=" + r.updated_at_utc), expected(t, t + 1).size());
  EXPECT_EQ(count("updated_from=" + r.updated_at_utc + "&updated_to=" + qm::format_rfc3339_ms(t - 1000)), 0u);
  for (const char* bad : {"updated_since=yesterday", "until_epoch=1.5", "updated_to=2024-01-01T00:00:00",
                          "since_epoch="}) {
    auto res = get(std::string("/items?") + bad);
    EXPECT_EQ(res->status, 400) << bad;
    EXPECT_EQ(res->body.rfind(R"({"error":"invalid parameter ')", 0), 0u) << res->body;
  }
}

TEST_F(MockRestHttp, TotalsCanBeMadeToLie) {
  qm::RestMockOptions o;
  o.style = qm::PageStyle::Page;
  o.total_lies_by = 3;
  start(o);
  EXPECT_EQ(get("/items?per_page=5")->get_header_value("X-Total-Count"), "253");
  EXPECT_EQ(get("/items/count")->body, R"({"count":253})");
  o.style = qm::PageStyle::Offset;
  o.total_lies_by = -300;
  start(o);
  EXPECT_NE(get("/items?limit=1")->body.find(R"("total":0})"), std::string::npos);
}

// ---- keyset stability, limits, faults ------------------------------------------------------

TEST_F(MockRestHttp, CursorWalkSkipsNoUnchangedRecordWhenRecordsChangeMidWalk) {
  qm::RestMockOptions o;
  o.style = qm::PageStyle::Cursor;
  start(o);
  auto order = expected();
  std::string target = "/items?limit=25";
  std::map<int, int> seen;
  for (int page = 1; !target.empty(); ++page) {
    simdjson::dom::parser p;
    auto doc = p.parse(get(target)->body);
    for (auto item : doc["data"].get_array()) seen[static_cast<int>(item["id"].get_int64().value())] += 1;
    if (page == 3) mock_->touch({order[10], order[200]});
    std::string_view next;
    target = doc["meta"]["next_cursor"].get(next) ? "" : "/items?limit=25&cursor=" + std::string(next);
  }
  for (int id : order) EXPECT_EQ(seen[id], id == order[10] ? 2 : 1) << id;
  EXPECT_NE(mock_->records()[order[200] - 1].json.find("(rev 1)"), std::string::npos);
}

TEST_F(MockRestHttp, LimitsAreClampedAndBadParametersAre400) {
  simdjson::dom::parser p;
  EXPECT_EQ(p.parse(get("/items?limit=1000")->body)["items"].get_array().size(), 100u);  // max_limit
  EXPECT_EQ(p.parse(get("/items")->body)["items"].get_array().size(), 50u);              // default_limit
  EXPECT_EQ(get("/items?limit=0")->status, 400);
  EXPECT_EQ(get("/items?offset=-1")->status, 400);
  EXPECT_EQ(get("/items?limit=ten")->body, R"({"error":"invalid parameter 'limit'"})");
  qm::RestMockOptions o;
  o.style = qm::PageStyle::NextUrl;
  start(o);
  EXPECT_EQ(get("/items?after=bogus")->body, R"({"error":"invalid cursor"})");
  EXPECT_EQ(get("/nothing-here")->status, 404);
}

TEST_F(MockRestHttp, FaultsAndTheRequestLog) {
  qm::HttpFaultRule limited;
  limited.status = 429;
  limited.retry_after_seconds = 1;
  limited.skip = 1;
  mock_->add_fault(limited);
  qm::HttpFaultRule count_only;
  count_only.path_prefix = "/items/count";
  count_only.status = 503;
  mock_->add_fault(count_only);
  std::vector<int> statuses;
  for (const char* target : {"/items?limit=1", "/items?limit=1&offset=1", "/items/count", "/items?limit=1"}) {
    auto r = get(target);
    statuses.push_back(r->status);
    if (r->status == 429) {
      EXPECT_EQ(r->get_header_value("Retry-After"), "1");
      EXPECT_EQ(r->body, R"({"error":"rate_limited"})");
    }
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 429, 503, 200}));
  qm::HttpFaultRule drop;
  drop.drop_connection = true;
  mock_->add_fault(drop);
  EXPECT_FALSE(get("/items"));
  qm::HttpFaultRule bad;
  bad.malformed_json = true;
  mock_->add_fault(bad);
  simdjson::dom::parser p;
  EXPECT_NE(p.parse(get("/items")->body).error(), simdjson::SUCCESS);
  auto s = mock_->stats();
  EXPECT_EQ(s.requests, 6);
  EXPECT_EQ(s.faults_served, 4);
  EXPECT_EQ(s.targets[1], "/items?limit=1&offset=1");
  EXPECT_EQ(s.by_status[200], 4);  // the dropped answer still counts as the 200 it started as
}

TEST_F(MockRestHttp, AdminEndpoints) {
  auto post = [&](const char* path, const std::string& body) { return cli_->Post(path, body, "application/json"); };
  simdjson::dom::parser p;
  EXPECT_EQ(p.parse(get("/__admin/records/items")->body).get_array().size(), 250u);
  EXPECT_EQ(post("/__admin/fault", R"({"status":500,"times":2})")->status, 200);
  EXPECT_EQ(get("/items")->status, 500);
  EXPECT_EQ(get("/items")->status, 500);
  EXPECT_EQ(get("/items")->status, 200);
  EXPECT_EQ(post("/__admin/touch", R"({"ids":[3]})")->status, 200);
  EXPECT_NE(mock_->records()[2].json.find("(rev 1)"), std::string::npos);
  EXPECT_EQ(post("/__admin/touch", R"({"ids":["3"]})")->status, 400);
  auto stats = p.parse(get("/__admin/stats")->body);
  EXPECT_EQ(stats["requests"].get_int64().value(), 3);
  EXPECT_EQ(stats["by_status"]["500"].get_int64().value(), 2);
}

TEST(MockRestOptions, NamesRoundTripAndBadOptionsThrow) {
  for (auto a : {qm::RestAuth::None, qm::RestAuth::Bearer, qm::RestAuth::ApiKeyHeader, qm::RestAuth::ApiKeyQuery,
                 qm::RestAuth::Basic}) {
    EXPECT_EQ(qm::parse_rest_auth(qm::to_string(a)), a);
  }
  for (auto s : {qm::PageStyle::Offset, qm::PageStyle::Page, qm::PageStyle::Cursor, qm::PageStyle::NextUrl,
                 qm::PageStyle::PageJson}) {
    EXPECT_EQ(qm::parse_page_style(qm::to_string(s)), s);
  }
  EXPECT_FALSE(qm::parse_page_style("pages"));
  qm::RestMockOptions o;
  o.data_end_utc = "2023-12-31";
  EXPECT_THROW(qm::RestMock{o}, std::invalid_argument);
  o = {};
  o.records = 1000;
  qm::RestMock big(o);
  auto records = big.records();
  ASSERT_EQ(records.size(), 1000u);
  EXPECT_EQ(records[0].updated_at_utc, "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(records[9].updated_at_utc, records[8].updated_at_utc);  // a tie, broken by id
  int midnights = 0;
  for (const auto& r : records) midnights += r.updated_at_utc.find("T00:00:00.000Z") != std::string::npos;
  EXPECT_GE(midnights, 25);
}
