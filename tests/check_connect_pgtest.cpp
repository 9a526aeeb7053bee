// `check --connect` says "ok" only once every stream has answered: a fetch that fails leaves
// the error as the last word, never an "ok" printed before it. Records outside the range their
// window asked for are a warning (a backfill would fail the window), never a failure of check.
#include <algorithm>

#include "core/time.hpp"
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
  EXPECT_EQ(r.err.find("outside the range"), std::string::npos) << "every record is in its window\n" << r.err;
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

TEST_F(RestConnectors, CheckConnectWarnsAboutRecordsOutsideTheWindowItAskedFor) {
  start_mock(small_data(PageStyle::Offset, 90));
  auto order = records_in(kStart, kEnd);
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.updated_at_utc != b.updated_at_utc ? a.updated_at_utc < b.updated_at_utc : a.id < b.id;
  });
  // The API serves them in the window (it filters on its own field); their cursor says otherwise.
  const auto& before = order[2];
  const auto& at_end = order[5];
  mock_->set_payload(before.id, "{\"id\":" + std::to_string(before.id) + ",\"updated_at\":\"2023-12-31T23:59:59.999Z\"}");
  mock_->set_payload(at_end.id, "{\"id\":" + std::to_string(at_end.id) + ",\"updated_at\":\"2024-01-11T00:00:00.000Z\"}");
  auto config = write_config("check.yaml", rest_connector_file("", offset_stream()));
  auto r = tributary({"check", "--config", config, "--connect", "--start", kStart, "--end", kEnd});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: items: 2 record(s) on the first page with a cursor outside the range asked for "
                       "[2024-01-01T00:00:00Z, 2024-01-11T00:00:00Z), the first id " + std::to_string(before.id) +
                       " at " + format_utc_micros(parse_timestamp("2023-12-31T23:59:59.999Z", "t")) +
                       " (record 2): a backfill fails such a window"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("`window.format`"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("out_of_window: load"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("every stream answered"), std::string::npos) << r.out;
  EXPECT_EQ(mock_->stats().requests, 1);

  // Declared: said on stdout as what will happen, no warning.
  config = write_config("check_load.yaml", rest_connector_file("", offset_stream("out_of_window: load\n")));
  r = tributary({"check", "--config", config, "--connect", "--start", kStart, "--end", kEnd});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("warning:"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("items: 2 record(s) on the first page with a cursor outside the range asked for"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("loaded, as the stream declares out_of_window: load"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace tributary::testing
