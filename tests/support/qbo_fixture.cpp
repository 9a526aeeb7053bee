#include "tests/support/qbo_fixture.hpp"

#include "core/time.hpp"
#include "pg/pg.hpp"

namespace tributary::testing {

mock::QboMockOptions QboPgTest::mock_options() const {
  mock::QboMockOptions o;
  o.max_requests_per_minute = 0;  // the limiter has its own unit tests; keep runs fast here
  return o;
}

void QboPgTest::SetUp() {
  reset_database();
  mock_ = std::make_unique<mock::QboMock>(mock_options());
  mock_->start();
}

void QboPgTest::TearDown() {
  if (mock_) mock_->stop();
}

std::string QboPgTest::binary() { return TRIBUTARY_BINARY; }
std::string QboPgTest::config_path() { return std::string(TRIBUTARY_SOURCE_DIR) + "/config/quickbooks.yaml"; }

EnvOverrides QboPgTest::env() const {
  auto o = mock_options();
  return {{"QBO_BASE_URL", mock_->base_url()},
          {"QBO_TOKEN_URL", mock_->token_url()},
          {"QBO_REALM_ID", o.realm_id},
          {"QBO_CLIENT_ID", o.client_id},
          {"QBO_CLIENT_SECRET", o.client_secret},
          {"QBO_REFRESH_TOKEN", o.initial_refresh_token},
          {"QBO_RETRY_BASE_MS", "20"},
          {"TRIBUTARY_DB_URL", test_db_url()}};
}

ProcessResult QboPgTest::tributary(const std::vector<std::string>& args, const EnvOverrides& extra) const {
  auto e = env();
  for (const auto& [k, v] : extra) e[k] = v;
  return run(binary(), args, e);
}

std::vector<std::string> QboPgTest::backfill_args(const std::string& start, const std::string& end,
                                                  const std::vector<std::string>& extra) const {
  std::vector<std::string> args{"backfill", "--config", config_path(), "--start", start, "--end", end};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

ProcessResult QboPgTest::backfill(const std::string& start, const std::string& end,
                                  const std::vector<std::string>& extra) const {
  return tributary(backfill_args(start, end, extra));
}

namespace {

std::pair<std::vector<std::string>, std::vector<std::string>> in_range(const mock::QboMock& m, const std::string& entity,
                                                                       const std::string& start, const std::string& end) {
  auto s = parse_timestamp(start, "start");
  auto e = parse_timestamp(end, "end");
  std::vector<std::string> ids, payloads;
  for (const auto& r : m.records(entity)) {
    auto t = parse_timestamp(r.last_updated_utc, "mock record");
    if (s <= t && t < e) {
      ids.push_back(r.id);
      payloads.push_back(r.json);
    }
  }
  return {ids, payloads};
}

}  // namespace

long long QboPgTest::expected_records(const std::string& entity, const std::string& start,
                                      const std::string& end) const {
  return static_cast<long long>(in_range(*mock_, entity, start, end).first.size());
}

long long QboPgTest::mismatches(const std::string& entity, const std::string& table, const std::string& start,
                                const std::string& end) const {
  auto [ids, payloads] = in_range(*mock_, entity, start, end);
  return mismatches_against(table, ids, payloads);
}

long long count_rows(const std::string& table) { return scalar("SELECT count(*) FROM " + table); }

}  // namespace tributary::testing
