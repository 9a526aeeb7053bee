// Tests of the QuickBooks Online mock (mock/) over real HTTP: envelopes, OAuth, faults,
// throttling and paging hazards, on 127.0.0.1 (its pure parts: mock_qbo_query_test.cpp).
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <set>
#include <thread>

#include "mock/qbo_auth.hpp"
#include "mock/qbo_data.hpp"
#include "mock/qbo_mock.hpp"
#include "mock/qbo_query.hpp"
#include "mock/qbo_query_eval.hpp"
#include "mock/qbo_time.hpp"
#include "tests/support/mock_json.hpp"

namespace qm = tributary::mock;
using tributary::testing::fault_field;
using tributary::testing::json_string;

namespace {

const char* const kBasicAuth = "mock-client-id:mock-client-secret";

std::string basic_header(const std::string& id_secret) { return "Basic " + qm::base64_encode(id_secret); }

httplib::Result refresh(httplib::Client& cli, const std::string& refresh_token,
                        const std::string& credentials = kBasicAuth) {
  httplib::Headers h{{"Authorization", basic_header(credentials)}, {"Accept", "application/json"}};
  return cli.Post("/oauth2/v1/tokens/bearer", h, "grant_type=refresh_token&refresh_token=" + refresh_token,
                  "application/x-www-form-urlencoded");
}



std::vector<std::string> ids_in(const std::string& body, const char* entity) {
  simdjson::dom::parser p;
  std::vector<std::string> ids;
  simdjson::dom::array arr;
  if (p.parse(body)["QueryResponse"][entity].get(arr)) return ids;
  for (auto e : arr) ids.emplace_back(e["Id"].get_string().value());
  return ids;
}

class MockQboHttp : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(qm::QboMockOptions options) {
    cli_.reset();  // close its keep-alive connection before the old mock stops
    mock_ = std::make_unique<qm::QboMock>(options);
    mock_->start();
    cli_ = std::make_unique<httplib::Client>(mock_->base_url());
    auto r = refresh(*cli_, mock_->current_refresh_token());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    access_ = json_string(r->body, "access_token");
  }

  std::string path(const std::string& realm = "") const {
    return "/v3/company/" + (realm.empty() ? std::string("9130350000000001") : realm) + "/query";
  }

  httplib::Result query(const std::string& statement, const std::string& accept = "application/json") {
    httplib::Headers h{{"Authorization", "Bearer " + access_}, {"Accept", accept}};
    return cli_->Get(path(), {{"query", statement}, {"minorversion", "75"}}, h);
  }

  std::unique_ptr<qm::QboMock> mock_;
  std::unique_ptr<httplib::Client> cli_;
  std::string access_;
};

}  // namespace


// ---- OAuth ---------------------------------------------------------------------------

TEST_F(MockQboHttp, RefreshRotatesAndOldTokenIsInvalidGrant) {
  std::string first = mock_->current_refresh_token();
  EXPECT_NE(first, "mock-refresh-token-0");  // SetUp already rotated it once
  auto r = refresh(*cli_, first);
  ASSERT_EQ(r->status, 200);
  std::string second = json_string(r->body, "refresh_token");
  EXPECT_NE(second, first);
  EXPECT_EQ(json_string(r->body, "token_type"), "bearer");
  EXPECT_NE(r->body.find("\"x_refresh_token_expires_in\":8726400"), std::string::npos);

  auto reused = refresh(*cli_, first);
  EXPECT_EQ(reused->status, 400);
  EXPECT_EQ(reused->body, R"({"error":"invalid_grant"})");
  EXPECT_EQ(refresh(*cli_, second, "mock-client-id:wrong")->status, 401);
  EXPECT_EQ(refresh(*cli_, second, "mock-client-id:wrong")->body, R"({"error":"invalid_client"})");

  httplib::Headers h{{"Authorization", basic_header(kBasicAuth)}};
  auto grant = cli_->Post("/oauth2/v1/tokens/bearer", h, "grant_type=password", "application/x-www-form-urlencoded");
  EXPECT_EQ(grant->body, R"({"error":"unsupported_grant_type"})");

  mock_->revoke_refresh_tokens();
  EXPECT_EQ(refresh(*cli_, second)->body, R"({"error":"invalid_grant"})");
}

TEST_F(MockQboHttp, ExpiredAccessTokenGets401GatewayBody) {
  mock_->expire_access_tokens();
  auto r = query("SELECT COUNT(*) FROM Invoice");
  ASSERT_EQ(r->status, 401);
  simdjson::dom::parser p;
  auto err = p.parse(r->body)["fault"]["error"].at(0);
  EXPECT_EQ(std::string(err["code"].get_string().value()), "3200");
  EXPECT_EQ(std::string(err["message"].get_string().value()),
            "message=AuthenticationFailed; errorCode=003200; statusCode=401");
  EXPECT_EQ(std::string(err["detail"].get_string().value()).rfind("Token expired", 0), 0u);
  EXPECT_EQ(std::string(p.parse(r->body)["fault"]["type"].get_string().value()), "AUTHENTICATION");

  auto fresh = refresh(*cli_, mock_->current_refresh_token());
  access_ = json_string(fresh->body, "access_token");
  EXPECT_EQ(query("SELECT COUNT(*) FROM Invoice")->status, 200);
}

TEST_F(MockQboHttp, WrongRealmIsForbidden) {
  httplib::Headers h{{"Authorization", "Bearer " + access_}, {"Accept", "application/json"}};
  auto r = cli_->Get(path("123"), {{"query", "SELECT * FROM Invoice"}}, h);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("errorCode=003100"), std::string::npos);
}

// ---- query language over HTTP ----------------------------------------------------------

TEST_F(MockQboHttp, PlusDecodedAsSpaceIsAParserError) {
  cli_->set_url_encode(false);  // send the '+' raw, as a client that forgot to encode it would
  httplib::Headers h{{"Authorization", "Bearer " + access_}, {"Accept", "application/json"}};
  auto r = cli_->Get(path() + "?query=SELECT%20*%20FROM%20Invoice%20WHERE%20MetaData.LastUpdatedTime%20%3E%3D%20"
                              "%272024-01-01T00:00:00+00:00%27", h);
  ASSERT_EQ(r->status, 400);
  EXPECT_EQ(fault_field(r->body, "code"), "4000");
  EXPECT_EQ(fault_field(r->body, "Message"), "Error parsing query");
  EXPECT_EQ(fault_field(r->body, "Detail").rfind("QueryParserError", 0), 0u);
}

TEST_F(MockQboHttp, MaxResultsOver1000IsAValidationFault) {
  auto r = query("SELECT * FROM Invoice MAXRESULTS 1001");
  ASSERT_EQ(r->status, 400);
  EXPECT_EQ(fault_field(r->body, "code"), "4001");
  EXPECT_NE(r->body.find("\"type\":\"ValidationFault\""), std::string::npos);
}

TEST_F(MockQboHttp, PagingAWindowReturnsEveryRecordOnce) {
  const std::string where = "WHERE MetaData.LastUpdatedTime >= '2024-02-01T00:00:00Z' AND "
                            "MetaData.LastUpdatedTime < '2024-04-01T00:00:00-07:00'";
  std::set<std::string> expected;
  for (const auto& r : mock_->records("Invoice")) {
    if (r.last_updated_utc >= "2024-02-01T00:00:00Z" && r.last_updated_utc < "2024-04-01T07:00:00Z") expected.insert(r.id);
  }
  std::vector<std::string> seen;
  std::int64_t start = 1;
  while (true) {
    auto r = query("SELECT * FROM Invoice " + where + " ORDERBY MetaData.LastUpdatedTime STARTPOSITION " +
                   std::to_string(start) + " MAXRESULTS 70");
    ASSERT_EQ(r->status, 200) << r->body;
    auto page = ids_in(r->body, "Invoice");
    if (page.empty()) {
      EXPECT_EQ(r->body.rfind(R"({"QueryResponse":{},"time":")", 0), 0u) << r->body;
      break;
    }
    EXPECT_NE(r->body.find("\"startPosition\":" + std::to_string(start)), std::string::npos);
    EXPECT_NE(r->body.find("\"maxResults\":" + std::to_string(page.size())), std::string::npos);
    EXPECT_EQ(r->body.find("totalCount"), std::string::npos);
    seen.insert(seen.end(), page.begin(), page.end());
    start += 70;
  }
  EXPECT_EQ(seen.size(), expected.size());
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);

  auto count = query("SELECT COUNT(*) FROM Invoice " + where);
  EXPECT_NE(count->body.find("{\"QueryResponse\":{\"totalCount\":" + std::to_string(expected.size()) + "}"),
            std::string::npos) << count->body;
}

TEST_F(MockQboHttp, WindowBoundsAreInclusiveBelowExclusiveAbove) {
  auto count = [&](const std::string& where) {
    auto r = query("SELECT COUNT(*) FROM Customer WHERE " + where);
    simdjson::dom::parser p;
    return p.parse(r->body)["QueryResponse"]["totalCount"].get_int64().value();
  };
  // Id 1 sits exactly on data_start; some record sits exactly on a UTC midnight.
  EXPECT_EQ(count("Id = '1' AND MetaData.LastUpdatedTime >= '2024-01-01T00:00:00Z'"), 1);
  EXPECT_EQ(count("Id = '1' AND MetaData.LastUpdatedTime > '2023-12-31T16:00:00-08:00'"), 0);
  EXPECT_EQ(count("Id = '1' AND MetaData.LastUpdatedTime < '2024-01-01T00:00:00Z'"), 0);
  std::string midnight_id, midnight;
  for (const auto& r : mock_->records("Customer")) {
    if (r.id != "1" && r.last_updated_utc.substr(10) == "T00:00:00Z") {
      midnight_id = r.id;
      midnight = r.last_updated_utc;
      break;
    }
  }
  ASSERT_FALSE(midnight_id.empty());
  EXPECT_EQ(count("Id = '" + midnight_id + "' AND MetaData.LastUpdatedTime < '" + midnight + "'"), 0);
  EXPECT_EQ(count("Id = '" + midnight_id + "' AND MetaData.LastUpdatedTime >= '" + midnight + "'"), 1);
}

// Pages of one statement share a remembered selection; a touch makes it stale at once.
TEST_F(MockQboHttp, RepeatedStatementSeesATouchAtOnce) {
  const std::string where = "WHERE MetaData.LastUpdatedTime >= '2024-02-01T00:00:00Z' AND "
                            "MetaData.LastUpdatedTime < '2024-03-01T00:00:00Z'";
  auto first = ids_in(query("SELECT * FROM Invoice " + where + " ORDERBY Id MAXRESULTS 1000")->body, "Invoice");
  ASSERT_GT(first.size(), 2u);
  EXPECT_EQ(ids_in(query("SELECT * FROM Invoice " + where + " ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000")->body,
                   "Invoice"), first);
  mock_->touch("Invoice", {first[1]});
  auto after = ids_in(query("SELECT * FROM Invoice " + where + " ORDERBY Id MAXRESULTS 1000")->body, "Invoice");
  EXPECT_EQ(after.size(), first.size() - 1);
  EXPECT_EQ(std::count(after.begin(), after.end(), first[1]), 0);
}

TEST_F(MockQboHttp, QuotedNamesProjectionsPostAndXml) {
  std::string name;
  for (const auto& r : mock_->records("Customer")) {
    auto at = r.json.find("\"DisplayName\":\"");
    std::string dn = r.json.substr(at + 15, r.json.find('"', at + 15) - at - 15);
    if (dn.find('\'') != std::string::npos) {
      name = dn;
      break;
    }
  }
  ASSERT_FALSE(name.empty());
  std::string escaped;
  for (char c : name) escaped += c == '\'' ? std::string("\\'") : std::string(1, c);
  auto r = query("SELECT * FROM Customer WHERE DisplayName = '" + escaped + "'");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(ids_in(r->body, "Customer").size(), 1u);

  auto proj = query("SELECT Id, MetaData.LastUpdatedTime FROM Invoice MAXRESULTS 3");
  ASSERT_EQ(proj->status, 200);
  EXPECT_EQ(proj->body.find("TotalAmt"), std::string::npos);
  EXPECT_NE(proj->body.find("\"MetaData\":{\"LastUpdatedTime\":"), std::string::npos);
  EXPECT_NE(proj->body.find("\"sparse\":true"), std::string::npos);
  // The projected MetaData is the payload's own, to the character.
  auto invoices = mock_->records("Invoice");
  for (size_t i = 0; i < 3 && i < invoices.size(); ++i) {
    const auto& r = invoices[i];
    auto meta = r.json.substr(r.json.find("\"MetaData\":{"));
    meta = meta.substr(0, meta.find('}') + 1);
    auto sparse = query("SELECT Id, MetaData FROM Invoice WHERE Id = '" + r.id + "'");
    EXPECT_NE(sparse->body.find(meta), std::string::npos) << meta << " in " << sparse->body;
  }

  httplib::Headers h{{"Authorization", "Bearer " + access_}, {"Accept", "application/json"}};
  auto post = cli_->Post(path(), h, "SELECT * FROM Item WHERE Id IN ('1', '2', '3')", "application/text");
  EXPECT_EQ(ids_in(post->body, "Item"), (std::vector<std::string>{"1", "2", "3"}));

  auto xml = query("SELECT * FROM Item WHERE Id = '1'", "application/xml");
  EXPECT_EQ(xml->body.rfind("<?xml", 0), 0u);
  EXPECT_NE(xml->body.find("<Item domain=\"QBO\" sparse=\"false\">"), std::string::npos);
}

// ---- injected faults -------------------------------------------------------------------

TEST_F(MockQboHttp, Injected429CarriesRetryAfterAndXmlBody) {
  qm::FaultRule rule;
  rule.status = 429;
  rule.retry_after_seconds = 7;
  mock_->add_fault(rule);
  auto r = query("SELECT COUNT(*) FROM Invoice");
  ASSERT_EQ(r->status, 429);
  EXPECT_EQ(r->get_header_value("Retry-After"), "7");
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("application/xml", 0), 0u);
  EXPECT_NE(r->body.find("ThrottleExceeded"), std::string::npos);
  EXPECT_EQ(query("SELECT COUNT(*) FROM Invoice")->status, 200);
}

TEST_F(MockQboHttp, SkipTimesAndOtherStatusShapes) {
  qm::FaultRule rule;
  rule.skip = 1;
  rule.times = 2;
  rule.status = 500;
  mock_->add_fault(rule);
  rule = qm::FaultRule{};
  rule.status = 503;
  mock_->add_fault(rule);
  std::vector<int> statuses;
  std::vector<std::string> types;
  for (int i = 0; i < 5; ++i) {
    auto r = query("SELECT COUNT(*) FROM Item");
    statuses.push_back(r->status);
    types.push_back(r->get_header_value("Content-Type"));
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 500, 500, 503, 200}));
  EXPECT_EQ(types[3].rfind("text/html", 0), 0u);
  EXPECT_EQ(mock_->stats().faults_served, 3);
}

TEST_F(MockQboHttp, DropConnectionAndMalformedJson) {
  qm::FaultRule drop;
  drop.drop_connection = true;
  mock_->add_fault(drop);
  auto r = query("SELECT * FROM Invoice MAXRESULTS 5");
  EXPECT_FALSE(r);
  EXPECT_NE(r.error(), httplib::Error::Success);

  qm::FaultRule bad;
  bad.malformed_json = true;
  mock_->add_fault(bad);
  auto m = query("SELECT * FROM Invoice MAXRESULTS 5");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  simdjson::dom::parser p;
  EXPECT_NE(p.parse(m->body).error(), simdjson::SUCCESS);
}

// ---- paging hazards and throttling --------------------------------------------------------

TEST_F(MockQboHttp, MutationDuringPagingMakesANaivePagerSkip) {
  const std::string window = "WHERE MetaData.LastUpdatedTime >= '2024-01-01T00:00:00Z' AND "
                             "MetaData.LastUpdatedTime < '2024-07-01T00:00:00Z' ORDERBY MetaData.LastUpdatedTime";
  mock_->mutate_during_paging("Invoice", 3, 5);
  std::set<std::string> seen;
  for (std::int64_t start = 1;; start += 100) {
    auto page = ids_in(query("SELECT * FROM Invoice " + window + " STARTPOSITION " + std::to_string(start) +
                             " MAXRESULTS 100")->body, "Invoice");
    if (page.empty()) break;
    seen.insert(page.begin(), page.end());
  }
  int missed_but_still_in_window = 0;
  for (const auto& r : mock_->records("Invoice")) {
    bool in_window = r.last_updated_utc < "2024-07-01T00:00:00Z";
    if (in_window && !seen.count(r.id)) ++missed_but_still_in_window;
  }
  EXPECT_EQ(missed_but_still_in_window, 5);
}

TEST_F(MockQboHttp, RequestsPerMinuteThrottle) {
  qm::QboMockOptions o;
  o.max_requests_per_minute = 4;
  o.invoices = 10;
  start(o);
  std::vector<int> statuses;
  for (int i = 0; i < 5; ++i) statuses.push_back(query("SELECT COUNT(*) FROM Invoice")->status);
  auto last = query("SELECT COUNT(*) FROM Invoice");
  statuses.push_back(last->status);
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 200, 200, 429, 429}));
  EXPECT_FALSE(last->has_header("Retry-After"));
  EXPECT_NE(last->body.find("<Fault type=\"SERVICE\"><Error code=\"3001\">"), std::string::npos);
  EXPECT_EQ(mock_->stats().throttled, 2);
}

TEST_F(MockQboHttp, ConcurrencyThrottle) {
  qm::QboMockOptions o;
  o.max_concurrent_requests = 3;
  o.invoices = 10;
  start(o);
  qm::FaultRule slow;
  slow.delay_ms = 400;
  slow.times = 8;
  mock_->add_fault(slow);
  std::atomic<int> ok{0}, throttled{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      httplib::Client c(mock_->base_url());
      httplib::Headers h{{"Authorization", "Bearer " + access_}, {"Accept", "application/json"}};
      auto r = c.Get(path(), {{"query", "SELECT COUNT(*) FROM Invoice"}}, h);
      if (r && r->status == 200) ++ok;
      if (r && r->status == 429) ++throttled;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load() + throttled.load(), 8);
  EXPECT_GE(ok.load(), 3);
  EXPECT_GE(throttled.load(), 1);
  auto stats = mock_->stats();
  EXPECT_EQ(stats.throttled, throttled.load());
  EXPECT_GE(stats.max_concurrent_seen, 4);
}

// ---- admin endpoints ---------------------------------------------------------------------

TEST_F(MockQboHttp, AdminEndpointsSteerTheMock) {
  auto post = [&](const char* p, const std::string& body) { return cli_->Post(p, body, "application/json"); };
  EXPECT_EQ(post("/__admin/fault", R"({"status":502,"retry_after_seconds":3})")->status, 200);
  auto r = query("SELECT COUNT(*) FROM Invoice");
  EXPECT_EQ(r->status, 502);
  EXPECT_EQ(r->get_header_value("Retry-After"), "3");
  EXPECT_EQ(post("/__admin/fault", R"({"status":"oops"})")->status, 400);
  EXPECT_EQ(post("/__admin/fault", R"({"bogus":1})")->status, 400);

  EXPECT_EQ(post("/__admin/touch", R"({"entity":"Invoice","ids":["2"]})")->status, 200);
  EXPECT_NE(mock_->records("Invoice")[1].json.find("\"PrivateNote\":\"Revision 1\""), std::string::npos);

  auto recs = cli_->Get("/__admin/records/Item");
  simdjson::dom::parser p;
  EXPECT_EQ(p.parse(recs->body).get_array().value().size(), 100u);
  EXPECT_EQ(json_string(cli_->Get("/__admin/refresh-token")->body, "refresh_token"), mock_->current_refresh_token());

  EXPECT_EQ(post("/__admin/expire-tokens", "")->status, 200);
  EXPECT_EQ(query("SELECT COUNT(*) FROM Invoice")->status, 401);
  auto stats = cli_->Get("/__admin/stats");
  EXPECT_NE(stats->body.find("\"by_status\":{"), std::string::npos);
  EXPECT_NE(stats->body.find("\"401\":1"), std::string::npos);
}
