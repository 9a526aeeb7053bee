// Tests of the QuickBooks Online mock's pure parts (mock/): time rendering and parsing, the
// query language subset, the generated data, and indexed selections against a full scan.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <set>

#include "mock/qbo_data.hpp"
#include "mock/qbo_query.hpp"
#include "mock/qbo_query_eval.hpp"
#include "mock/qbo_time.hpp"

namespace qm = tributary::mock;

TEST(MockQboTime, RendersLosAngelesOffsetsAcrossDst) {
  auto at = [](const char* utc) { return qm::format_pacific(*qm::parse_utc_option(utc)); };
  EXPECT_EQ(at("2024-01-08T00:00:00Z"), "2024-01-07T16:00:00-08:00");
  EXPECT_EQ(at("2024-03-10T09:59:59Z"), "2024-03-10T01:59:59-08:00");
  EXPECT_EQ(at("2024-03-10T10:00:00Z"), "2024-03-10T03:00:00-07:00");
  EXPECT_EQ(at("2024-11-03T08:59:59Z"), "2024-11-03T01:59:59-07:00");
  EXPECT_EQ(at("2024-11-03T09:00:00Z"), "2024-11-03T01:00:00-08:00");
}

TEST(MockQboTime, ParsesQueryTimestampsAndRejectsDecodedPlus) {
  auto ms = [](const char* s) { return qm::parse_query_timestamp_ms(s); };
  std::int64_t midnight = *qm::parse_utc_option("2024-01-08T00:00:00Z") * 1000;
  EXPECT_EQ(ms("2024-01-08T00:00:00Z"), midnight);
  EXPECT_EQ(ms("2024-01-08T00:00:00+00:00"), midnight);
  EXPECT_EQ(ms("2024-01-07T16:00:00-08:00"), midnight);
  EXPECT_EQ(ms("2024-01-07T16:00:00-0800"), midnight);
  EXPECT_EQ(ms("2024-01-07T16:00:00"), midnight);  // company zone
  EXPECT_EQ(ms("2024-01-07"), midnight - 16 * 3600 * 1000);
  EXPECT_FALSE(ms("2024-01-08T00:00:00 00:00"));
  EXPECT_FALSE(ms("2024-02-30"));
  EXPECT_FALSE(ms("yesterday"));
}

TEST(MockQboQuery, ParsesTheSupportedSubset) {
  auto q = qm::parse_query(
      "select * from Invoice where Metadata.LastUpdatedTime >= '2024-01-01T00:00:00Z' and "
      "MetaData.LastUpdatedTime < '2024-02-01' orderby metadata.lastupdatedtime desc "
      "startposition 101 maxresults 1000");
  ASSERT_TRUE(std::holds_alternative<qm::Query>(q)) << std::get<qm::QueryError>(q).detail;
  const auto& parsed = std::get<qm::Query>(q);
  EXPECT_EQ(parsed.entity, "Invoice");
  EXPECT_EQ(parsed.where.size(), 2u);
  EXPECT_TRUE(parsed.order_by.at(0).descending);
  EXPECT_EQ(parsed.start_position, 101);
  EXPECT_EQ(parsed.max_results, 1000);

  auto quoted = qm::parse_query(R"(SELECT * FROM Customer WHERE DisplayName IN ('Dana O\'Brien', 'Café Müller'))");
  ASSERT_TRUE(std::holds_alternative<qm::Query>(quoted));
  EXPECT_EQ(std::get<qm::Query>(quoted).where.at(0).values.at(0).text, "Dana O'Brien");

  auto count = qm::parse_query("SELECT COUNT(*) FROM Item");
  ASSERT_TRUE(std::holds_alternative<qm::Query>(count));
  EXPECT_EQ(std::get<qm::Query>(count).select, qm::Query::Select::Count);
}

TEST(MockQboQuery, RejectsWhatQboRejects) {
  auto code = [](const char* s) {
    auto q = qm::parse_query(s);
    return std::holds_alternative<qm::QueryError>(q) ? std::get<qm::QueryError>(q).code : "ok";
  };
  EXPECT_EQ(code("SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= '2024-01-01T00:00:00 00:00'"), "4000");
  EXPECT_EQ(code("SELECT * FROM Customer WHERE DisplayName = 'Dana O'Brien'"), "4000");
  EXPECT_EQ(code("SELECT * FROM Invoice WHERE Id = '1' OR Id = '2'"), "4000");
  EXPECT_EQ(code("SELECT * FROM Invoice MAXRESULTS 1001"), "4001");
  EXPECT_EQ(code("SELECT * FROM Invoice MAXRESULTS 1000"), "ok");
  EXPECT_EQ(code("   "), "4000");
  EXPECT_EQ(code("SELECT * FROM Invoice WHERE Id = 'unterminated"), "4000");
}

TEST(MockQboData, IsDeterministicAndCoversBoundaries) {
  qm::QboMockOptions o;
  qm::Dataset a(o), b(o);
  const auto& inv = a.records(qm::EntityKind::Invoice);
  ASSERT_EQ(inv.size(), 1500u);
  EXPECT_EQ(inv[10].json, b.records(qm::EntityKind::Invoice)[10].json);
  std::int64_t start = *qm::parse_utc_option(o.data_start_utc), end = *qm::parse_utc_option(o.data_end_utc);
  int midnights = 0, pdt = 0, pst = 0;
  for (const auto& r : inv) {
    EXPECT_GE(r.updated_utc, start);
    EXPECT_LT(r.updated_utc, end);
    EXPECT_LE(r.create_utc, r.updated_utc);
    EXPECT_GE(r.json.size(), 500u);
    EXPECT_LE(r.json.size(), 2000u);
    midnights += r.updated_utc % 86400 == 0;
    (r.json.find("-07:00\"}") != std::string::npos ? pdt : pst) += 1;
  }
  EXPECT_EQ(inv[0].updated_utc, start);
  EXPECT_GE(midnights, 20);
  EXPECT_GT(pdt, 0);
  EXPECT_GT(pst, 0);
  std::string customers;
  for (const auto& r : a.records(qm::EntityKind::Customer)) customers += r.json;
  EXPECT_NE(customers.find("O'Brien"), std::string::npos);
  EXPECT_NE(customers.find("Café Müller"), std::string::npos);
}

// Windows and Id lists are answered from an index (Dataset::by_updated, Ids by position), not a
// scan; the answers must be the scan's, also after touch and delete move records around.
TEST(MockQboQueryEval, IndexedSelectionsMatchAFullScan) {
  qm::QboMockOptions o;
  o.invoices = 3000;
  qm::Dataset data(o);
  auto ids_of = [&](const std::string& statement) {
    auto q = qm::parse_query(statement);
    EXPECT_TRUE(std::holds_alternative<qm::Query>(q)) << statement;
    auto s = qm::select_rows(std::get<qm::Query>(q), data);
    std::vector<int> ids;
    for (const auto* r : std::get<qm::Selection>(s).rows) ids.push_back(r->id);
    return ids;
  };
  // What a scan answers: active records with lo <= LastUpdatedTime < hi, in Id order.
  auto scan = [&](std::int64_t lo, std::int64_t hi) {
    std::vector<int> ids;
    for (const auto& r : data.records(qm::EntityKind::Invoice)) {
      if (!r.deleted && r.updated_utc >= lo && r.updated_utc < hi) ids.push_back(r.id);
    }
    return ids;
  };
  auto window = [](const char* lo, const char* hi) {
    return std::string("SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= '") + lo +
           "' AND MetaData.LastUpdatedTime < '" + hi + "' ORDERBY Id";
  };
  std::int64_t feb = *qm::parse_utc_option("2024-02-01T00:00:00Z"), mar = *qm::parse_utc_option("2024-03-01T00:00:00Z");
  auto before = scan(feb, mar);
  ASSERT_GT(before.size(), 100u);
  EXPECT_EQ(ids_of(window("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z")), before);
  // A bound exactly on a record's time: >= keeps it, < leaves it out.
  const auto& first = data.records(qm::EntityKind::Invoice)[before.front() - 1];
  std::string at = qm::format_utc(first.updated_utc);
  EXPECT_EQ(ids_of(window(at.c_str(), "2024-03-01T00:00:00Z")).front(), before.front());
  EXPECT_EQ(ids_of(window("2024-01-01T00:00:00Z", at.c_str())), scan(0, first.updated_utc));

  std::int64_t now = *qm::parse_utc_option("2024-06-30T00:00:00Z");
  data.touch(qm::EntityKind::Invoice, before[0], now);
  data.remove(qm::EntityKind::Invoice, before[1], now);
  auto after = ids_of(window("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"));
  EXPECT_EQ(after, scan(feb, mar));
  EXPECT_EQ(after.size(), before.size() - 2);
  EXPECT_EQ(ids_of(window("2024-06-30T00:00:00Z", "2024-06-30T00:00:01Z")), scan(now, now + 1));
  auto latest_first = scan(feb, INT64_MAX);
  const auto& recs = data.records(qm::EntityKind::Invoice);
  std::sort(latest_first.begin(), latest_first.end(), [&](int a, int b) {
    auto ta = recs[a - 1].updated_utc, tb = recs[b - 1].updated_utc;
    return ta != tb ? ta > tb : a < b;
  });
  EXPECT_EQ(ids_of("SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= '2024-02-01T00:00:00Z' "
                   "ORDERBY MetaData.LastUpdatedTime DESC"), latest_first);

  // Id lists: repeats answered once, unknown, deleted and non-numeric ids ignored.
  std::string deleted = std::to_string(before[1]);
  EXPECT_EQ(ids_of("SELECT * FROM Invoice WHERE Id IN ('7', '3', '7', '999999', 'x', '" + deleted + "')"),
            (std::vector<int>{3, 7}));
  EXPECT_EQ(ids_of("SELECT * FROM Invoice WHERE Id = '12' ORDERBY Id DESC"), (std::vector<int>{12}));
  EXPECT_EQ(ids_of("SELECT * FROM Invoice WHERE Id IN ('5', '9', '2') ORDERBY Id DESC"), (std::vector<int>{9, 5, 2}));
}
