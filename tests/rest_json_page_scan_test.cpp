// read_json_page skips jsonb_refusal() for records without a control byte or a backslash (a
// word-at-a-time scan): whatever jsonb would refuse is still refused wherever it sits in a record,
// and what it accepts is still accepted.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/rest/json_page.hpp"
#include "connectors/rest/record_checks.hpp"
#include "core/error.hpp"

namespace tributary::connectors {
namespace {

RestStreamSpec scan_spec() {
  RestStreamSpec s;
  s.records = "";
  s.primary_key = {"/id"};
  return s;
}

TEST(RestJsonPage, RefusalsAreFoundAtEveryOffsetOfARecord) {
  const std::vector<std::string> refused = {R"(\u0000)", R"(\ud800)", R"(\udc00x)", R"(\ud800\u0041)"};
  for (const auto& bad : refused) {
    for (size_t pad = 0; pad < 24; ++pad) {
      std::string body = R"([{"id":"1","s":")" + std::string(pad, 'x') + bad + R"("}])";
      auto page = read_json_page(body, scan_spec(), "", "");
      ASSERT_EQ(page.records.size(), 1u);
      auto expected = jsonb_refusal(page.records[0].json);
      ASSERT_FALSE(expected.empty()) << page.records[0].json;
      EXPECT_EQ(page.records[0].reject_reason, "it holds " + expected) << page.records[0].json;
    }
  }
}

// simdjson's structural scan already fails the whole page on these, under every kernel.
TEST(RestJsonPage, RawControlBytesInAStringFailThePage) {
  for (std::string bad : {"\x01", "\x1f", "\n", "\t"}) {
    for (size_t pad = 0; pad < 24; ++pad) {
      std::string body = R"([{"id":"1","s":")" + std::string(pad, 'x') + bad + R"("}])";
      EXPECT_THROW(read_json_page(body, scan_spec(), "", ""), Error) << pad;
    }
  }
}

TEST(RestJsonPage, EscapesUtf8AndLayoutJsonbAcceptsAreKept) {
  const std::vector<std::string> accepted = {R"(\"\\\/\b\f\n\r\t)", R"(\u00e9\ud83d\ude00)", "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80",
                                             "\x7f", " ~}"};
  for (const auto& good : accepted) {
    for (size_t pad = 0; pad < 24; ++pad) {
      std::string body = "[\n  {\"id\": \"1\",\n\t\"s\": \"" + std::string(pad, 'x') + good + "\"}\r\n]";
      auto page = read_json_page(body, scan_spec(), "", "");
      ASSERT_EQ(page.records.size(), 1u);
      EXPECT_EQ(page.records[0].reject_reason, "") << page.records[0].json;
      std::string compact = R"([{"id":"1","s":")" + std::string(pad, 'x') + good + R"("}])";
      auto compact_page = read_json_page(compact, scan_spec(), "", "");
      EXPECT_EQ(compact_page.records.at(0).reject_reason, "") << compact_page.records[0].json;
    }
  }
}

}  // namespace
}  // namespace tributary::connectors
