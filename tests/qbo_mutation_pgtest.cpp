// Records updated while a window is being paged shift QBO's offsets; reconciliation must
// still land every record that stayed in the window.
#include "tests/support/qbo_fixture.hpp"

namespace tributary::testing {
namespace {

constexpr const char* kStart = "2024-01-01";
constexpr const char* kEnd = "2024-01-15";

class QboMutation : public QboPgTest {};

TEST_F(QboMutation, NoUnchangedRecordIsMissedWhenEarlierPagesChange) {
  auto before = expected_records("Invoice", kStart, kEnd);
  // While page 3 is requested, 4 records from pages 1-2 are updated (and leave the window):
  // every later offset shifts by 4, so plain offset paging would skip 4 unchanged records.
  mock_->mutate_during_paging("Invoice", 3, 4);
  auto r = backfill(kStart, kEnd, {"--stream", "invoices", "--page-size", "10", "--workers", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // Every record still in the range (untouched) is in raw with its exact payload...
  EXPECT_EQ(expected_records("Invoice", kStart, kEnd), before - 4);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.qbo_invoices"), before);  // ...and the 4 moved ones kept their older version
  EXPECT_EQ(scalar("SELECT sum(records_reconciled) FROM state.windows"), 4);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status = 'done' AND expected_count = verified_count"), 2);
  // raw holds `before` rows and the source's range `before - 4`: exactly 4 differences means
  // the 4 moved records are the only extras and every record still in range is there, exact.
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", kStart, kEnd), 4);
}

TEST_F(QboMutation, TheSkippedRecordsAreFetchedById) {
  // The mock's own tests show a naive offset pager misses records here; tributary fetches them by id.
  mock_->mutate_during_paging("Invoice", 3, 4);
  auto r = backfill(kStart, kEnd, {"--stream", "invoices", "--page-size", "10", "--workers", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.qbo_invoices WHERE "
                   "request_payload->'params'->>'query' LIKE '%Id IN (%'"), 4);
}

}  // namespace
}  // namespace tributary::testing
