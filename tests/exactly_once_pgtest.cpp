// Exactly once for every connector file, end to end against the generic REST mock and a real
// PostgreSQL: an update that shifts offsets mid-window is caught by the verification sweep (a
// matching count would not catch it), an anchored walk needs no sweep, every paginator walks
// to the end and only to the end (capped page sizes, APIs that repeat their last page, APIs
// without Link headers, Link headers on two lines, page numbers in the body), records outside
// their window fail it, and bad records are quarantined while the run finishes.
#include <algorithm>
#include <optional>

#include <boost/date_time/gregorian/gregorian.hpp>

#include "core/time.hpp"

#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

// Records in the order the mock pages them: (updated_at, id).
std::vector<mock::RestRecord> in_page_order(std::vector<mock::RestRecord> records) {
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return a.updated_at_utc != b.updated_at_utc ? a.updated_at_utc < b.updated_at_utc : a.id < b.id;
  });
  return records;
}

const std::string kOneWindow = "10";  // --chunk-days: the whole range is one window

TEST_F(RestConnectors, AnUpdateThatShiftsOffsetsIsCaughtByTheSweepNotByTheCount) {
  start_mock(small_data(PageStyle::Offset, 100));
  auto before = in_page_order(records_in(kStart, kEnd));
  const auto moved = before[4];  // on page 1
  // While page 2 is asked for, the record read on page 1 is updated past the window: every
  // later record moves back one place and the first record of page 2 is never served by paging.
  mock_->touch_on_request(2, {moved.id});
  auto config = write_config("shift.yaml", rest_connector_file("", offset_stream()));
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", kOneWindow});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto expected = records_in(kStart, kEnd);
  ASSERT_EQ(expected.size(), 99u);
  expected.push_back(moved);  // its old version, read before it moved, stays in raw
  EXPECT_EQ(mismatches(kRestTable, expected), 0);
  // Paging fetched 99 records (one skipped). The first sweep only reads the set (raw holds what
  // paging saw) and finds it differs; the second compares every record with raw, loads the
  // missing one and agrees with the first.
  EXPECT_EQ(scalar("SELECT records_loaded - records_reconciled FROM state.windows"), 99);
  EXPECT_EQ(scalar("SELECT records_reconciled FROM state.windows"), 1);
  EXPECT_EQ(text("SELECT status || ' ' || guarantee || ' ' || sweeps FROM state.windows"), "done sweep 2");
  EXPECT_EQ(scalar("SELECT verified_count FROM state.windows"), 99);
  EXPECT_NE(r.err.find("verification sweep 2 loaded 1 record(s) raw lacked (" + std::to_string(before[20].id) + ")"),
            std::string::npos)
      << r.err;
}

TEST_F(RestConnectors, AnAnchoredWalkLosesNothingWhenRecordsChangeAndNeedsNoSweep) {
  start_mock(small_data(PageStyle::Offset, 100));
  auto before = in_page_order(records_in(kStart, kEnd));
  mock_->touch_on_request(2, {before[4].id, before[10].id});
  mock_->touch_on_request(4, {before[50].id});
  auto config = write_config("anchor.yaml", rest_connector_file("", offset_stream("", ", anchor: cursor")));
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", kOneWindow});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto expected = records_in(kStart, kEnd);
  ASSERT_EQ(expected.size(), 97u);
  for (int i : {4, 10, 50}) expected.push_back(before[static_cast<size_t>(i)]);
  EXPECT_EQ(mismatches(kRestTable, expected), 0);
  EXPECT_EQ(text("SELECT status || ' ' || guarantee || ' ' || sweeps FROM state.windows"), "done keyset 0");
  EXPECT_EQ(scalar("SELECT records_reconciled FROM state.windows"), 0);
  // Every request after the first starts at a cursor value read, at offset 0.
  auto t = targets();
  ASSERT_GE(t.size(), 6u) << joined(t);
  EXPECT_EQ(t[0], "/items?" + kRange + "&offset=0&limit=20");
  for (size_t i = 1; i < t.size(); ++i) {
    EXPECT_EQ(t[i].find("updated_since=2024-01-01T00%3A00%3A00Z"), std::string::npos) << t[i];
    EXPECT_NE(t[i].find("&offset=0&limit=20"), std::string::npos) << t[i];
  }
}

std::string page_json_stream(const std::string& paginator, const std::string& extra = "") {
  return "path: /items\n" + kHalfOpenParams + "records: /data\nprimary_key: /id\n" + kCursor + "paginator: {" + paginator +
         "}\n" + extra;
}

TEST_F(RestConnectors, PageNumbersWithATotalWalkAnApiThatCapsThePageSize) {
  auto o = small_data(PageStyle::PageJson, 100);
  o.max_limit = 15;  // 40 asked for, 15 served
  start_mock(o);
  auto config = write_config("capped.yaml", rest_connector_file("", page_json_stream(
      "kind: page_number, page_param: _page, limit_param: _per_page, total: /items", "page_size: 40\n")));
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", kOneWindow});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(100);
  EXPECT_EQ(scalar("SELECT pages_loaded FROM state.windows"), 7);  // 15 * 6 + 10
}

TEST_F(RestConnectors, AnApiThatRepeatsItsLastPagePastTheEndFailsTheWindowInsteadOfLooping) {
  start_mock(small_data(PageStyle::PageJson, 100));  // 5 full pages of 20, then page 5 again
  auto config = write_config("repeat.yaml", rest_connector_file("", page_json_stream(
      "kind: page_number, page_param: _page, limit_param: _per_page")));
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", kOneWindow}, {}, std::chrono::seconds(30));
  ASSERT_EQ(r.exit_code, 6) << r.err;
  EXPECT_EQ(mock_->stats().requests, 6) << joined(targets());
  auto error = text("SELECT last_error FROM state.windows");
  EXPECT_NE(error.find("page 6: the source answered with the same records as the page before"), std::string::npos)
      << error;
  EXPECT_NE(error.find("declare the paginator's total"), std::string::npos) << error;
  EXPECT_EQ(text("SELECT status FROM state.runs"), "failed");
}

TEST_F(RestConnectors, ATotalReachedOnAFullPageIsConfirmedAndALowTotalFailsTheWindow) {
  auto o = small_data(PageStyle::Offset, 100);
  o.total_lies_by = -20;  // says 80: reached on a full page 4, while page 5 still holds 20
  start_mock(o);
  auto config = write_config("low.yaml", rest_connector_file("", offset_stream()));
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", kOneWindow});
  ASSERT_EQ(r.exit_code, 6) << r.err;
  auto error = text("SELECT last_error FROM state.windows");
  EXPECT_NE(error.find("page 4: paging ended on a full page, and one more request contradicts it: the page after "
                       "the declared total (/total) still returned 20 records"),
            std::string::npos)
      << error;
  EXPECT_EQ(targets().back(), "/items?" + kRange + "&offset=80&limit=20");
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), 60);  // pages 1-3; page 4 waits for the verdict
}

TEST_F(RestConnectors, LinkHeaderPagingAgainstAnApiWithoutLinkHeadersFailsInsteadOfStoppingEarly) {
  start_mock(small_data(PageStyle::PageJson, 100));
  // json-server 1.0 sends no Link header; without _page it answers every record at once.
  auto stream = "path: /items\n" + kHalfOpenParams + "records: \"\"\nprimary_key: /id\n" + kCursor +
                "paginator: {kind: link_header, limit_param: _limit}\n";
  auto config = write_config("nolinks.yaml", rest_connector_file("", stream));
  auto o = small_data(PageStyle::PageJson, 100);
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", kOneWindow});
  ASSERT_EQ(r.exit_code, 6) << r.err;
  auto error = text("SELECT last_error FROM state.windows");
  EXPECT_NE(error.find("the API does not paginate with Link headers"), std::string::npos) << error;
  EXPECT_EQ(targets(), (std::vector<std::string>{"/items?" + kRange + "&_limit=20", "/items?" + kRange + "&_limit=10"}));
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), 0);
}

TEST_F(RestConnectors, LinkHeadersSentOnTwoLinesAreBothRead) {
  auto o = small_data(PageStyle::Page, 90);
  o.split_link_headers = true;  // rel="next" and rel="last" as separate Link header lines
  start_mock(o);
  auto config = write_config("split.yaml", rest_connector_file("", link_header_stream()));
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", kOneWindow});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  EXPECT_EQ(scalar("SELECT pages_loaded FROM state.windows"), 5);
}

TEST_F(RestConnectors, ACursorPaginatorCarriesAPageNumberFromTheBody) {
  start_mock(small_data(PageStyle::PageJson, 90));
  auto config = write_config("bodypage.yaml", rest_connector_file("", page_json_stream(
      "kind: cursor, cursor_param: _page, next: /next, first_cursor: \"1\", limit_param: _per_page")));
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", kOneWindow});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  EXPECT_EQ(targets(), repeated("/items?" + kRange, {"&_page=1&_per_page=20", "&_page=2&_per_page=20",
                                                      "&_page=3&_per_page=20", "&_page=4&_per_page=20",
                                                      "&_page=5&_per_page=20"}));
  EXPECT_EQ(text("SELECT guarantee FROM state.windows"), "source_cursor");
}

// The mock's updated_from/updated_to filter is inclusive; sent as a half-open window, a record
// exactly on a window's end comes back in that window too.
std::string inclusive_api_half_open_file(const std::string& extra) {
  return "path: /items\nparams:\n  updated_from: \"{window_start}\"\n  updated_to: \"{window_end}\"\n"
         "records: /items\nprimary_key: /id\n" + kCursor + "paginator: {kind: offset, total: /total}\npage_size: 50\n" +
         extra;
}

TEST_F(RestConnectors, RecordsOutsideTheirWindowFailItNamingTheFirst) {
  start_mock(small_data(PageStyle::Offset, 100));
  // A record exactly on a midnight after the first day: the window ending there gets it too.
  std::optional<mock::RestRecord> on_midnight;
  for (const auto& rec : in_page_order(records_in(kStart, kEnd))) {
    if (!on_midnight && rec.updated_at_utc.ends_with("T00:00:00.000Z") && rec.updated_at_utc > "2024-01-02") on_midnight = rec;
  }
  ASSERT_TRUE(on_midnight.has_value()) << "the mock puts every 25th record on a midnight";
  auto day = Timestamp(boost::gregorian::from_string(on_midnight->updated_at_utc.substr(0, 10)));
  auto from = format_utc(day - boost::posix_time::hours(24)), to = format_utc(day + boost::posix_time::hours(24));
  auto config = write_config("outside.yaml", rest_connector_file("", inclusive_api_half_open_file("")));
  auto r = backfill(config, from, to, {"--chunk-days", "1"});
  ASSERT_EQ(r.exit_code, 6) << r.err;
  auto error = text("SELECT last_error FROM state.windows WHERE window_start_utc = '" + from + "'");
  EXPECT_NE(error.find("1 record(s) with a cursor outside the range asked for [" + from + ", " + format_utc(day) +
                       "), the first id " + std::to_string(on_midnight->id) + " at " + format_utc_micros(day)),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("out_of_window: load"), std::string::npos) << error;
  EXPECT_EQ(text("SELECT status FROM state.windows WHERE window_start_utc = '" + format_utc(day) + "'"), "done");

  reset_database();
  config = write_config("outside_load.yaml", rest_connector_file("", inclusive_api_half_open_file("out_of_window: load\n")));
  r = backfill(config, from, to, {"--chunk-days", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mismatches(kRestTable, records_in(from, format_utc_micros(day + boost::posix_time::hours(24) +
                                                                     boost::posix_time::milliseconds(1)))),
            0);
}

TEST_F(RestConnectors, BadRecordsAreQuarantinedWithTheirPageAndTheRunFinishes) {
  start_mock(small_data(PageStyle::Offset, 100));
  auto order = in_page_order(records_in(kStart, kEnd));
  const auto& nul = order[3];
  const auto& utf8 = order[25];
  const auto& no_key = order[41];
  const auto& huge_number = order[77];
  mock_->set_payload(nul.id, R"({"id":)" + std::to_string(nul.id) + R"(,"updated_at":")" + nul.updated_at_utc +
                                 R"(","name":"a\u0000b"})");
  mock_->set_payload(utf8.id, "{\"id\":" + std::to_string(utf8.id) + ",\"updated_at\":\"" + utf8.updated_at_utc +
                                  "\",\"name\":\"caf\xe9\"}");
  mock_->set_payload(no_key.id, R"({"updated_at":")" + no_key.updated_at_utc + R"("})");
  // Valid JSON that passes every check tributary makes itself; only jsonb refuses it.
  mock_->set_payload(huge_number.id, R"({"id":)" + std::to_string(huge_number.id) + R"(,"updated_at":")" +
                                         huge_number.updated_at_utc + R"(","n":1e1000000})");
  auto config = write_config("bad.yaml", rest_connector_file("", offset_stream()));
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", kOneWindow});
  ASSERT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("4 record(s) could not be stored and were quarantined"), std::string::npos) << r.err;
  std::vector<mock::RestRecord> good;
  for (const auto& rec : records_in(kStart, kEnd)) {
    if (rec.id != nul.id && rec.id != utf8.id && rec.id != no_key.id && rec.id != huge_number.id) good.push_back(rec);
  }
  EXPECT_EQ(mismatches(kRestTable, good), 0);
  EXPECT_EQ(text("SELECT status || ' ' || records_rejected FROM state.windows"), "done_with_rejects 4");
  EXPECT_EQ(text("SELECT status FROM state.runs"), "done_with_rejects");
  EXPECT_EQ(text("SELECT string_agg(page_number || ':' || record_index || ':' || coalesce(record_id, '-'), ' ' "
                 "ORDER BY page_number, record_index) FROM state.rejected_records"),
            "1:3:" + std::to_string(nul.id) + " 2:5:" + std::to_string(utf8.id) + " 3:1:- 4:17:" +
                std::to_string(huge_number.id));
  EXPECT_NE(text("SELECT reason FROM state.rejected_records WHERE record_index = 3").find("\\u0000"), std::string::npos);
  EXPECT_NE(text("SELECT reason FROM state.rejected_records WHERE record_index = 5").find("invalid UTF-8"),
            std::string::npos);
  EXPECT_NE(text("SELECT reason FROM state.rejected_records WHERE record_index = 1").find("no primary key /id"),
            std::string::npos);
  EXPECT_NE(text("SELECT reason FROM state.rejected_records WHERE record_index = 17").find("PostgreSQL refuses it"),
            std::string::npos);
  EXPECT_EQ(text("SELECT raw_text FROM state.rejected_records WHERE record_index = 5"),
            "{\"id\":" + std::to_string(utf8.id) + ",\"updated_at\":\"" + utf8.updated_at_utc + "\",\"name\":\"caf?\"}");

  auto listed = tributary({"rejects", "--run", "1"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("4 quarantined record(s)"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("PostgreSQL refuses it"), std::string::npos) << listed.out;

  // The same backfill again: nothing new, no record quarantined twice.
  auto again = backfill(config, kStart, kEnd, {"--chunk-days", kOneWindow});
  ASSERT_EQ(again.exit_code, 7) << again.err;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.rejected_records"), 8);  // 4 per run
  EXPECT_EQ(scalar("SELECT count(DISTINCT (run_id, record_key)) FROM state.rejected_records"), 8);
  EXPECT_EQ(mismatches(kRestTable, good), 0);
}

TEST_F(RestConnectors, ARecordWhoseUpdatedAtWentBackwardsKeepsRawsNewerVersionAndSaysSo) {
  start_mock(small_data(PageStyle::Offset, 60));
  auto config = write_config("backwards.yaml", rest_connector_file("", offset_stream()));
  ASSERT_EQ(backfill(config, kStart, kEnd, {"--chunk-days", kOneWindow}).exit_code, 0);
  auto order = in_page_order(records_in(kStart, kEnd));
  const auto& rec = order[30];
  // The same id, an updated-at older than the one raw holds (the window's first), another name.
  auto older = order[0].updated_at_utc;
  mock_->set_payload(rec.id, R"({"id":)" + std::to_string(rec.id) + R"(,"updated_at":")" + older + R"(","name":"stale"})");
  auto r = backfill(config, kStart, kEnd, {"--chunk-days", kOneWindow});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("1 record(s) arrived older than the version raw holds"), std::string::npos) << r.err;
  // Raw still holds every record as first loaded, the newer version of this one included.
  EXPECT_EQ(mismatches(kRestTable, order), 0);
  EXPECT_EQ(text(std::string("SELECT count(*) FROM ") + kRestTable + " WHERE payload->>'name' = 'stale'"), "0");
}

}  // namespace
}  // namespace tributary::testing
