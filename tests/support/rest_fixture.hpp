#pragma once
// The generic REST mock on loopback, an empty warehouse, connector files written to a temp dir,
// and the tributary binary as a child process, configured through the environment.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "mock/rest/rest_mock.hpp"
#include "tests/support/database.hpp"
#include "tests/support/process.hpp"

namespace tributary::testing {

// The table every connector file of these tests writes to.
constexpr const char* kRestTable = "raw.rest_items";

// A `kind: rest` file for the mock: base_url ${REST_BASE_URL}, quick retries, the given `auth`
// (a YAML mapping, or "" for none), and one stream `items` whose keys are `stream_lines`
// (written without indentation, one key per line; the helper indents them).
std::string rest_connector_file(const std::string& auth, const std::string& stream_lines,
                                const std::string& extra_top_level = "");

class RestPgTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts a fresh mock (stopping any previous one).
  void start_mock(const mock::RestMockOptions& options);
  // Every /items answer `delay_ms` late: slow enough for a test to act while a run is working.
  void slow_pages(int delay_ms);
  // 90 records in [2024-01-01, 2024-01-11), no auth, the given style.
  static mock::RestMockOptions small_data(mock::PageStyle style, int records = 90);

  std::string write_config(const std::string& name, const std::string& text) const;

  EnvOverrides env() const;  // REST_BASE_URL and TRIBUTARY_DB_URL
  ProcessResult tributary(const std::vector<std::string>& args, const EnvOverrides& extra = {},
                          std::chrono::seconds timeout = std::chrono::seconds(60)) const;
  // backfill --config CONFIG --start S --end E --workers 1 [extra...]
  ProcessResult backfill(const std::string& config, const std::string& start, const std::string& end,
                         const std::vector<std::string>& extra = {}, const EnvOverrides& env = {},
                         std::chrono::seconds timeout = std::chrono::seconds(60)) const;

  // The mock's records whose updated_at lies in [start, end).
  std::vector<mock::RestRecord> records_in(const std::string& start, const std::string& end) const;
  // Rows of `table` that differ from `expected`: missing ids, extra ids, payloads unequal as jsonb.
  static long long mismatches(const std::string& table, const std::vector<mock::RestRecord>& expected);
  std::vector<std::string> targets() const { return mock_->stats().targets; }
  // "http://127.0.0.1:PORT"
  std::string base_url() const { return mock_->base_url(); }

  static std::string binary();
  static std::string source_dir();

  std::unique_ptr<mock::RestMock> mock_;
  std::filesystem::path dir_;
};

// Percent-encoded exactly as tributary sends it (libcurl escapes all but unreserved characters).
std::string url_encoded(const std::string& text);

// How often `needle` occurs in `haystack`.
int occurrences(const std::string& haystack, const std::string& needle);

}  // namespace tributary::testing
