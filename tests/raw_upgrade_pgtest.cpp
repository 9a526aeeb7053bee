// Raw tables created by tributary 0.1 (account column named realm_id, no deleted_at_utc) and
// 0.2 (payload_md5) are upgraded in place by their owner on first use, rows kept; a role that
// may only write them is told what to run, and nothing is half-changed.
#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

// sql/raw_table.sql as tributary 0.1 shipped it, with one row already loaded.
constexpr const char* kTable01 = R"(
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE raw.rest_items (
  realm_id text NOT NULL, id text NOT NULL, payload jsonb NOT NULL, source_updated_at timestamptz,
  ingested_at_utc timestamptz NOT NULL, extract_window_start_utc timestamptz NOT NULL,
  extract_window_end_utc timestamptz NOT NULL, page_number integer NOT NULL, page_size integer NOT NULL,
  request_payload jsonb NOT NULL, run_id bigint, PRIMARY KEY (realm_id, id));
INSERT INTO raw.rest_items VALUES ('acme', 'kept-from-0.1', '{"id":"kept-from-0.1"}', now(), now(), now(), now(), 1, 20,
  '{}', NULL))";

class RawUpgrade : public RestConnectors {};

TEST_F(RawUpgrade, ATableFromTributary01IsUpgradedInPlaceAndKeepsItsRows) {
  start_mock(small_data(PageStyle::Offset, 40));
  execute(kTable01);
  auto config = write_config("upgrade.yaml", rest_connector_file("", offset_stream()));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("upgraded from an older tributary"), std::string::npos) << r.err;
  EXPECT_EQ(text("SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = "
                 "'raw.rest_items'::regclass AND attnum > 0 AND NOT attisdropped AND attname IN "
                 "('realm_id', 'account', 'deleted_at_utc', 'payload_md5', 'payload_hash')"),
            "account,deleted_at_utc,payload_hash");
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.rest_items WHERE id = 'kept-from-0.1' AND account = 'acme'"), 1);
  EXPECT_EQ(mismatches(kRestTable, records_in(kStart, kEnd)), 1) << "the source's 40 rows, plus the one kept";
  auto again = backfill(config, kStart, kEnd);  // upgraded once: nothing more to do
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("upgraded from an older tributary"), std::string::npos) << again.err;
}

// 0.2 kept the change test's md5 in payload_md5. It gives way to payload_hash: every row is
// written once more by the next run that reads it, and from then on skipped again.
TEST_F(RawUpgrade, ATableThatKeptMd5sGetsHashesByOneRewriteOfEachRow) {
  start_mock(small_data(PageStyle::Offset, 40));
  auto config = write_config("upgrade.yaml", rest_connector_file("", offset_stream()));
  ASSERT_EQ(backfill(config, kStart, kEnd).exit_code, 0);
  execute("ALTER TABLE raw.rest_items DROP COLUMN payload_hash; ALTER TABLE raw.rest_items ADD COLUMN payload_md5 text; "
          "UPDATE raw.rest_items SET payload_md5 = md5(payload::text)");
  auto upgraded = backfill(config, kStart, kEnd);
  ASSERT_EQ(upgraded.exit_code, 0) << upgraded.err;
  EXPECT_NE(upgraded.err.find("DROP COLUMN payload_md5"), std::string::npos) << upgraded.err;
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'raw.rest_items'::regclass AND "
                   "attname = 'payload_md5' AND NOT attisdropped"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.rest_items WHERE payload_hash IS NOT NULL AND "
                   "run_id = (SELECT max(run_id) FROM raw.rest_items)"), 40) << "every row written once more";
  auto rewritten_by = scalar("SELECT max(run_id) FROM raw.rest_items");
  auto again = backfill(config, kStart, kEnd);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.rest_items WHERE run_id = " + std::to_string(rewritten_by)), 40)
      << "then unchanged rows are skipped again";
  EXPECT_EQ(mismatches(kRestTable, records_in(kStart, kEnd)), 0);
}

TEST_F(RawUpgrade, ARoleThatOnlyWritesTheTableIsToldWhatToRun) {
  start_mock(small_data(PageStyle::Offset, 40));
  execute(kTable01);
  execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'upgrade_writer') THEN "
          "CREATE ROLE upgrade_writer LOGIN; END IF; END $$");
  execute("GRANT USAGE ON SCHEMA raw TO upgrade_writer; GRANT SELECT, INSERT, UPDATE ON raw.rest_items TO upgrade_writer");
  ASSERT_EQ(tributary({"migrate"}).exit_code, 0);
  execute("GRANT USAGE ON SCHEMA state TO upgrade_writer; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
          "state TO upgrade_writer; GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA state TO upgrade_writer");
  pqxx::connection owner(test_db_url());
  auto writer_url = std::string("postgresql://upgrade_writer@") + owner.hostname() + ":" + owner.port() + "/" + owner.dbname();
  auto config = write_config("upgrade.yaml", rest_connector_file("", offset_stream()));
  auto r = backfill(config, kStart, kEnd, {}, {{"TRIBUTARY_DB_URL", writer_url}});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("must be upgraded by its owner"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("RENAME COLUMN realm_id TO account"), std::string::npos) << r.err;
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'raw.rest_items'::regclass AND "
                   "attname = 'realm_id'"), 1) << "nothing half-changed";
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.rest_items"), 1);
}

}  // namespace
}  // namespace tributary::testing
