// The pure rules behind exactly-once: anchored (keyset) positions, page-number paging counted
// from what came back, body page numbers as cursors, the set digest sweeps compare, and what
// makes one record unstorable (quarantined) rather than its whole page failed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/rest/json_page.hpp"
#include "connectors/rest/paginator.hpp"
#include "connectors/rest/record_checks.hpp"
#include "core/error.hpp"
#include "engine/set_digest.hpp"

namespace tributary::connectors {
namespace {

namespace pt = boost::posix_time;

Timestamp at(int seconds) { return Timestamp(boost::gregorian::date(2024, 1, 1), pt::seconds(seconds)); }

Record rec(const std::string& id, int seconds) {
  Record r;
  r.id = id;
  r.updated_at = at(seconds);
  return r;
}

std::vector<std::string> ids(const std::vector<Record>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.id);
  return out;
}

TEST(AnchorPosition, RoundTripsIdsHoldingSeparators) {
  AnchorPosition a{at(5), 3, {"1", "a|b", "7:x", "", "[\"k\",\"v\"]"}};
  auto back = decode_anchor(encode_anchor(a));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->anchor, a.anchor);
  EXPECT_EQ(back->page, 3);
  EXPECT_EQ(back->seen, a.seen);
  EXPECT_FALSE(decode_anchor("").has_value());
  EXPECT_THROW(decode_anchor("40"), Error);
  EXPECT_THROW(decode_anchor("anchor:2024-01-01T00:00:00Z|1|5:ab"), Error);  // length past the end
}

TEST(AnchorPosition, FirstPageAnchorsOnItsNewestCursor) {
  std::vector<Record> page{rec("1", 1), rec("2", 2), rec("3", 2)};
  auto next = next_anchor(std::nullopt, page, 3);
  ASSERT_TRUE(next.has_value());
  auto a = decode_anchor(*next);
  EXPECT_EQ(a->anchor, at(2));
  EXPECT_EQ(a->page, 0);
  EXPECT_EQ(a->seen, (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(ids(page), (std::vector<std::string>{"1", "2", "3"}));
}

TEST(AnchorPosition, RecordsReadBeforeAreDroppedAndAnUpdatedOneIsReadAgain) {
  AnchorPosition a{at(2), 0, {"2", "3"}};
  // The API restarts at the anchor: 2 and 3 again (seen), 1 before the anchor (a coarse
  // filter), then 4, and 1 again because it was updated after we read it.
  std::vector<Record> page{rec("1", 1), rec("2", 2), rec("3", 2), rec("4", 3), rec("1", 9)};
  auto next = next_anchor(a, page, 5);
  EXPECT_EQ(ids(page), (std::vector<std::string>{"4", "1"}));
  auto b = decode_anchor(*next);
  EXPECT_EQ(b->anchor, at(9));
  EXPECT_EQ(b->seen, (std::vector<std::string>{"1"}));
}

TEST(AnchorPosition, EndsWhenAShortPageBringsNothingNew) {
  AnchorPosition a{at(2), 0, {"2", "3"}};
  std::vector<Record> page{rec("2", 2), rec("3", 2)};
  EXPECT_FALSE(next_anchor(a, page, 5).has_value());
  EXPECT_TRUE(page.empty());
  std::vector<Record> empty;
  EXPECT_FALSE(next_anchor(a, empty, 5).has_value());
}

TEST(AnchorPosition, AFullPageOnOneCursorValueTakesTheNextPageThere) {
  AnchorPosition a{at(2), 0, {"1"}};
  std::vector<Record> page{rec("1", 2), rec("2", 2), rec("3", 2)};
  auto next = decode_anchor(*next_anchor(a, page, 3));
  EXPECT_EQ(next->anchor, at(2));
  EXPECT_EQ(next->page, 1);
  EXPECT_EQ(next->seen, (std::vector<std::string>{"1", "2", "3"}));
  PaginatorSpec p;
  p.kind = PaginatorKind::offset;
  p.anchor_cursor = true;
  EXPECT_EQ(paginator_params(p, encode_anchor(*next), 3)[0].second, "3");  // offset 3 at the anchor
  p.kind = PaginatorKind::page_number;
  EXPECT_EQ(paginator_params(p, encode_anchor(*next), 3)[0].second, "2");  // page 2 at the anchor
  EXPECT_EQ(paginator_params(p, "", 3)[0].second, "1");
}

TEST(AnchorPosition, AFullPageOfRecordsBeforeTheAnchorIsAnError) {
  AnchorPosition a{at(5), 0, {}};
  std::vector<Record> page{rec("1", 4), rec("2", 4)};
  EXPECT_THROW(next_anchor(a, page, 2), Error);
}

TEST(PageNumberPaging, CountsWhatCameBackWhenTheApiCapsThePageSize) {
  PaginatorSpec p;
  p.kind = PaginatorKind::page_number;
  p.total = "/items";
  // Asked for 500 a page, the API serves 100: 250 records take three pages.
  EXPECT_EQ(next_position(p, "", {100, 500, {}, {}, 250, 0}), "2");
  EXPECT_EQ(next_position(p, "2", {100, 500, {}, {}, 250, 100}), "3");
  EXPECT_EQ(next_position(p, "3", {50, 500, {}, {}, 250, 200}), std::nullopt);
}

TEST(CursorPaging, AFirstCursorIsSentWithTheFirstRequest) {
  PaginatorSpec p;
  p.kind = PaginatorKind::cursor;
  p.cursor_param = "_page";
  p.first_cursor = "1";
  EXPECT_EQ(paginator_params(p, "", 10), (std::vector<std::pair<std::string, std::string>>{{"_page", "1"}, {"limit", "10"}}));
  EXPECT_EQ(paginator_params(p, "2", 10)[0].second, "2");
}

TEST(RecordChecks, WhatJsonbRefuses) {
  struct Case {
    const char* json;
    bool refused;
  } cases[] = {
      {R"({"a":"x\u0000y"})", true},
      {R"({"a":"\ud83d"})", true},           // high surrogate alone
      {R"({"a":"\ud83dx"})", true},
      {R"({"a":"\ude00"})", true},           // low surrogate alone
      {R"({"a":"\ud83d\ude00"})", false},    // a pair: one emoji
      {R"({"a":"\\u0000"})", false},         // an escaped backslash, then text
      {R"({"a":"\u00e9\n\t"})", false},
      {"{\"a\":\"tab\there\"}", true},       // a raw control character inside a string
      {"{\"a\":\n1}", false},                // whitespace outside strings is fine
      {R"({"a":"\ud83d)", true},             // cut short after a high surrogate
  };
  for (const auto& c : cases) EXPECT_EQ(!jsonb_refusal(c.json).empty(), c.refused) << c.json;
}

TEST(RecordChecks, InvalidUtf8Offsets) {
  EXPECT_TRUE(invalid_utf8_offsets("plain caf\xc3\xa9 \xf0\x9f\x98\x80").empty());
  EXPECT_EQ(invalid_utf8_offsets("a\xff" "b"), std::vector<size_t>{1});
  EXPECT_EQ(invalid_utf8_offsets("\xc0\xaf"), (std::vector<size_t>{0, 1}));      // overlong '/'
  EXPECT_EQ(invalid_utf8_offsets("\xed\xa0\x80").size(), 3u);                   // a surrogate
  EXPECT_EQ(invalid_utf8_offsets("\xf4\x90\x80\x80").size(), 4u);               // past U+10FFFF
  EXPECT_EQ(invalid_utf8_offsets("ok\xe2\x82"), (std::vector<size_t>{2, 3}));  // cut short
}

RestStreamSpec spec_with(const std::string& records) {
  RestStreamSpec s;
  s.records = records;
  s.primary_key = {"/id"};
  s.cursor = CursorSpec{"/updated_at", TimeFormat::iso8601};
  s.max_record_bytes = 200;
  return s;
}

TEST(RecordChecks, BadRecordsAreMarkedAndTheirPageStillReads) {
  std::string long_name(300, 'x');
  std::string body = R"({"data":[{"id":1,"updated_at":"2024-01-01T00:00:00Z"},)"
                     R"({"updated_at":"2024-01-01T00:00:00Z"},)"
                     R"({"id":3,"updated_at":"yesterday"},)"
                     R"({"id":4,"updated_at":"2024-01-01T00:00:00Z","n":"\u0000"},)"
                     "{\"id\":5,\"updated_at\":\"2024-01-01T00:00:00Z\",\"n\":\"bad \xff byte\"},"
                     R"({"id":6,"updated_at":"2024-01-01T00:00:00Z","n":")" + long_name + R"("},)"
                     R"({"id":7,"updated_at":"2024-01-01T00:00:00Z"}]})";
  auto page = read_json_page(body, spec_with("/data"), "", "");
  ASSERT_EQ(page.records.size(), 7u);
  std::vector<std::string> reasons;
  for (const auto& r : page.records) reasons.push_back(r.reject_reason);
  EXPECT_EQ(reasons[0], "");
  EXPECT_NE(reasons[1].find("no primary key /id"), std::string::npos) << reasons[1];
  EXPECT_NE(reasons[2].find("no readable cursor /updated_at"), std::string::npos) << reasons[2];
  EXPECT_NE(reasons[3].find("\\u0000"), std::string::npos) << reasons[3];
  EXPECT_NE(reasons[4].find("invalid UTF-8"), std::string::npos) << reasons[4];
  EXPECT_NE(reasons[5].find("max_record_bytes"), std::string::npos) << reasons[5];
  EXPECT_EQ(reasons[6], "");
  EXPECT_EQ(page.records[4].index, 4);
  EXPECT_EQ(page.records[6].id, "7");
}

TEST(RecordChecks, AWrongRecordsPointerSaysWhatItFound) {
  std::string body = R"({"data":{"items":[]}})";
  try {
    read_json_page(body, spec_with("/data"), "", "");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the value at /data is an object, not an array of records"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tributary::connectors

namespace tributary::engine {
namespace {

TEST(SetDigest, SameSetsAgreeInAnyOrderAndDoublesDoNot) {
  SetDigest a, b, c, d;
  for (const char* id : {"1", "2", "3"}) a.add(id);
  for (const char* id : {"3", "1", "2"}) b.add(id);
  for (const char* id : {"1", "2", "2", "3"}) c.add(id);
  for (const char* id : {"1", "2", "4"}) d.add(id);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
}

// A sweep that follows a pass raw holds only reads the set; it must see a record that changed
// (same id, new updated-at) as a different set, or the changed version would never be loaded.
TEST(SetDigest, AVersionChangeMakesAnotherSetAndAMissingVersionIsNotVersionZero) {
  SetDigest a, b, c, d, e;
  a.add("1", 100);
  a.add("2", 200);
  b.add("2", 200);
  b.add("1", 100);
  c.add("1", 101);
  c.add("2", 200);
  d.add("1", 0);
  d.add("2", 200);
  e.add("1");
  e.add("2", 200);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(d, e);
  EXPECT_EQ(version_of(parse_timestamp("1970-01-01T00:00:01Z", "t")), 1'000'000);
  EXPECT_EQ(version_of(std::nullopt), std::nullopt);
}

}  // namespace
}  // namespace tributary::engine
