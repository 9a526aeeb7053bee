// The throttling policy as a connector file states it: config/quickbooks.yaml as shipped, and
// each rate_limit / retry key read into RateLimit and RetryPolicy, or refused with FILE:LINE:COL.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "connectors/config.hpp"
#include "core/error.hpp"

namespace tributary::connectors {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Vars = std::map<std::string, std::string>;

fs::path shipped() { return fs::path(__FILE__).parent_path().parent_path() / "config/quickbooks.yaml"; }

EnvLookup env(Vars extra = {}) {
  Vars vars{{"QBO_REALM_ID", "9130357"},
            {"QBO_CLIENT_ID", "ABclientid"},
            {"QBO_CLIENT_SECRET", "cs-secret"},
            {"QBO_REFRESH_TOKEN", "rt-secret"}};
  for (auto& [k, v] : extra) vars[k] = v;
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ThrottleConfig, ShippedQuickBooksFileGivesTheIntuitPolicy) {
  auto c = load_connector_config(shipped().string(), env());
  EXPECT_EQ(c.rate_limit.requests_per_interval, 500);
  EXPECT_EQ(c.rate_limit.interval, 60'000ms);
  EXPECT_EQ(c.rate_limit.max_concurrent, 10);
  EXPECT_EQ(c.rate_limit.recovery_hold, 30'000ms);
  EXPECT_EQ(c.rate_limit.recovery, 60'000ms) << "back within a minute of the last 429";
  EXPECT_EQ(c.retry.max_retries, 5);
  EXPECT_GE(c.retry.throttle_budget, 60'000ms) << "Intuit: wait 60 s after a 429";
  EXPECT_EQ(c.retry.throttle_budget, 120'000ms);
  EXPECT_EQ(c.retry.throttle_max_delay, 10'000ms);
}

TEST(ThrottleConfig, TestsShortenTheIntervalThroughTheEnvironment) {
  auto c = load_connector_config(shipped().string(), env({{"QBO_RATE_INTERVAL_MS", "5000"}, {"QBO_REQUESTS_PER_MINUTE", "40"}}));
  EXPECT_EQ(c.rate_limit.interval, 5'000ms);
  EXPECT_EQ(c.rate_limit.requests_per_interval, 40);
}

// The shipped file with its rate_limit and retry sections replaced by `sections`.
class Sections : public ::testing::Test {
 protected:
  void TearDown() override {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  ConfigCheck check(const std::string& sections) {
    std::ifstream in(shipped());
    std::stringstream text;
    text << in.rdbuf();
    std::string yaml = text.str();
    auto cut = [&](const std::string& from, const std::string& to) {
      auto a = yaml.find(from), b = yaml.find(to, a);
      ASSERT_NE(a, std::string::npos) << from;
      yaml.erase(a, b - a);
    };
    cut("rate_limit:\n", "\n\n");
    cut("retry:\n", "\n\n");
    path_ = (fs::temp_directory_path() / ("tributary-throttle-config-" + std::to_string(::getpid()) + ".yaml")).string();
    std::ofstream(path_) << sections << "\n" << yaml;
    return check_connector_config(path_, env());
  }
  std::string path_;
};

TEST_F(Sections, RateLimitKeysAreRead) {
  struct Case {
    const char* yaml;
    http::RateLimit expected;
  };
  const std::vector<Case> cases = {
      {"rate_limit: {requests_per_minute: 120}", {120, 60'000ms, 10, 30'000ms, 60'000ms}},
      {"rate_limit: {requests_per_interval: 20, interval_ms: 5000, max_concurrent: 2}", {20, 5'000ms, 2, 30'000ms, 60'000ms}},
      {"rate_limit: {recovery_hold_ms: 0, recovery_ms: 10000}", {500, 60'000ms, 10, 0ms, 10'000ms}},
      {"rate_limit: {requests_per_interval: 0, max_concurrent: 0}", {0, 60'000ms, 0, 30'000ms, 60'000ms}},
  };
  for (const auto& c : cases) {
    auto checked = check(c.yaml);
    ASSERT_TRUE(checked.ok()) << c.yaml << ": " << checked.problems.front();
    const auto& got = checked.config.rate_limit;
    std::ostringstream want, have;
    want << c.expected;
    have << got;
    EXPECT_EQ(have.str(), want.str()) << c.yaml;
  }
}

TEST_F(Sections, RetryThrottleKeysAreRead) {
  auto checked = check("retry: {throttle_budget_ms: 180000, throttle_max_delay_ms: 5000, max_retries: 2}");
  ASSERT_TRUE(checked.ok()) << checked.problems.front();
  EXPECT_EQ(checked.config.retry.throttle_budget, 180'000ms);
  EXPECT_EQ(checked.config.retry.throttle_max_delay, 5'000ms);
  EXPECT_EQ(checked.config.retry.max_retries, 2);
}

TEST_F(Sections, ContradictionsAreRefusedWithTheirPosition) {
  struct Case {
    const char* yaml;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"rate_limit: {requests_per_minute: 120, interval_ms: 5000}", "cannot be combined"},
      {"rate_limit: {requests_per_minute: 120, requests_per_interval: 20}", "cannot be combined"},
      {"rate_limit: {recovery_hold_ms: 90000}", "exceeds 'recovery_ms'"},
      {"rate_limit: {interval_ms: 0}", "interval_ms"},
      {"rate_limit: {recovery: 5}", "recovery"},
      {"retry: {throttle_budget_ms: -1}", "throttle_budget_ms"},
  };
  for (const auto& c : cases) {
    auto checked = check(c.yaml);
    ASSERT_FALSE(checked.ok()) << c.yaml;
    EXPECT_NE(checked.problems.front().find(c.message), std::string::npos) << c.yaml << ": " << checked.problems.front();
    EXPECT_EQ(checked.problems.front().rfind(path_ + ":1:", 0), 0u) << checked.problems.front();
  }
}

}  // namespace
}  // namespace tributary::connectors
