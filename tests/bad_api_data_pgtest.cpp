// Bad API data, as tables: a page that is not JSON, not of the declared shape, an HTML page
// under status 200, or over http.max_body_bytes fails its window naming window and page, with
// nothing from that page written and the pages before it kept; a record without a usable key or
// cursor is quarantined naming its page and index while the rest of the run finishes (invalid
// UTF-8, \u0000 and a missing key: exactly_once_pgtest.cpp).
#include <algorithm>
#include <functional>

#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

const std::string kWindow = "stream items, window [2024-01-01T00:00:00Z, 2024-01-11T00:00:00Z)";

std::vector<mock::RestRecord> in_page_order(std::vector<mock::RestRecord> records) {
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return a.updated_at_utc != b.updated_at_utc ? a.updated_at_utc < b.updated_at_utc : a.id < b.id;
  });
  return records;
}

mock::HttpFaultRule from_third_request(std::function<void(mock::HttpFaultRule&)> set) {
  mock::HttpFaultRule rule;
  rule.path_prefix = "/items";
  rule.skip = 2;
  rule.times = 1000;  // every later request too: a retry must not paper over it
  set(rule);
  return rule;
}

struct BadPage {
  const char* name;
  std::function<void(mock::RestMock&, const std::vector<mock::RestRecord>&)> arrange;
  std::string stream_extra, top_level_extra;
  std::string records_pointer = "/items";
  int failing_page;
  std::string needle;
};

TEST_F(RestConnectors, APageThatCannotBeReadFailsItsWindowNamingWindowAndPage) {
  const std::vector<BadPage> cases{
      {"malformed JSON",
       [](mock::RestMock& m, const auto&) { m.add_fault(from_third_request([](auto& r) { r.malformed_json = true; })); },
       "", "", "/items", 3, "malformed answer: the answer is truncated or not JSON"},
      {"HTML under status 200",
       [](mock::RestMock& m, const auto&) { m.add_fault(from_third_request([](auto& r) { r.html_page = true; })); },
       "", "", "/items", 3, "malformed answer: the answer is truncated or not JSON"},
      {"records pointer reaches a number", [](mock::RestMock&, const auto&) {}, "", "", "/total", 1, "/total"},
      {"a body over http.max_body_bytes",
       [](mock::RestMock& m, const std::vector<mock::RestRecord>& order) {
         const auto& big = order[45];  // page 3
         m.set_payload(big.id, "{\"id\":" + std::to_string(big.id) + ",\"updated_at\":\"" + big.updated_at_utc +
                                   "\",\"blob\":\"" + std::string(40000, 'x') + "\"}");
       },
       "", "http: {max_body_bytes: 32768}\n", "/items", 3, "larger than http.max_body_bytes (32768 bytes)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    reset_database();
    start_mock(small_data(PageStyle::Offset, 100));
    auto order = in_page_order(records_in(kStart, kEnd));
    c.arrange(*mock_, order);
    auto stream = offset_stream(c.stream_extra);
    stream.replace(stream.find("records: /items"), 15, "records: " + c.records_pointer);
    auto config = write_config("bad.yaml", rest_connector_file("", stream, c.top_level_extra));
    auto r = backfill(config, kStart, kEnd, {"--chunk-days", "10"});
    EXPECT_EQ(r.exit_code, 6) << r.err;
    EXPECT_NE(r.err.find("1 window(s) failed"), std::string::npos) << r.err;
    auto error = text("SELECT status || ': ' || last_error FROM state.windows");
    EXPECT_NE(error.find("failed: " + kWindow + ", page " + std::to_string(c.failing_page) + ": "), std::string::npos)
        << error;
    EXPECT_NE(error.find(c.needle), std::string::npos) << error;
    // The pages before it are kept with their checkpoint; nothing of the failing page is written.
    const auto kept = static_cast<size_t>(20 * (c.failing_page - 1));
    EXPECT_EQ(scalar("SELECT coalesce(sum(pages_loaded), 0) FROM state.windows"), c.failing_page - 1);
    EXPECT_EQ(mismatches(kRestTable, std::vector<mock::RestRecord>(order.begin(), order.begin() + kept)), 0);
    EXPECT_EQ(scalar("SELECT count(*) FROM state.rejected_records"), 0);
    auto status = tributary({"status"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    EXPECT_NE(status.out.find(" failed            0/1 done, 1 failed "), std::string::npos) << status.out;
  }
}

struct BadRecord {
  size_t position;  // in page order: page position / 20 + 1, index position % 20
  std::function<std::string(const mock::RestRecord&)> payload;
  std::string reason;
};

TEST_F(RestConnectors, RecordsWithoutAUsableKeyOrCursorAreQuarantinedNamingPageAndIndex) {
  start_mock(small_data(PageStyle::Offset, 100));
  auto order = in_page_order(records_in(kStart, kEnd));
  auto id = [](const mock::RestRecord& r) { return std::to_string(r.id); };
  const std::vector<BadRecord> cases{
      {4, [&](const auto& r) { return "{\"id\":" + id(r) + ",\"name\":\"no cursor\"}"; },
       "no readable cursor /updated_at"},
      {30, [&](const auto& r) { return "{\"id\":" + id(r) + ",\"updated_at\":\"yesterday\"}"; },
       "no readable cursor /updated_at ('yesterday' is not iso8601)"},
      {47, [&](const auto& r) { return "{\"id\":" + id(r) + ",\"updated_at\":null}"; }, "no readable cursor /updated_at"},
      {66, [&](const auto& r) { return "{\"id\":null,\"updated_at\":\"" + r.updated_at_utc + "\"}"; },
       "no primary key /id"},
  };
  std::string expected_rows;
  std::vector<mock::RestRecord> good = order;
  for (const auto& c : cases) {
    const auto& rec = order[c.position];
    mock_->set_payload(rec.id, c.payload(rec));
    expected_rows += (expected_rows.empty() ? "" : " ") + std::to_string(c.position / 20 + 1) + ":" +
                     std::to_string(c.position % 20);
    good.erase(std::find_if(good.begin(), good.end(), [&](const auto& g) { return g.id == rec.id; }));
  }
  auto config = write_config("records.yaml", rest_connector_file("", offset_stream()));
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", "10"});
  ASSERT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("4 record(s) could not be stored and were quarantined; see `tributary rejects --run 1`"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(text("SELECT string_agg(page_number || ':' || record_index, ' ' ORDER BY page_number, record_index) "
                 "FROM state.rejected_records"),
            expected_rows);
  for (const auto& c : cases) {
    auto where = "page_number = " + std::to_string(c.position / 20 + 1) + " AND record_index = " +
                 std::to_string(c.position % 20);
    EXPECT_NE(text("SELECT reason FROM state.rejected_records WHERE " + where).find(c.reason), std::string::npos)
        << where;
    EXPECT_EQ(text("SELECT (w.window_start_utc = '2024-01-01Z' AND w.window_end_utc = '2024-01-11Z')::text "
                   "FROM state.rejected_records r JOIN state.windows w USING (window_id) WHERE r." + where),
              "true")
        << where;
  }
  EXPECT_EQ(mismatches(kRestTable, good), 0);
  EXPECT_EQ(text("SELECT status FROM state.windows"), "done_with_rejects");
  auto status = tributary({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find(" done_with_rejects 1/1 done (1 with rejects) "), std::string::npos) << status.out;
}

}  // namespace
}  // namespace tributary::testing
