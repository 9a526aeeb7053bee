// The load path below the engine: the hash compared before anything is sent, COPY's escaping
// of every byte, and a page whose records raw already holds staging nothing.
#include <gtest/gtest.h>

#include "tests/support/database.hpp"
#include "core/time.hpp"
#include "warehouse/copy_text.hpp"
#include "warehouse/raw_writer.hpp"

namespace tributary::testing {
namespace {

// Every byte PostgreSQL's text type admits on its own (1..127), plus UTF-8 of 2, 3 and 4 bytes.
std::string every_text_byte() {
  std::string s;
  for (int c = 1; c < 128; ++c) s += static_cast<char>(c);
  s += "\\\\N \\N \\t é € 𝄞";
  return s;
}

warehouse::RawRecord rec(std::string_view id, std::string_view payload, std::optional<Timestamp> at) {
  return {id, payload, at};
}

class LoadPath : public ::testing::Test {
 protected:
  void SetUp() override {
    reset_database();
    conn_ = std::make_unique<pqxx::connection>(test_db_url());
  }
  std::unique_ptr<pqxx::connection> conn_;
};

TEST_F(LoadPath, CopyEscapingKeepsEveryByte) {
  auto field = every_text_byte();
  pqxx::work txn(*conn_);
  txn.exec("CREATE TEMP TABLE copied (n int, a text, b text)");
  warehouse::CopyLines copy(txn, "copied", {"n", "a", "b"});
  for (int n = 1; n <= 3; ++n) {  // the NULL marker beside a field
    std::string line = std::to_string(n) + "\t";
    warehouse::append_copy_field(line, field.substr(static_cast<size_t>(n)));
    line += '\t';
    warehouse::append_copy_null(line);
    copy.write(line);
  }
  copy.complete();
  for (int n = 1; n <= 3; ++n) {
    auto row = txn.exec_params("SELECT a, b IS NULL FROM copied WHERE n = $1", n);
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0][0].as<std::string>(), field.substr(static_cast<size_t>(n)));
    EXPECT_TRUE(row[0][1].as<bool>());
  }
}

// The mechanics of a first backfill's direct COPY meeting a row another writer inserted: the
// key violation surfaces as such, and the transaction carries on from the savepoint.
TEST_F(LoadPath, ACopyThatMeetsAnExistingKeyRollsBackToItsSavepointAndTheTransactionGoesOn) {
  pqxx::work txn(*conn_);
  txn.exec("CREATE TEMP TABLE keyed (id text PRIMARY KEY)");
  txn.exec("INSERT INTO keyed VALUES ('taken')");
  txn.exec("SAVEPOINT direct");
  bool violated = false;
  try {
    warehouse::CopyLines copy(txn, "keyed", {"id"});
    copy.write("free");
    copy.write("taken");
    copy.complete();
  } catch (const pqxx::unique_violation&) {
    violated = true;
    txn.exec("ROLLBACK TO SAVEPOINT direct");
  }
  ASSERT_TRUE(violated);
  EXPECT_EQ(txn.exec("SELECT count(*) FROM keyed")[0][0].as<int>(), 1);
  txn.exec("INSERT INTO keyed VALUES ('free')");
  txn.commit();
}

TEST_F(LoadPath, UnchangedRecordsAreNotStagedAndChangedOnesAre) {
  warehouse::RawTableWriter writer(*conn_, "raw.load_path");
  execute("CREATE SCHEMA IF NOT EXISTS raw");
  writer.ensure_table();
  // JSON with tabs, newlines, backslash escapes and multi-byte text: what the source sent.
  std::string a = "{\"Id\":\"a\",\n\t\"Memo\":\"tab\\there \\\\ \\\"quoted\\\" é\"}";
  std::string b = "{\"Id\":\"b\"}";
  auto at = parse_timestamp("2024-03-01T00:00:00Z", "test");
  warehouse::PageMetadata meta{"acct", Window{at, at + boost::posix_time::hours(24)}, 1, 2, "{}", 0, at};
  auto write = [&](const std::vector<warehouse::RawRecord>& records) {
    pqxx::work txn(*conn_);
    auto w = writer.write_page(txn, meta, records);
    txn.commit();
    return w;
  };
  auto first = write({rec("a", a, at), rec("b", b, at)});
  EXPECT_EQ(first.staged, 2);
  EXPECT_EQ(first.changed, 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.load_path WHERE payload = '" + pqxx::connection(test_db_url()).esc(a) +
                   "'::jsonb AND payload_hash = '" + warehouse::payload_hash(a) + "'"), 1);
  auto again = write({rec("a", a, at), rec("b", b, at)});
  EXPECT_EQ(again.staged, 0) << "unchanged text is neither sent nor cast";
  EXPECT_EQ(again.changed, 0);
  std::string b2 = "{\"Id\":\"b\",\"Memo\":\"changed\"}";
  auto changed = write({rec("a", a, at), rec("b", b2, at + boost::posix_time::seconds(1))});
  EXPECT_EQ(changed.staged, 1);
  EXPECT_EQ(changed.changed, 1);
  EXPECT_EQ(text("SELECT payload->>'Memo' FROM raw.load_path WHERE id = 'b'"), "changed");
  execute("UPDATE raw.load_path SET deleted_at_utc = now() WHERE id = 'a'");
  auto back = write({rec("a", a, at)});
  EXPECT_EQ(back.staged, 1) << "a record the source returns again clears its deletion mark";
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.load_path WHERE deleted_at_utc IS NOT NULL"), 0);
  auto older = write({rec("b", b, at)});  // the earlier version, late: raw keeps the newer one
  EXPECT_EQ(older.staged, 1);
  EXPECT_EQ(older.changed, 0);
  EXPECT_EQ(text("SELECT payload->>'Memo' FROM raw.load_path WHERE id = 'b'"), "changed");
  // Raw's hash is the one compared: another one, or none (a row from before payload_hash), and
  // the same text is written again, once.
  execute("UPDATE raw.load_path SET payload_hash = '0123456789abcdef0123456789abcdef' WHERE id = 'a'");
  EXPECT_EQ(write({rec("a", a, at)}).changed, 1);
  execute("UPDATE raw.load_path SET payload_hash = NULL WHERE id = 'a'");
  EXPECT_EQ(write({rec("a", a, at)}).changed, 1);
  EXPECT_EQ(write({rec("a", a, at)}).staged, 0);
}

TEST_F(LoadPath, APageHoldingAnIdTwiceStagesItsLatestVersionOnce) {
  warehouse::RawTableWriter writer(*conn_, "raw.load_path");
  execute("CREATE SCHEMA IF NOT EXISTS raw");
  writer.ensure_table();
  auto at = parse_timestamp("2024-03-01T00:00:00Z", "test");
  auto later = at + boost::posix_time::seconds(1);
  warehouse::PageMetadata meta{"acct", Window{at, at + boost::posix_time::hours(24)}, 1, 3, "{}", 0, at};
  std::string old_a = "{\"Id\":\"a\",\"v\":1}", new_a = "{\"Id\":\"a\",\"v\":2}", b = "{\"Id\":\"b\"}";
  for (const auto& page : {std::vector<warehouse::RawRecord>{rec("a", old_a, at), rec("b", b, at), rec("a", new_a, later)},
                           std::vector<warehouse::RawRecord>{rec("a", new_a, later), rec("b", b, at), rec("a", old_a, at)},
                           std::vector<warehouse::RawRecord>{rec("a", old_a, std::nullopt), rec("a", new_a, later)}}) {
    execute("TRUNCATE raw.load_path");
    pqxx::work txn(*conn_);
    auto w = writer.write_page(txn, meta, page);
    txn.commit();
    EXPECT_EQ(w.staged, static_cast<long long>(page.size()) - 1);
    EXPECT_EQ(text("SELECT payload->>'v' FROM raw.load_path WHERE id = 'a'"), "2");
  }
}

}  // namespace
}  // namespace tributary::testing
