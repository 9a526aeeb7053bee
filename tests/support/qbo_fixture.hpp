#pragma once
// A QuickBooks mock on loopback, an empty warehouse, and the tributary binary as a child
// process configured through the environment exactly as an operator would configure it.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "mock/qbo_mock.hpp"
#include "tests/support/database.hpp"
#include "tests/support/process.hpp"

namespace tributary::testing {

class QboPgTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Tests adjust these before calling start_mock() (SetUp starts it with defaults otherwise).
  virtual mock::QboMockOptions mock_options() const;

  EnvOverrides env() const;
  ProcessResult tributary(const std::vector<std::string>& args, const EnvOverrides& extra = {}) const;
  // backfill --config config/quickbooks.yaml --start S --end E [extra...]
  ProcessResult backfill(const std::string& start, const std::string& end,
                         const std::vector<std::string>& extra = {}) const;
  std::vector<std::string> backfill_args(const std::string& start, const std::string& end,
                                         const std::vector<std::string>& extra = {}) const;

  // Rows of `table` that differ from the mock's records of `entity` whose LastUpdatedTime lies
  // in [start, end): missing ids, extra ids, or payloads that are not equal as JSON.
  long long mismatches(const std::string& entity, const std::string& table, const std::string& start,
                       const std::string& end) const;
  long long expected_records(const std::string& entity, const std::string& start, const std::string& end) const;

  static std::string binary();
  static std::string config_path();

  std::unique_ptr<mock::QboMock> mock_;
};

long long count_rows(const std::string& table);

}  // namespace tributary::testing
