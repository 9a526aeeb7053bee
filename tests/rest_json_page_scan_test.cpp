// read_json_page skips jsonb_refusal() for records without a control byte or a backslash (a
// word-at-a-time scan): whatever jsonb would refuse is still refused wherever it sits in a record,
// and what it accepts is still accepted.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/rest/json_page.hpp"
#include "connectors/rest/record_checks.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace tributary::connectors {
namespace {

RestStreamSpec scan_spec() {
  RestStreamSpec s;
  s.records = "";
  s.primary_key = {"/id"};
  return s;
}

// The word-at-a-time scan (also what COPY escaping looks for) finds exactly the first byte below
// 0x20 or backslash: every byte value, at every offset of a word and past its end, with another
// special byte after it, and from every starting point.
TEST(FindControlOrBackslash, AgreesWithAByteByByteSearch) {
  auto naive = [](std::string_view s, size_t from) {
    for (size_t i = from; i < s.size(); ++i) {
      if (static_cast<unsigned char>(s[i]) < 0x20 || s[i] == '\\') return i;
    }
    return std::string_view::npos;
  };
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t at = 0; at < 20; ++at) {
      std::string text(24, 'x');
      text[at] = static_cast<char>(byte);
      if (at + 3 < text.size()) text[at + 3] = '\t';  // a later match must not hide this one
      text[text.size() - 1] = static_cast<char>(0xff - byte);
      for (size_t from = 0; from <= text.size(); ++from) {
        ASSERT_EQ(find_control_or_backslash(text, from), naive(text, from)) << "byte " << byte << " at " << at
                                                                            << " from " << from;
      }
    }
  }
  EXPECT_EQ(find_control_or_backslash(""), std::string_view::npos);
  EXPECT_EQ(find_control_or_backslash(std::string(1000, '{')), std::string_view::npos);
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
