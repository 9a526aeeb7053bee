// Pages read by JSON pointers (read_json_page) down to the exact bytes of each record: keys,
// cursors, next tokens and totals; records that cannot be stored are marked for quarantine, and
// a page that cannot be read as a whole is a data error.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "connectors/rest/json_page.hpp"
#include "core/error.hpp"

namespace tributary::connectors {
namespace {

RestStreamSpec page_spec(std::string records, std::vector<std::string> primary_key,
                         std::optional<CursorSpec> cursor = std::nullopt) {
  RestStreamSpec s;
  s.path = "/items";
  s.records = std::move(records);
  s.primary_key = std::move(primary_key);
  s.cursor = std::move(cursor);
  return s;
}

std::vector<std::string> ids_of(const PageReading& r) {
  std::vector<std::string> out;
  for (const auto& rec : r.records) out.push_back(rec.id);
  return out;
}

TEST(RestJsonPage, RootArrayKeepsEachRecordsExactText) {
  const std::string first = R"({"id": 1, "name": "Zoë's \"café\"", "nested": {"id": 99, "list": [1, {"x": null}]}, "updated_at": "2024-01-05T10:00:00.123Z"})";
  const std::string second = R"({"updated_at":"2024-01-06T00:00:00Z","id":2})";
  std::string body = "[\n  " + first + " ,\n  " + second + "\n]\n";
  auto page = read_json_page(body, page_spec("", {"/id"}, CursorSpec{"/updated_at", TimeFormat::iso8601}), "", "");
  ASSERT_EQ(page.records.size(), 2u);
  EXPECT_EQ(page.records[0].id, "1");
  EXPECT_EQ(page.records[0].json, first);
  EXPECT_EQ(page.records[0].updated_at, parse_timestamp("2024-01-05T10:00:00.123Z", "t"));
  EXPECT_EQ(page.records[1].id, "2");
  EXPECT_EQ(page.records[1].json, second);
  EXPECT_EQ(page.records[1].updated_at, parse_timestamp("2024-01-06T00:00:00Z", "t"));
  EXPECT_EQ(page.next, std::nullopt);
  EXPECT_EQ(page.total, std::nullopt);
  // The views point into the body the caller owns.
  EXPECT_GE(page.records[0].json.data(), body.data());
  EXPECT_LT(page.records[0].json.data(), body.data() + body.size());
}

TEST(RestJsonPage, NestedPointerNextAndTotal) {
  std::string body =
      R"({"meta":{"next":"b64:xyz==","total":42},"data":{"items":[{"id":"A-1"},{"id":"A-2"}]},"after":1})";
  auto page = read_json_page(body, page_spec("/data/items", {"/id"}), "/meta/next", "/meta/total");
  EXPECT_EQ(ids_of(page), (std::vector<std::string>{"A-1", "A-2"}));
  EXPECT_EQ(page.records[1].json, R"({"id":"A-2"})");
  EXPECT_EQ(page.next, "b64:xyz==");
  EXPECT_EQ(page.total, 42);
}

TEST(RestJsonPage, NextIsAbsentWhenNullEmptyOrMissingAndANumberIsText) {
  struct Case {
    std::string body;
    std::optional<std::string> next;
  };
  for (const auto& c : std::vector<Case>{{R"({"data":[],"next":null})", std::nullopt},
                                         {R"({"data":[],"next":""})", std::nullopt},
                                         {R"({"data":[]})", std::nullopt},
                                         {R"({"data":[],"next":17})", "17"},
                                         {R"({"data":[],"next":"http://h/items?after=a%2Bb"})", "http://h/items?after=a%2Bb"}}) {
    std::string body = c.body;
    EXPECT_EQ(read_json_page(body, page_spec("/data", {"/id"}), "/next", "").next, c.next) << c.body;
  }
}

TEST(RestJsonPage, CompositeKeysAreAJsonArrayOfTheValuesAsText) {
  std::string body = R"({"data":[{"attempt_id":7,"question_id":"q3","v":1},{"attempt_id":8,"question_id":"say \"hi\""}]})";
  auto page = read_json_page(body, page_spec("/data", {"/attempt_id", "/question_id"}), "", "");
  EXPECT_EQ(ids_of(page), (std::vector<std::string>{R"(["7","q3"])", R"(["8","say \"hi\""])"}));
}

TEST(RestJsonPage, NumericIdsAreTheNumberAsWritten) {
  std::string body = R"([{"id": 12345678901234567890 }, {"id":-3}, {"id":0}, {"id": 42,"x":1}, {"meta":{"id":"n-1"}}])";
  auto spec = page_spec("", {"/id"});
  std::string first4 = R"([{"id": 12345678901234567890 }, {"id":-3}, {"id":0}, {"id": 42,"x":1}])";
  EXPECT_EQ(ids_of(read_json_page(first4, spec, "", "")),
            (std::vector<std::string>{"12345678901234567890", "-3", "0", "42"}));
  std::string nested = R"([{"meta":{"id":"n-1"}},{"meta":{"id":5}}])";
  EXPECT_EQ(ids_of(read_json_page(nested, page_spec("", {"/meta/id"}), "", "")),
            (std::vector<std::string>{"n-1", "5"}));
  // The first four are fine; the fifth has no /id: marked for quarantine, the page still reads.
  auto page = read_json_page(body, spec, "", "");
  ASSERT_EQ(page.records.size(), 5u);
  EXPECT_EQ(page.records[3].reject_reason, "");
  EXPECT_EQ(page.records[4].reject_reason, R"(no primary key /id: {"meta":{"id":"n-1"}})");
}

void expect_rejected(std::string body, const RestStreamSpec& spec, size_t index, const std::string& reason) {
  auto page = read_json_page(body, spec, "", "");
  ASSERT_GT(page.records.size(), index) << body;
  EXPECT_EQ(page.records[index].reject_reason, reason) << body;
  for (size_t i = 0; i < page.records.size(); ++i) {
    if (i != index) {
      EXPECT_EQ(page.records[i].reject_reason, "") << body;
    }
  }
}

void expect_data_error(std::string body, const RestStreamSpec& spec, const std::string& fragment) {
  try {
    auto page = read_json_page(body, spec, "", "");
    ADD_FAILURE() << "read " << page.records.size() << " records from " << body;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::data) << body;
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(RestJsonPage, RecordsWithoutKeyOrCursorAreMarkedForQuarantine) {
  expect_rejected(R"([{"id":1},{"name":"no id"}])", page_spec("", {"/id"}), 1, R"(no primary key /id: {"name":"no id"})");
  expect_rejected(R"([{"id":null}])", page_spec("", {"/id"}), 0, R"(no primary key /id: {"id":null})");
  expect_rejected(R"([{"a":1,"b":null}])", page_spec("", {"/a", "/b"}), 0, R"(no primary key /b: {"a":1,"b":null})");
  expect_rejected(R"([{"id":1,"updated_at":"last tuesday"}])",
                  page_spec("", {"/id"}, CursorSpec{"/updated_at", TimeFormat::iso8601}), 0,
                  "no readable cursor /updated_at ('last tuesday' is not iso8601)");
  expect_rejected(R"([{"id":1}])", page_spec("", {"/id"}, CursorSpec{"/updated_at", TimeFormat::iso8601}), 0,
                  "no readable cursor /updated_at");
}

TEST(RestJsonPage, MissingOrMalformedPartsAreDataErrors) {
  expect_data_error(R"({"data":[]})", page_spec("", {"/id"}), "the answer is an object, not an array of records");
  expect_data_error(R"({"items":[]})", page_spec("/data", {"/id"}), "/data");
  expect_data_error(R"({"data":{"id":1}})", page_spec("/data", {"/id"}),
                    "the value at /data is an object, not an array of records (check `records`)");
  expect_data_error(R"([1,2])", page_spec("", {"/id"}), "malformed answer");
  expect_data_error(R"([{"id":1},)", page_spec("", {"/id"}), "malformed answer");
  expect_data_error(R"([{"id":1},{"id":2})", page_spec("", {"/id"}), "malformed answer");
  expect_data_error("<html>502 Bad Gateway</html>", page_spec("", {"/id"}), "malformed answer");
}

TEST(RestJsonPage, EpochCursorsAreRead) {
  std::string body = R"([{"id":1,"ts":1704067200123},{"id":2,"ts":"1704067201000"}])";
  auto page = read_json_page(body, page_spec("", {"/id"}, CursorSpec{"/ts", TimeFormat::epoch_millis}), "", "");
  ASSERT_EQ(page.records.size(), 2u);
  EXPECT_EQ(page.records[0].updated_at, parse_timestamp("2024-01-01T00:00:00.123Z", "t"));
  EXPECT_EQ(page.records[1].updated_at, parse_timestamp("2024-01-01T00:00:01Z", "t"));
}

TEST(RestJsonPage, ReadJsonValueReadsCounts) {
  std::string body = R"({"count": 93 , "nested":{"n":"7"},"none":null})";
  EXPECT_EQ(read_json_value(body, "/count"), "93");
  EXPECT_EQ(read_json_value(body, "/nested/n"), "7");
  EXPECT_EQ(read_json_value(body, "/none"), std::nullopt);
  EXPECT_EQ(read_json_value(body, "/missing"), std::nullopt);
}

// Found by fuzzing: a key without its value, then a cut body that still ends in '}'. simdjson
// abandons its iterator inside the record; reading the next pointer afterwards was undefined.
TEST(RestJsonPage, AValueErrorInsideARecordFailsThePageWithoutTouchingTheDocumentAgain) {
  std::string body = R"({"results":[{"id":4,"name":"x","updated_at"}})";
  try {
    read_json_page(body, page_spec("/results", {"/id"}, CursorSpec{"/updated_at", TimeFormat::iso8601}), "/next", "/total");
    FAIL() << "read a malformed page";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::data);
    EXPECT_NE(std::string(e.what()).find("malformed answer"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tributary::connectors
