// A full QuickBooks backfill against the mock and a real PostgreSQL: exact data, idempotent
// re-runs, metadata, boundaries, state.
#include "tests/support/qbo_fixture.hpp"

namespace tributary::testing {
namespace {

constexpr const char* kStart = "2024-01-01";
constexpr const char* kEnd = "2024-07-01";

class QboBackfill : public QboPgTest {};

TEST_F(QboBackfill, LoadsExactlyTheSourcesRecordsForEveryStream) {
  auto r = backfill(kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_rows("raw.qbo_customers"), expected_records("Customer", kStart, kEnd));
  EXPECT_EQ(count_rows("raw.qbo_invoices"), expected_records("Invoice", kStart, kEnd));
  EXPECT_EQ(count_rows("raw.qbo_items"), expected_records("Item", kStart, kEnd));
  EXPECT_GT(count_rows("raw.qbo_invoices"), 1000);
  EXPECT_EQ(mismatches("Customer", "raw.qbo_customers", kStart, kEnd), 0);
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", kStart, kEnd), 0);
  EXPECT_EQ(mismatches("Item", "raw.qbo_items", kStart, kEnd), 0);
  // 26 weekly windows (the last one clipped) for each of the three streams, all verified.
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status = 'done'"), 78);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE expected_count IS DISTINCT FROM verified_count"), 0);
  EXPECT_EQ(text("SELECT status FROM state.runs"), "done");
}

TEST_F(QboBackfill, ReRunAddsNothingAndLeavesUnchangedRowsUntouched) {
  ASSERT_EQ(backfill(kStart, kEnd, {"--stream", "invoices"}).exit_code, 0);
  auto before = text("SELECT md5(string_agg(id || ingested_at_utc::text || run_id::text, ',' ORDER BY id)) FROM raw.qbo_invoices");
  auto rows = count_rows("raw.qbo_invoices");
  mock_->touch("Invoice", {"1", "2"});  // changed at the source, but now outside the range

  auto again = backfill(kStart, kEnd, {"--stream", "invoices"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(count_rows("raw.qbo_invoices"), rows);
  EXPECT_EQ(text("SELECT md5(string_agg(id || ingested_at_utc::text || run_id::text, ',' ORDER BY id)) FROM raw.qbo_invoices"),
            before);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.runs WHERE status = 'done'"), 2);
}

// Unchanged pages are checkpointed together (up to 16 at a time, and always the last one): the
// window's counts still come out exact, page for page.
TEST_F(QboBackfill, AReRunOfManyUnchangedPagesCountsEveryPageOnce) {
  std::vector<std::string> args{"--stream", "invoices", "--page-size", "5", "--chunk-days", "14"};
  ASSERT_EQ(backfill(kStart, "2024-01-29", args).exit_code, 0);
  auto again = backfill(kStart, "2024-01-29", args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto per_run = "SELECT string_agg(window_start_utc || ' ' || pages_loaded || ' ' || records_loaded || ' ' || "
                 "rows_changed, ',' ORDER BY window_start_utc) FROM state.windows WHERE run_id = ";
  EXPECT_GT(scalar("SELECT min(pages_loaded) FROM state.windows WHERE run_id = 1"), 20) << "enough pages to batch";
  EXPECT_EQ(text(std::string(per_run) + "2"),
            text("SELECT string_agg(window_start_utc || ' ' || pages_loaded || ' ' || records_loaded || ' 0', ',' "
                 "ORDER BY window_start_utc) FROM state.windows WHERE run_id = 1"));
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.qbo_invoices WHERE run_id = 2"), 0);
}

TEST_F(QboBackfill, AChangedRecordIsRewrittenOnReRun) {
  // Touch moves LastUpdatedTime to now, so re-run a range that includes now.
  ASSERT_EQ(backfill(kStart, "2100-01-01", {"--stream", "items", "--chunk-days", "3660"}).exit_code, 0);
  auto old_sync = text("SELECT payload->>'SyncToken' FROM raw.qbo_items WHERE id = '7'");
  mock_->touch("Item", {"7"});
  auto r = backfill(kStart, "2100-01-01", {"--stream", "items", "--chunk-days", "3660"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(text("SELECT payload->>'SyncToken' FROM raw.qbo_items WHERE id = '7'"), old_sync);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.qbo_items WHERE run_id = 2"), 1);
}

TEST_F(QboBackfill, RowsCarryTheirIngestionMetadataAndNoSecret) {
  ASSERT_EQ(backfill(kStart, "2024-01-15", {"--stream", "invoices", "--page-size", "25"}).exit_code, 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.qbo_invoices WHERE NOT (source_updated_at >= extract_window_start_utc "
                   "AND source_updated_at < extract_window_end_utc)"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.qbo_invoices WHERE page_size <> 25 OR page_number < 1"), 0);
  EXPECT_EQ(scalar("SELECT count(DISTINCT extract_window_start_utc) FROM raw.qbo_invoices"), 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.qbo_invoices WHERE request_payload->'params'->>'query' NOT LIKE "
                   "'SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= %STARTPOSITION%MAXRESULTS 25'"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.qbo_invoices WHERE request_payload->>'method' <> 'GET' "
                   "OR request_payload->'params'->>'minorversion' <> '75'"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.qbo_invoices WHERE request_payload->'params'->>'query' IS NULL"), 0);
  auto o = mock_options();
  for (const auto& secret : {o.client_secret, o.initial_refresh_token}) {
    EXPECT_EQ(scalar("SELECT count(*) FROM raw.qbo_invoices WHERE request_payload::text LIKE '%" + secret + "%'"), 0);
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.qbo_invoices WHERE request_payload::text ILIKE '%authorization%' "
                   "OR request_payload::text ILIKE '%bearer%'"), 0);
}

TEST_F(QboBackfill, BoundaryRecordsLandInExactlyOneWindow) {
  // The mock puts records exactly on UTC midnights; weekly and daily windows must agree.
  ASSERT_EQ(backfill(kStart, "2024-03-01", {"--stream", "customers", "--chunk-days", "1"}).exit_code, 0);
  EXPECT_EQ(mismatches("Customer", "raw.qbo_customers", kStart, "2024-03-01"), 0);
  EXPECT_GT(scalar("SELECT count(*) FROM raw.qbo_customers WHERE source_updated_at = extract_window_start_utc"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.qbo_customers WHERE source_updated_at >= extract_window_end_utc"), 0);
}

TEST_F(QboBackfill, OffsetDatesAreConvertedToUtc) {
  // 2024-01-01T05:00:00+05:00 is 2024-01-01T00:00:00Z.
  auto r = backfill("2024-01-01T05:00:00+05:00", "2024-01-08T00:00:00Z", {"--stream", "invoices"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(text("SELECT to_char(requested_start_utc, 'YYYY-MM-DD HH24:MI') FROM state.runs"), "2024-01-01 00:00");
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", kStart, "2024-01-08"), 0);
}

TEST_F(QboBackfill, StatusShowsRunsAndWindows) {
  ASSERT_EQ(backfill(kStart, "2024-01-15", {"--stream", "items"}).exit_code, 0);
  auto list = tributary({"status"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find(" done              2/2 done "), std::string::npos) << list.out;  // STATUS, WINDOWS
  auto one = tributary({"status", "--run", "1"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("EXPECTED"), std::string::npos);
  EXPECT_NE(one.out.find("[2024-01-08T00:00:00Z, 2024-01-15T00:00:00Z)"), std::string::npos);
}

}  // namespace
}  // namespace tributary::testing
