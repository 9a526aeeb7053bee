// QuickBooks query statements and URLs, and the percent-encoding they rely on.
#include <gtest/gtest.h>

#include <boost/date_time/posix_time/posix_time.hpp>
#include <string>
#include <vector>

#include "connectors/qbo/qbo_query.hpp"
#include "connectors/qbo/qbo_stream.hpp"
#include "http/curl_client.hpp"
#include "tests/support/qbo_config.hpp"

namespace tributary::connectors::qbo {
namespace {

namespace pt = boost::posix_time;
namespace gr = boost::gregorian;

const Window kWeek{Timestamp(gr::date(2024, 1, 1)), Timestamp(gr::date(2024, 1, 8))};
const std::string kFilter =
    "MetaData.LastUpdatedTime >= '2024-01-01T00:00:00+00:00' "
    "AND MetaData.LastUpdatedTime < '2024-01-08T00:00:00+00:00'";

TEST(QboQuery, QuoteEscapesApostrophes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "''"},
      {"Acme", "'Acme'"},
      {"O'Brien", R"('O\'Brien')"},
      {"''", R"('\'\'')"},
      {"It's Bob's", R"('It\'s Bob\'s')"},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(quote(in), out) << in;
}

TEST(QboQuery, WindowFilterIsHalfOpenInUtcWithExplicitOffsets) {
  EXPECT_EQ(window_filter(kWeek), kFilter);
  // Any window, not just midnight edges: converted to UTC, with an explicit +00:00.
  Window w{Timestamp(gr::date(2024, 3, 10), pt::hours(9) + pt::minutes(30)),
           Timestamp(gr::date(2024, 3, 10), pt::hours(10))};
  EXPECT_EQ(window_filter(w),
            "MetaData.LastUpdatedTime >= '2024-03-10T09:30:00+00:00' "
            "AND MetaData.LastUpdatedTime < '2024-03-10T10:00:00+00:00'");
}

TEST(QboQuery, Statements) {
  EXPECT_EQ(page_query("Invoice", kWeek, 1, 100),
            "SELECT * FROM Invoice WHERE " + kFilter + " ORDERBY Id STARTPOSITION 1 MAXRESULTS 100");
  EXPECT_EQ(page_query("Customer", kWeek, 1001, 1000),
            "SELECT * FROM Customer WHERE " + kFilter +
                " ORDERBY Id STARTPOSITION 1001 MAXRESULTS 1000");
  EXPECT_EQ(count_query("Item", kWeek), "SELECT COUNT(*) FROM Item WHERE " + kFilter);
  EXPECT_EQ(id_query("Invoice", kWeek, 201, 1000),
            "SELECT Id, MetaData.LastUpdatedTime FROM Invoice WHERE " + kFilter +
                " ORDERBY Id STARTPOSITION 201 MAXRESULTS 1000");
  EXPECT_EQ(by_ids_query("Invoice", {"1", "22", "333"}),
            "SELECT * FROM Invoice WHERE Id IN ('1','22','333') MAXRESULTS 3");
  EXPECT_EQ(by_ids_query("Invoice", {"42"}), "SELECT * FROM Invoice WHERE Id IN ('42') MAXRESULTS 1");
}

// The statement travels as the `query` parameter of the stream's request, encoded once.
std::string first_page_url(const std::string& base, const std::string& realm) {
  auto config = tributary::testing::qbo_connector_config(100, base, realm);
  connectors::qbo::QboStream stream(config, config.streams[0]);
  return stream.page_request(kWeek, "").http.url;
}

TEST(QboQuery, QueryUrlEncodesTheStatementExactlyOnce) {
  const std::string url = first_page_url("https://quickbooks.api.intuit.com", "9130357");
  const std::string prefix = "https://quickbooks.api.intuit.com/v3/company/9130357/query?minorversion=75&query=";
  ASSERT_EQ(url.rfind(prefix, 0), 0u) << url;

  const std::string encoded = url.substr(prefix.size());
  EXPECT_EQ(encoded,
            "SELECT%20%2A%20FROM%20Invoice%20WHERE%20MetaData.LastUpdatedTime%20%3E%3D%20"
            "%272024-01-01T00%3A00%3A00%2B00%3A00%27%20AND%20MetaData.LastUpdatedTime%20%3C%20"
            "%272024-01-08T00%3A00%3A00%2B00%3A00%27%20ORDERBY%20Id%20STARTPOSITION%201%20"
            "MAXRESULTS%20100");
  // No character a server could decode differently: no raw '+', space, quote or second '?'.
  for (char c : {'+', ' ', '\'', '?', '&', '='}) {
    EXPECT_EQ(encoded.find(c), std::string::npos) << "raw '" << c << "' in " << encoded;
  }
  EXPECT_EQ(encoded.find("%25"), std::string::npos) << "encoded twice: " << encoded;
  EXPECT_NE(encoded.find("%2B00%3A00"), std::string::npos) << "'+' must become %2B";
}

TEST(QboQuery, QuotedValuesAreEncodedOnce) {
  EXPECT_EQ(http::url_encode("SELECT * FROM Customer WHERE DisplayName = " + quote("O'Brien")),
            "SELECT%20%2A%20FROM%20Customer%20WHERE%20DisplayName%20%3D%20%27O%5C%27Brien%27");
}

struct EncodeCase {
  std::string in;
  std::string out;
};

void PrintTo(const EncodeCase& c, std::ostream* os) { *os << c.out; }

class UrlEncode : public ::testing::TestWithParam<EncodeCase> {};

TEST_P(UrlEncode, PercentEncodesAllButUnreserved) {
  EXPECT_EQ(http::url_encode(GetParam().in), GetParam().out);
}

INSTANTIATE_TEST_SUITE_P(
    Http, UrlEncode,
    ::testing::Values(EncodeCase{"", ""}, EncodeCase{"AZaz09-._~", "AZaz09-._~"},
                      EncodeCase{"a b", "a%20b"}, EncodeCase{"a+b", "a%2Bb"},
                      EncodeCase{"100%", "100%25"}, EncodeCase{"a&b=c", "a%26b%3Dc"},
                      EncodeCase{"/?#[]@", "%2F%3F%23%5B%5D%40"},
                      EncodeCase{"'\"", "%27%22"},
                      EncodeCase{"caf\xc3\xa9", "caf%C3%A9"},
                      EncodeCase{std::string("a\0b", 3), "a%00b"}));

TEST(Http, UrlEncodeOfAnEmptyViewIsEmpty) {
  // A zero-length view into a longer buffer is still empty: nothing past its end may be read.
  const std::string_view text = "realm=9130357";
  EXPECT_EQ(http::url_encode(text.substr(0, 0)), "");
  EXPECT_EQ(http::url_encode(text.substr(6, 0)), "");
}

TEST(Http, UrlEncodeOfAViewStopsAtItsEnd) {
  const std::string_view text = "a b+c";
  EXPECT_EQ(http::url_encode(text.substr(0, 3)), "a%20b");
}

TEST(Http, FormEncodeEncodesEachPairOnce) {
  EXPECT_EQ(http::form_encode({}), "");
  EXPECT_EQ(http::form_encode({{"grant_type", "refresh_token"}}), "grant_type=refresh_token");
  EXPECT_EQ(http::form_encode({{"grant_type", "refresh_token"},
                               {"refresh_token", "AB11 +/=x"},
                               {"empty", ""}}),
            "grant_type=refresh_token&refresh_token=AB11%20%2B%2F%3Dx&empty=");
  EXPECT_EQ(http::form_encode({{"a&b", "c=d"}}), "a%26b=c%3Dd");
}

}  // namespace
}  // namespace tributary::connectors::qbo
