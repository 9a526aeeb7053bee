// The operator's commands end to end: status with every stream's high-water mark (table and
// JSON), the failed windows still to retry, retry by window and by --failed, reset, and global
// options after the command.
#include <yaml-cpp/yaml.h>

#include <regex>

#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

class Operator : public RestConnectors {
 protected:
  std::string config() { return write_config("ops.yaml", rest_connector_file("", offset_stream())); }

  // A backfill of kStart..kEnd in 2-day windows whose window [01-05, 01-07) fails: one of its
  // records carries a cursor outside it (the API filters by another field than it shows).
  void backfill_with_a_failed_window() {
    auto in = records_in("2024-01-05", "2024-01-07");
    ASSERT_FALSE(in.empty());
    mock_->set_payload(in[0].id, std::regex_replace(in[0].json, std::regex(R"("updated_at":"[^"]*")"),
                                                    R"("updated_at":"2023-06-01T00:00:00Z")"));
    auto r = backfill(config(), kStart, kEnd, {"--chunk-days", "2"});
    ASSERT_EQ(r.exit_code, 6) << r.err;
  }
};

TEST_F(Operator, StatusWindowsRetryAndReset) {
  start_mock(small_data(PageStyle::Offset, 120));
  backfill_with_a_failed_window();  // [01-05, 01-07) fails; the mark stops at 01-05

  auto status = tributary({"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_TRUE(std::regex_search(status.out, std::regex(R"(generic\s+acme\s+items\s+2024-01-05T00:00:00Z\s+\d+d \d+h\s+-\s+1\s+0)")))
      << status.out;

  auto json = tributary({"status", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find(R"("stream":"items","high_water_mark":"2024-01-05T00:00:00Z")"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find(R"("failed_windows":1)"), std::string::npos) << json.out;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.runs"), 1);

  auto windows = tributary({"windows", "--failed"});
  ASSERT_EQ(windows.exit_code, 0) << windows.err;
  EXPECT_NE(windows.out.find("[2024-01-05T00:00:00Z, 2024-01-07T00:00:00Z)"), std::string::npos) << windows.out;
  EXPECT_NE(windows.out.find("2023-06-01"), std::string::npos) << "its error: " << windows.out;
  EXPECT_NE(windows.out.find("1 failed window(s) to retry"), std::string::npos) << windows.out;
  auto failed_id = scalar("SELECT window_id FROM state.windows WHERE status = 'failed'");

  // Still wrong at the source: retrying it fails it again; nothing else of the run is touched.
  auto again = tributary({"retry", "--window", std::to_string(failed_id)});
  EXPECT_EQ(again.exit_code, 6) << again.err;
  EXPECT_EQ(scalar("SELECT attempts FROM state.windows WHERE status = 'failed'"), 2);

  // Fixed at the source: retry --failed loads it, and the mark moves to the end.
  start_mock(small_data(PageStyle::Offset, 120));  // same data, no fault
  auto fixed = tributary({"retry", "--failed", "--stream", "items"});
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  expect_exact_load(120, false);
  EXPECT_NE(tributary({"status", "--json"}).out.find(R"("high_water_mark":"2024-01-11T00:00:00Z")"), std::string::npos);
  EXPECT_NE(tributary({"windows", "--failed"}).out.find("0 failed window(s) to retry"), std::string::npos);
  EXPECT_EQ(tributary({"retry", "--failed"}).out, "retry: no failed window to retry\n");

  // Reset: refused without --confirm; then the state goes, the raw rows stay.
  auto unconfirmed = tributary({"reset", "--config", config(), "--stream", "items"});
  EXPECT_EQ(unconfirmed.exit_code, 2) << unconfirmed.err;
  EXPECT_NE(unconfirmed.err.find("--confirm"), std::string::npos) << unconfirmed.err;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows"), 5);
  auto reset = tributary({"reset", "--config", config(), "--stream", "items", "--confirm"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.runs"), 0);
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), 120) << "raw rows are never reset";
  auto after = tributary({"sync", "--config", config()});
  EXPECT_EQ(after.exit_code, 2) << "a reset stream has no mark: its next sync needs a start";
}

TEST_F(Operator, BadOperatorCommandsAreUsageErrors) {
  start_mock(small_data(PageStyle::Offset, 10));
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  for (const auto& c : std::vector<Case>{
           {{"retry"}, "either --window ID or --failed"},
           {{"retry", "--window", "9", "--failed"}, "either --window ID or --failed"},
           {{"retry", "--window", "999"}, "no window 999"},
           {{"windows"}, "--failed"},
           {{"--metrics-file", "/nonexistent/dir/t.prom", "retry", "--failed"}, "--metrics-file /nonexistent/dir/t.prom"},
           {{"reset", "--config", "CONFIG", "--stream", "nope", "--confirm"}, "nope"},
       }) {
    auto args = c.args;
    for (auto& a : args) a = a == "CONFIG" ? config() : a;
    auto r = tributary(args);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(args) << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    auto error = r.err.substr(r.err.find("tributary: error: "));  // after any migration log
    EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 1) << "one line: " << r.err;
  }
}

TEST_F(Operator, GlobalOptionsWorkAfterTheCommandAndVersionPrints) {
  auto migrate = run(binary(), {"migrate", "--db", test_db_url(), "--log-level", "warn"}, {});
  EXPECT_EQ(migrate.exit_code, 0) << migrate.err;
  auto version = run(binary(), {"--version"}, {});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(std::regex_match(version.out, std::regex(R"(tributary \d+\.\d+\.\d+\n)"))) << version.out;
  auto help = run(binary(), {"sync", "--help"}, {});
  EXPECT_NE(help.out.find("8 another run is"), std::string::npos) << help.out;
}

TEST_F(Operator, DbtSourcesPrintsYamlForTheFilesTables) {
  start_mock(small_data(PageStyle::Offset, 10));  // the file's base_url comes from it
  auto r = tributary({"dbt-sources", "--config", config(), "--warn-after", "12h"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = YAML::Load(r.out);
  EXPECT_EQ(doc["sources"][0]["name"].as<std::string>(), "generic");
  EXPECT_EQ(doc["sources"][0]["tables"][0]["name"].as<std::string>(), "rest_items");
  EXPECT_EQ(doc["sources"][0]["freshness"]["warn_after"]["count"].as<int>(), 12);
  auto bad = tributary({"dbt-sources", "--config", config(), "--error-after", "soon"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--error-after"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace tributary::testing
