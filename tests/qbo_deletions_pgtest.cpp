// Deletions through QuickBooks' Change Data Capture: `sync` marks deleted records in raw
// (deleted_at_utc, at the source's deletion time), never removes them, clears the mark when a
// record comes back, and says so when the deletions it should read are older than CDC keeps.
#include "tests/support/qbo_fixture.hpp"

namespace tributary::testing {
namespace {

constexpr const char* kTable = "raw.qbo_customers";

class QboDeletions : public QboPgTest {
 protected:
  mock::QboMockOptions mock_options() const override {
    auto o = QboPgTest::mock_options();
    o.customers = 40;
    o.invoices = 20;
    o.items = 10;
    return o;
  }
  ProcessResult sync(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"sync", "--config", config_path(), "--stream", "customers", "--workers", "1",
                                  "--lag", "0s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return tributary(args);
  }
  static std::string marked() {
    return text(std::string("SELECT coalesce(string_agg(id, ',' ORDER BY id::int), '') FROM ") + kTable +
                " WHERE deleted_at_utc IS NOT NULL");
  }
  // The deletion time the mock reports for `id`, as PostgreSQL reads it.
  std::string deleted_at_in_source(const std::string& id) const {
    for (const auto& r : mock_->deleted_records("Customer")) {
      if (r.id == id) return text("SELECT '" + r.last_updated_utc + "'::timestamptz::text");
    }
    ADD_FAILURE() << "the mock has no deleted Customer " << id;
    return "";
  }
};

TEST_F(QboDeletions, DeletedRecordsAreMarkedNeverRemovedAndUnmarkedWhenTheyComeBack) {
  auto first = sync({"--start", "2024-01-01"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(count_rows(kTable), 40);
  EXPECT_EQ(marked(), "");

  mock_->delete_records("Customer", {"3", "17"});
  auto second = sync();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("deletions: 2 reported, 2 raw rows newly marked deleted"), std::string::npos) << second.out;
  EXPECT_EQ(marked(), "3,17");
  EXPECT_EQ(count_rows(kTable), 40) << "a deleted record's row stays";
  EXPECT_EQ(text(std::string("SELECT deleted_at_utc::text FROM ") + kTable + " WHERE id = '3'"), deleted_at_in_source("3"));
  EXPECT_EQ(scalar("SELECT count(*) FROM state.deletion_points WHERE stream = 'customers' AND gap_start_utc IS NULL"), 1);

  // Read again (the lookback overlaps): the same deletions, nothing newly marked.
  auto third = sync();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("2 reported, 0 raw rows newly marked"), std::string::npos) << third.out;

  // Customer 17 is restored: the next sync fetches it again (its LastUpdatedTime is now) and the
  // mark goes; 3 stays deleted.
  mock_->restore_records("Customer", {"17"});
  // Windows are half-open and end at now, to the second: wait for the restore's second to pass.
  const auto restored = text("SELECT date_trunc('second', now())::text");
  while (text("SELECT date_trunc('second', now())::text") == restored) {}
  auto fourth = sync();
  ASSERT_EQ(fourth.exit_code, 0) << fourth.err;
  EXPECT_EQ(marked(), "3");
  // raw is the source's records exactly, plus the one the source deleted.
  EXPECT_EQ(mismatches("Customer", kTable, "2024-01-01", "2100-01-01"), 1);
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kTable + " WHERE id = '17' AND source_updated_at > '2025-01-01'"), 1);
}

TEST_F(QboDeletions, DeletionsOlderThanCdcKeepsAreReportedAndTheRestIsRead) {
  auto first = sync({"--start", "2024-01-01"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(scalar("SELECT count(*) FROM state.deletion_points"), 1);
  // As if the last sync was 40 days ago: CDC answers only 30 days back.
  ASSERT_EQ(execute("UPDATE state.deletion_points SET checked_until_utc = now() - interval '40 days'"), 1);
  mock_->delete_records("Customer", {"5"});

  auto r = sync();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("cannot be read"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("tributary reset"), std::string::npos) << "says what to do: " << r.err;
  EXPECT_NE(r.err.find("some deletions could not be read"), std::string::npos) << r.err;
  EXPECT_EQ(marked(), "5") << "the 30 days CDC keeps are still read";
  EXPECT_EQ(scalar("SELECT count(*) FROM state.deletion_points WHERE gap_start_utc < now() - interval '39 days' "
                   "AND gap_end_utc > now() - interval '31 days' AND gap_end_utc < now() - interval '29 days'"), 1);

  auto status = tributary({"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("warning: customers: deletions from"), std::string::npos) << status.out;
  auto json = tributary({"status", "--json"});
  EXPECT_NE(json.out.find("\"deletion_gap\":{\"start\":"), std::string::npos) << json.out;
}

TEST_F(QboDeletions, ABackfillReadsNoDeletionsAndAResetForgetsThePoint) {
  mock_->delete_records("Customer", {"9"});
  auto r = backfill("2024-01-01", "2024-07-01", {"--stream", "customers", "--workers", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_rows(kTable), 39) << "the deleted record is not in the source's query answers";
  EXPECT_EQ(scalar("SELECT count(*) FROM state.deletion_points"), 0) << "only sync reads deletions";
  auto s = sync();
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(marked(), "") << "customer 9 was deleted before raw held it";
  EXPECT_EQ(scalar("SELECT count(*) FROM state.deletion_points"), 1);
  auto reset = tributary({"reset", "--config", config_path(), "--stream", "customers", "--confirm"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.deletion_points"), 0);
}

}  // namespace
}  // namespace tributary::testing
