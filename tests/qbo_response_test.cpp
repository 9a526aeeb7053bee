// Reading QuickBooks answers (pages, ids, counts, faults) and the qbo_query stream that asks for them.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <boost/date_time/posix_time/posix_time.hpp>
#include <cctype>
#include <string>
#include <vector>

#include "connectors/qbo/qbo_stream.hpp"
#include "http/curl_client.hpp"
#include "tests/support/qbo_config.hpp"
#include "connectors/qbo/qbo_query.hpp"
#include "connectors/qbo/qbo_response.hpp"
#include "core/error.hpp"

namespace tributary::connectors::qbo {
namespace {

namespace pt = boost::posix_time;
namespace gr = boost::gregorian;

// Record pages are read by the qbo_query stream (records: /QueryResponse/<Entity>), the path
// production takes.
std::vector<Record> parse_entity_page(std::string& body, const std::string& entity) {
  auto config = tributary::testing::qbo_connector_config(100);
  config.streams[0].extension.values = {{"entity", entity}};
  config.streams[0].rest.records = "/QueryResponse/" + entity;
  qbo::QboStream stream(config, config.streams[0]);
  Page page;
  page.body = body;
  stream.parse_page(page, "");
  // The views point into page.body; hand the caller a body they can point into.
  body = std::move(page.body);
  return page.records;
}

Timestamp utc(int y, int mo, int d, int h, int mi, int s = 0) {
  return Timestamp(gr::date(y, mo, d), pt::hours(h) + pt::minutes(mi) + pt::seconds(s));
}

// Shaped like a minorversion=75 answer to SELECT * FROM Invoice (trimmed). The second record's
// nested Line has its own "Id", listed before the invoice's; the third carries escapes.
const std::string kInvoice130 =
    R"({"AllowIPNPayment":false,"domain":"QBO","sparse":false,"Id":"130","SyncToken":"0",)"
    R"("MetaData":{"CreateTime":"2024-03-09T16:10:00-08:00","LastUpdatedTime":"2024-03-10T01:30:00-08:00"},)"
    R"("DocNumber":"1037","TxnDate":"2024-03-09","CustomerRef":{"value":"24","name":"Red Rock Diner"},)"
    R"("TotalAmt":362.07,"Balance":362.07})";
const std::string kInvoice131 =
    R"({"Line":[{"Id":"1","LineNum":1,"Amount":50.0,"DetailType":"SalesItemLineDetail",)"
    R"("SalesItemLineDetail":{"ItemRef":{"value":"5","name":"Rock Fountain"}}}],)"
    R"("domain":"QBO","Id":"131","SyncToken":"2",)"
    R"("MetaData":{"CreateTime":"2024-06-30T09:00:00-07:00","LastUpdatedTime":"2024-07-01T10:15:00-07:00"},)"
    R"("TotalAmt":50.0})";
const std::string kInvoice99 =
    R"({"Id":"99","PrivateNote":"line 1\nline 2 \"quoted\" caf\u00e9 \\ done",)"
    R"("MetaData":{"LastUpdatedTime":"2024-12-31T23:59:59-08:00"},"TotalAmt":0})";
const std::string kTime = R"("time":"2024-03-12T10:00:00.000-07:00")";

std::string envelope(const std::vector<std::string>& records, const std::string& sep = ",") {
  std::string body = R"({"QueryResponse":{"Invoice":[)";
  for (size_t i = 0; i < records.size(); ++i) body += (i ? sep : "") + records[i];
  return body + R"(],"startPosition":1,"maxResults":)" + std::to_string(records.size()) + "}," + kTime + "}";
}

void expect_points_into(const std::string& body, std::string_view json, const std::string& raw) {
  EXPECT_EQ(json, raw);
  ASSERT_GE(json.data(), body.data());
  ASSERT_LE(json.data() + json.size(), body.data() + body.size());
  EXPECT_EQ(static_cast<size_t>(json.data() - body.data()), body.find(raw));
}

TEST(QboResponse, ParsesAnEntityPageKeepingEachRecordsRawText) {
  std::string body = envelope({kInvoice130, kInvoice131, kInvoice99});
  const std::string original = body;
  auto records = parse_entity_page(body, "Invoice");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(body, original) << "the body must not be modified";

  const std::vector<std::pair<std::string, Timestamp>> expected = {
      {"130", utc(2024, 3, 10, 9, 30)}, {"131", utc(2024, 7, 1, 17, 15)},
      {"99", utc(2025, 1, 1, 7, 59, 59)}};
  const std::vector<std::string> raws = {kInvoice130, kInvoice131, kInvoice99};
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].id, expected[i].first);
    EXPECT_EQ(records[i].updated_at, expected[i].second) << records[i].id;
    expect_points_into(body, records[i].json, raws[i]);
  }
}

TEST(QboResponse, RawTextExcludesWhitespaceAroundRecords) {
  // Pretty-printed answers must still give exactly the record, not its trailing indentation.
  std::string body = "{\n  \"QueryResponse\": {\n    \"Invoice\": [\n      " + kInvoice130 +
                     " ,\n      " + kInvoice99 + "\n    ],\n    \"maxResults\": 2\n  },\n  " + kTime +
                     "\n}\n";
  auto records = parse_entity_page(body, "Invoice");
  ASSERT_EQ(records.size(), 2u);
  expect_points_into(body, records[0].json, kInvoice130);
  expect_points_into(body, records[1].json, kInvoice99);
}

TEST(QboResponse, PagePastTheEndHasNoRecords) {
  std::string body = R"({"QueryResponse":{},"time":"2024-03-12T10:00:00.000-07:00"})";
  EXPECT_TRUE(parse_entity_page(body, "Invoice").empty());
  std::string ids = body;
  EXPECT_TRUE(parse_id_page(ids, "Invoice").empty());
}

TEST(QboResponse, OtherEntityKeysAreIgnored) {
  std::string body = R"({"QueryResponse":{"Customer":[{"Id":"7","MetaData":{"LastUpdatedTime":"2024-01-01T00:00:00Z"}}],)"
                     R"("Invoice":[)" + kInvoice99 + R"(],"Estimate":[{"Id":"8"}],"startPosition":1},)" +
                     kTime + "}";
  auto records = parse_entity_page(body, "Invoice");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].id, "99");
  EXPECT_TRUE(parse_entity_page(body, "Item").empty());
}

TEST(QboResponse, UnreadableBodiesAreDataErrors) {
  const std::string full = envelope({kInvoice130, kInvoice131});
  const std::vector<std::string> bodies = {
      "",
      "not json",
      "<html><body>Bad gateway</body></html>",
      "[]",
      R"({"time":"2024-03-12T10:00:00.000-07:00"})",                       // no QueryResponse
      R"({"QueryResponse":[]})",                                           // wrong type
      R"({"QueryResponse":{"Invoice":{"Id":"1"}}})",                       // entity not a list
      R"({"QueryResponse":{"Invoice":[{"Id":"1"},]}})",                    // trailing comma
      R"({"Fault":{"Error":[{"Message":"x","code":"4000"}],"type":"ValidationFault"}})",
      full.substr(0, full.size() / 2),                                     // truncated mid-record
      full.substr(0, full.find(kInvoice131) + kInvoice131.size()),         // truncated after a record
  };
  // A record without Id does not fail its page: it is marked for quarantine.
  std::string no_id = R"({"QueryResponse":{"Invoice":[{"SyncToken":"0"},{"Id":"2","MetaData":{"LastUpdatedTime":"2024-03-12T10:00:00-07:00"}}]}})";
  auto marked = parse_entity_page(no_id, "Invoice");
  ASSERT_EQ(marked.size(), 2u);
  EXPECT_NE(marked[0].reject_reason.find("no primary key /Id"), std::string::npos) << marked[0].reject_reason;
  EXPECT_EQ(marked[1].reject_reason, "");
  for (auto body : bodies) {
    try {
      auto records = parse_entity_page(body, "Invoice");
      ADD_FAILURE() << "accepted (" << records.size() << " records): " << body;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::data) << body << " -> " << e.what();
    }
  }
}

TEST(QboResponse, EveryTruncationOfAPageIsADataError) {
  const std::string full = envelope({kInvoice130, kInvoice131});
  std::vector<size_t> accepted;
  for (size_t n = 0; n < full.size(); ++n) {
    std::string body = full.substr(0, n);
    try {
      parse_entity_page(body, "Invoice");
      accepted.push_back(n);
    } catch (const Error& e) {
      ASSERT_EQ(e.kind(), ErrorKind::data) << n;
    }
  }
  EXPECT_TRUE(accepted.empty()) << accepted.size() << " truncated bodies were accepted, the first: "
                                << full.substr(0, accepted.empty() ? 0 : accepted.front());
}

TEST(QboResponse, ParsesIdPagesAndCounts) {
  std::string body = R"({"QueryResponse":{"Invoice":[)"
                     R"({"Id":"130","MetaData":{"LastUpdatedTime":"2024-03-10T01:30:00-08:00"}},)"
                     R"({"Id":"131","MetaData":{"LastUpdatedTime":"2024-07-01T10:15:00-07:00"}}],)"
                     R"("startPosition":1,"maxResults":2},)" + kTime + "}";
  auto ids = parse_id_page(body, "Invoice");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0].id, "130");
  EXPECT_EQ(ids[0].updated_at, utc(2024, 3, 10, 9, 30));
  EXPECT_EQ(ids[1].id, "131");
  EXPECT_EQ(ids[1].updated_at, utc(2024, 7, 1, 17, 15));

  std::string no_time = R"({"QueryResponse":{"Invoice":[{"Id":"1"}]}})";
  EXPECT_THROW(parse_id_page(no_time, "Invoice"), Error);

  std::string count = R"({"QueryResponse":{"totalCount":1234},)" + kTime + "}";
  EXPECT_EQ(parse_count(count), 1234);
  std::string zero = R"({"QueryResponse":{"totalCount":0}})";
  EXPECT_EQ(parse_count(zero), 0);
  for (std::string bad : {std::string(R"({"QueryResponse":{}})"), std::string("{}"),
                          std::string(R"({"QueryResponse":{"totalCount":"12"}})"), std::string("nope")}) {
    try {
      parse_count(bad);
      ADD_FAILURE() << "count read from " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::data) << bad;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// describe_fault: one readable, bounded line whatever the body looks like.

struct FaultCase {
  const char* name;
  int status;
  std::string body;
  std::vector<std::string> mentions;
};

void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.name; }

class QboFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(QboFault, SummarisesInOneBoundedLine) {
  const auto& c = GetParam();
  http::HttpResponse response;
  response.status = c.status;
  response.body = c.body;
  const std::string text = describe_fault(response);
  const std::string shown = text.size() > 400 ? text.substr(0, 400) + "..." : text;
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.find('\n'), std::string::npos) << shown;
  EXPECT_EQ(text.find('\r'), std::string::npos) << shown;
  EXPECT_LE(text.size(), 600u) << shown;
  for (const auto& m : c.mentions) EXPECT_NE(text.find(m), std::string::npos) << "'" << m << "' not in: " << shown;
}

INSTANTIATE_TEST_SUITE_P(
    Qbo, QboFault,
    ::testing::Values(
        FaultCase{"data_api_validation", 400,
                  R"({"Fault":{"Error":[{"Message":"Error parsing query","Detail":"QueryParserError: Encountered \" <ID> \"SELEC \"\" at line 1, column 1.","code":"4000"}],"type":"ValidationFault"},"time":"2024-03-12T10:00:00.000-07:00"})",
                  {"ValidationFault", "4000", "Error parsing query", "QueryParserError"}},
        FaultCase{"gateway_lowercase_auth", 401,
                  R"({"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","detail":"Token expired","code":"3200"}],"type":"AUTHENTICATION"}})",
                  {"AUTHENTICATION", "3200", "AuthenticationFailed", "Token expired"}},
        FaultCase{"xml_throttling", 429,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                  R"(<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2024-03-12T10:00:00.000-07:00"><Fault type="ThrottlingFault"><Error code="003001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message><Detail>The request limit was reached.</Detail></Error></Fault></IntuitResponse>)",
                  {"ThrottleExceeded", "003001", "The request limit was reached."}},
        FaultCase{"html_503", 503,
                  "<!DOCTYPE html>\n<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n"
                  "<body>\n<center><h1>503 Service Temporarily Unavailable</h1></center>\n"
                  "<hr><center>nginx</center>\n</body>\n</html>\n",
                  {"503 Service Temporarily Unavailable"}},
        FaultCase{"plain_text", 502, "upstream\nconnect error", {"upstream connect error"}},
        FaultCase{"empty", 500, "", {}},
        // QBO's QueryParserError details are JavaCC messages spanning several lines.
        FaultCase{"multi_line_detail", 400,
                  R"({"Fault":{"Error":[{"Message":"Error parsing query","Detail":"QueryParserError: Encountered \" <ID> \"SELEC \"\" at line 1, column 1.\nWas expecting one of:\n    \"delete\" ...\n    \"select\" ...\n    ","code":"4000"}],"type":"ValidationFault"},"time":"2024-03-12T10:00:00.000-07:00"})",
                  {"ValidationFault", "4000", "Error parsing query"}},
        FaultCase{"huge_detail", 400,
                  R"({"Fault":{"Error":[{"Message":"Error parsing query","Detail":")" + std::string(20'000, 'x') +
                      R"(","code":"4000"}],"type":"ValidationFault"}})",
                  {"ValidationFault", "4000"}}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------------------------
// A qbo_query stream

ConnectorConfig hand_config(int page_size) { return tributary::testing::qbo_connector_config(page_size); }

// The URL a QuickBooks stream requests for `statement`: the statement is the `query` parameter.
std::string query_url(const ConnectorConfig& c, const std::string& statement) {
  return c.base_url + "/v3/company/" + c.account + "/query?minorversion=75&query=" + http::url_encode(statement);
}

const Window kWeek{Timestamp(gr::date(2024, 1, 1)), Timestamp(gr::date(2024, 1, 8))};

TEST(QboStream, PageRequestStartsAtTheStoredPosition) {
  const auto config = hand_config(100);
  qbo::QboStream stream(config, config.streams[0]);
  const std::vector<std::pair<std::string, long>> cases = {{"", 1}, {"1", 1}, {"101", 101}, {"2001", 2001}};
  for (const auto& [position, start] : cases) {
    auto req = stream.page_request(kWeek, position);
    EXPECT_EQ(req.http.method, "GET");
    EXPECT_EQ(req.http.url, query_url(config, page_query("Invoice", kWeek, start, 100)))
        << "position '" << position << "'";
    EXPECT_NE(req.http.url.find("STARTPOSITION%20" + std::to_string(start) + "%20MAXRESULTS%20100"),
              std::string::npos) << req.http.url;
  }
  for (const char* bad : {"abc", "0", "-5", "12x"}) {
    EXPECT_THROW(stream.page_request(kWeek, bad), Error) << bad;
  }
}

TEST(QboStream, RequestPayloadIsJsonWithoutCredentials) {
  const auto config = hand_config(100);
  qbo::QboStream stream(config, config.streams[0]);
  auto req = stream.page_request(kWeek, "101");

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(req.request_payload).get(doc), simdjson::SUCCESS) << req.request_payload;
  std::string_view method, url, query, minor;
  ASSERT_EQ(doc["method"].get(method), simdjson::SUCCESS);
  ASSERT_EQ(doc["url"].get(url), simdjson::SUCCESS);
  ASSERT_EQ(doc["params"]["query"].get(query), simdjson::SUCCESS);
  EXPECT_EQ(method, "GET");
  EXPECT_EQ(url, "https://quickbooks.api.intuit.com/v3/company/9130357/query");
  EXPECT_EQ(query, page_query("Invoice", kWeek, 101, 100));
  ASSERT_EQ(doc["params"]["minorversion"].get(minor), simdjson::SUCCESS) << req.request_payload;
  EXPECT_EQ(minor, "75");

  std::string lower = req.request_payload;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  EXPECT_EQ(lower.find("authorization"), std::string::npos) << req.request_payload;
  EXPECT_EQ(lower.find("bearer"), std::string::npos) << req.request_payload;
  for (const std::string& secret : {config.auth.client_secret.reveal(), config.auth.refresh_token.reveal()}) {
    EXPECT_EQ(req.request_payload.find(secret), std::string::npos);
    EXPECT_EQ(req.http.label.find(secret), std::string::npos);
    EXPECT_EQ(req.http.url.find(secret), std::string::npos);
  }
  for (const auto& [name, value] : req.http.headers) EXPECT_NE(name, "Authorization");
}

TEST(QboStream, ParsePageSetsTheNextPositionOnlyAfterAFullPage) {
  const auto config = hand_config(3);
  qbo::QboStream stream(config, config.streams[0]);
  struct Case {
    std::vector<std::string> records;
    std::string position;
    std::optional<std::string> next;
  };
  const std::vector<Case> cases = {
      {{kInvoice130, kInvoice131, kInvoice99}, "", "4"},
      {{kInvoice130, kInvoice131, kInvoice99}, "101", "104"},
      {{kInvoice130, kInvoice131}, "101", std::nullopt},
      {{}, "4", std::nullopt},
  };
  for (const auto& c : cases) {
    Page page;
    page.body = c.records.empty() ? std::string(R"({"QueryResponse":{},)") + kTime + "}" : envelope(c.records);
    stream.parse_page(page, c.position);
    EXPECT_EQ(page.records.size(), c.records.size());
    EXPECT_EQ(page.next_position, c.next) << "position '" << c.position << "', " << c.records.size() << " rows";
    for (size_t i = 0; i < page.records.size(); ++i) EXPECT_EQ(page.records[i].json, c.records[i]);
  }
}

TEST(QboStream, PageSizeAboveQuickBooksLimitIsAConfigError) {
  const auto ok = hand_config(1000);
  EXPECT_NO_THROW({ qbo::QboStream stream(ok, ok.streams[0]); });
  const auto config = hand_config(1001);
  try {
    qbo::QboStream stream(config, config.streams[0]);
    FAIL() << "page_size 1001 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_NE(std::string(e.what()).find("1001"), std::string::npos) << e.what();
  }
}

TEST(QboStream, CountAndIdRequests) {
  const auto config = hand_config(100);
  qbo::QboStream stream(config, config.streams[0]);
  auto count = stream.count_request(kWeek);
  ASSERT_TRUE(count.has_value());
  EXPECT_EQ(count->http.url, query_url(config, count_query("Invoice", kWeek)));
  EXPECT_EQ(stream.id_request(kWeek, "1001").http.url, query_url(config, id_query("Invoice", kWeek, 1001, 1000)));
  EXPECT_EQ(stream.fetch_by_ids_request({"1", "2"}).http.url, query_url(config, by_ids_query("Invoice", {"1", "2"})));
}

// ---------------------------------------------------------------------------------------------
// Deletions through Change Data Capture

std::string cdc_answer(int deleted, int active, const std::string& time = "2026-11-20T10:00:00-08:00") {
  std::string objects;
  for (int i = 0; i < deleted + active; ++i) {
    objects += std::string(i ? "," : "") + R"({"Id":")" + std::to_string(i + 1) + R"(",)" +
               (i < deleted ? R"("status":"Deleted",)" : R"("SyncToken":"1",)") + R"("MetaData":{"LastUpdatedTime":")" +
               time + R"("}})";
  }
  return R"({"CDCResponse":[{"QueryResponse":[{"Invoice":[)" + objects +
         R"(],"startPosition":1,"maxResults":1},{}]}],"time":"2026-11-22T12:56:34.203-08:00"})";
}

TEST(QboStream, CdcRequestAsksForTheEntityChangedSinceTheRangeStart) {
  const auto config = hand_config(100);
  qbo::QboStream stream(config, config.streams[0]);
  ASSERT_NE(stream.deletion_feed(), nullptr);
  EXPECT_EQ(stream.max_lookback(), pt::hours(24 * 30));
  auto req = stream.deletions_request(kWeek, "");
  EXPECT_EQ(req.http.method, "GET");
  EXPECT_EQ(req.http.url, config.base_url + "/v3/company/" + config.account +
                              "/cdc?minorversion=75&entities=Invoice&changedSince=2024-01-01T00%3A00%3A00%2B00%3A00");
  EXPECT_NE(stream.deletions_request(kWeek, "2024-01-03T00:00:00+00:00").http.url.find("changedSince=2024-01-03"),
            std::string::npos);
}

TEST(QboStream, CdcDeletionsAreTheDeletedObjectsAtTheirTime) {
  const auto config = hand_config(100);
  qbo::QboStream stream(config, config.streams[0]);
  Page page;
  page.body = cdc_answer(2, 3);
  auto d = stream.parse_deletions(page, "");
  ASSERT_EQ(d.deleted.size(), 2u);
  EXPECT_EQ(d.deleted[0].id, "1");
  EXPECT_EQ(d.deleted[1].id, "2");
  EXPECT_EQ(d.deleted[0].deleted_at, Timestamp(gr::date(2026, 11, 20), pt::hours(18)));
  EXPECT_FALSE(d.next_position.has_value());
  EXPECT_FALSE(d.truncated.has_value());
  Page cut;
  cut.body = cdc_answer(1, 1).substr(0, 60);
  EXPECT_THROW(stream.parse_deletions(cut, ""), Error);
}

TEST(QboStream, AFullCdcAnswerIsAskedAgainFromItsLatestChangeOrReportedCut) {
  const auto config = hand_config(100);
  qbo::QboStream stream(config, config.streams[0]);
  Page page;
  page.body = cdc_answer(10, kCdcMaxObjects - 10);
  auto d = stream.parse_deletions(page, "");
  EXPECT_EQ(d.next_position, std::optional<std::string>("2026-11-20T18:00:00+00:00"));
  EXPECT_FALSE(d.truncated.has_value());
  // Asked again from there, the same instant fills the answer: no way forward, and it says so.
  Page again;
  again.body = cdc_answer(0, kCdcMaxObjects);
  auto stuck = stream.parse_deletions(again, *d.next_position);
  EXPECT_FALSE(stuck.next_position.has_value());
  ASSERT_TRUE(stuck.truncated.has_value());
  EXPECT_NE(stuck.truncated->find("1000"), std::string::npos) << *stuck.truncated;
}

TEST(QboStream, SettingsAreCheckedAtTheStream) {
  auto with = [](std::vector<std::pair<std::string, std::string>> values) {
    auto config = hand_config(100);
    config.streams[0].extension.values = std::move(values);
    return config;
  };
  auto none = with({{"entity", "Invoice"}, {"deletions", "none"}});
  EXPECT_EQ(qbo::QboStream(none, none.streams[0]).deletion_feed(), nullptr);
  for (const auto& [values, mention] : std::vector<std::pair<std::vector<std::pair<std::string, std::string>>, std::string>>{
           {{}, "missing 'entity'"},
           {{{"entity", "Invoice"}, {"entitty", "x"}}, "unknown key 'entitty'"},
           {{{"entity", "Invoice"}, {"deletions", "webhooks"}}, "'deletions' must be cdc or none"}}) {
    auto config = with(values);
    try {
      qbo::QboStream stream(config, config.streams[0]);
      ADD_FAILURE() << mention << ": accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::config);
      EXPECT_NE(std::string(e.what()).find(mention), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind(config.path + ":40:5: stream 'invoices': ", 0), 0u) << e.what();
    }
  }
  auto paged = hand_config(100);
  paged.streams[0].rest.paginator.kind = PaginatorKind::offset;
  EXPECT_THROW(qbo::QboStream(paged, paged.streams[0]), Error) << "QuickBooks pages itself";
}

}  // namespace
}  // namespace tributary::connectors::qbo
