// `check --connect` says "ok" only once every stream has answered: a fetch that fails leaves
// the error as the last word, never an "ok" printed before it.
#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

TEST_F(RestConnectors, CheckConnectPrintsOkOnlyAfterEveryStreamAnswered) {
  start_mock(small_data(PageStyle::Offset, 90));
  auto config = write_config("check.yaml", rest_connector_file("", offset_stream()));
  auto r = tributary({"check", "--config", config, "--connect", "--start", kStart, "--end", kEnd});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto probe = r.out.find("items: 20 record(s) on the first page of [2024-01-01T00:00:00Z, 2024-01-11T00:00:00Z)");
  auto ok = r.out.find(config + ": ok, rest connector 'generic' with 1 stream(s); every stream answered\n");
  ASSERT_NE(probe, std::string::npos) << r.out;
  ASSERT_NE(ok, std::string::npos) << r.out;
  EXPECT_LT(probe, ok) << "ok came before the fetch\n" << r.out;
  EXPECT_EQ(mock_->stats().requests, 1);
}

TEST_F(RestConnectors, CheckConnectWhoseFetchFailsNeverSaysOk) {
  start_mock(small_data(PageStyle::Offset, 90));
  mock::HttpFaultRule refused;
  refused.status = 400;
  mock_->add_fault(refused);
  auto config = write_config("check.yaml", rest_connector_file("", offset_stream()));
  auto r = tributary({"check", "--config", config, "--connect", "--start", kStart, "--end", kEnd});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(mock_->stats().requests, 1);
  EXPECT_EQ(r.out.find("ok"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("HTTP 400"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tributary::testing
