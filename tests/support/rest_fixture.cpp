#include "tests/support/rest_fixture.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/time.hpp"
#include "pg/pg.hpp"

namespace tributary::testing {

std::string rest_connector_file(const std::string& auth, const std::string& stream_lines,
                                const std::string& extra_top_level) {
  std::string out =
      "kind: rest\n"
      "name: generic\n"
      "account: acme\n"
      "base_url: ${REST_BASE_URL}\n"
      "retry: {max_retries: 2, base_delay_ms: 10, max_delay_ms: 50}\n"
      "defaults: {chunk_days: 10, page_size: 20, max_page_size: 100}\n";
  if (!auth.empty()) out += "auth: " + auth + "\n";
  out += extra_top_level;
  out += "streams:\n  items:\n";
  std::istringstream lines(stream_lines);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) out += "    " + line + "\n";
  }
  out += std::string("    table: ") + kRestTable + "\n";
  return out;
}

void RestPgTest::SetUp() {
  reset_database();
  dir_ = std::filesystem::temp_directory_path() /
         ("tributary-rest-pgtest-" + std::to_string(::getpid()) + "-" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

void RestPgTest::TearDown() {
  if (mock_) mock_->stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void RestPgTest::start_mock(const mock::RestMockOptions& options) {
  if (mock_) mock_->stop();
  mock_ = std::make_unique<mock::RestMock>(options);
  mock_->start();
}

void RestPgTest::slow_pages(int delay_ms) {
  mock::HttpFaultRule slow;
  slow.path_prefix = "/items";
  slow.delay_ms = delay_ms;
  slow.times = 100000;
  mock_->add_fault(slow);
}

mock::RestMockOptions RestPgTest::small_data(mock::PageStyle style, int records) {
  mock::RestMockOptions o;
  o.style = style;
  o.records = records;
  o.data_start_utc = "2024-01-01T00:00:00Z";
  o.data_end_utc = "2024-01-11T00:00:00Z";
  return o;
}

std::string RestPgTest::write_config(const std::string& name, const std::string& text) const {
  auto path = dir_ / name;
  std::ofstream(path) << text;
  return path.string();
}

std::string RestPgTest::binary() { return TRIBUTARY_BINARY; }
std::string RestPgTest::source_dir() { return TRIBUTARY_SOURCE_DIR; }

EnvOverrides RestPgTest::env() const {
  return {{"REST_BASE_URL", mock_->base_url()}, {"TRIBUTARY_DB_URL", test_db_url()}};
}

ProcessResult RestPgTest::tributary(const std::vector<std::string>& args, const EnvOverrides& extra,
                                    std::chrono::seconds timeout) const {
  auto e = env();
  for (const auto& [k, v] : extra) e[k] = v;
  return run(binary(), args, e, timeout);
}

ProcessResult RestPgTest::backfill(const std::string& config, const std::string& start, const std::string& end,
                                   const std::vector<std::string>& extra, const EnvOverrides& env,
                                   std::chrono::seconds timeout) const {
  std::vector<std::string> args{"backfill", "--config", config, "--start", start, "--end", end, "--workers", "1"};
  args.insert(args.end(), extra.begin(), extra.end());
  return tributary(args, env, timeout);
}

std::vector<mock::RestRecord> RestPgTest::records_in(const std::string& start, const std::string& end) const {
  auto s = parse_timestamp(start, "start");
  auto e = parse_timestamp(end, "end");
  std::vector<mock::RestRecord> out;
  for (const auto& r : mock_->records()) {
    auto t = parse_timestamp(r.updated_at_utc, "mock record");
    if (s <= t && t < e) out.push_back(r);
  }
  return out;
}

long long RestPgTest::mismatches(const std::string& table, const std::vector<mock::RestRecord>& expected) {
  std::vector<std::string> ids, payloads;
  for (const auto& r : expected) {
    ids.push_back(std::to_string(r.id));
    payloads.push_back(r.json);
  }
  pqxx::connection conn(test_db_url());
  pqxx::work txn(conn);
  auto row = txn.exec_params1(
      "SELECT count(*) FROM unnest($1::text[], $2::text[]) AS m(id, payload) "
      "FULL JOIN " + table + " AS r ON r.id = m.id "
      "WHERE r.id IS NULL OR m.id IS NULL OR r.payload <> m.payload::jsonb",
      pg::array_literal(ids), pg::array_literal(payloads));
  return row[0].as<long long>();
}

std::string url_encoded(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

int occurrences(const std::string& haystack, const std::string& needle) {
  if (needle.empty()) return 0;
  int n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + needle.size())) ++n;
  return n;
}

}  // namespace tributary::testing
