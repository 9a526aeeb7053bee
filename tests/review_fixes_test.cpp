// Edge cases found in review: values outside the calendar, secrets echoed back by a source,
// and statuses that must not stop a whole run.
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "connectors/rest/rest_spec.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "http/executor.hpp"
#include "tests/support/loopback_server.hpp"
#include "http/retry.hpp"

namespace tributary {
namespace {

TEST(ReviewFixes, TimesBeyondTheCalendarAreUnreadableNotFatal) {
  EXPECT_FALSE(try_parse_timestamp("9999-12-31T23:00:00-05:00").has_value());
  EXPECT_FALSE(connectors::parse_time("999999999999999", connectors::TimeFormat::epoch_millis).has_value());
  EXPECT_FALSE(http::parse_retry_after("Fri, 31 Dec 99999 23:59:59 GMT", now_utc()).has_value());
  EXPECT_TRUE(connectors::parse_time("1704067200000", connectors::TimeFormat::epoch_millis).has_value());
}

TEST(ReviewFixes, ScrubReplacesEverySecretOccurrence) {
  EXPECT_EQ(scrub("key=abc123 and again abc123, token xyz", {Secret("abc123"), Secret(""), Secret("xyz")}),
            "key=*** and again ***, token ***");
}

// A source that echoes the request (API key included) in its error body.
class EchoingSource : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/items", [](const httplib::Request& req, httplib::Response& res) {
      res.status = req.has_param("status") ? std::stoi(req.get_param_value("status")) : 400;
      res.set_content("{\"error\":\"bad request for /items?api_key=" + req.get_param_value("api_key") + "\"}",
                      "application/json");
    });
    ASSERT_TRUE(loopback_.start()) << "the server did not start within its deadline";
  }
  Error failure_for(int status) {
    http::RateLimiter limiter({0, std::chrono::milliseconds(1000), 0});
    http::NoAuth auth;
    http::RetryPolicy policy;
    policy.max_retries = 0;
    http::RequestExecutor executor(policy, limiter, auth, nullptr, nullptr, {Secret("s3cret-key")});
    http::HttpClient client;
    http::HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(loopback_.port()) + "/items?api_key=s3cret-key&status=" + std::to_string(status);
    req.label = "GET /items";
    try {
      executor.execute(client, req);
    } catch (const Error& e) {
      return e;
    }
    return Error(ErrorKind::internal, "no error");
  }
  testing::LoopbackServer loopback_;
  httplib::Server& server_ = loopback_.server;
};

TEST_F(EchoingSource, ErrorsNeverCarryAConfiguredSecret) {
  auto e = failure_for(400);
  EXPECT_EQ(e.kind(), ErrorKind::client);
  EXPECT_EQ(std::string(e.what()).find("s3cret-key"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("api_key=***"), std::string::npos) << e.what();
}

TEST_F(EchoingSource, A403FailsOnlyItsWindowNotTheRun) {
  // ErrorKind::client fails the window; ErrorKind::auth would stop every worker.
  EXPECT_EQ(failure_for(403).kind(), ErrorKind::client);
  EXPECT_EQ(failure_for(401).kind(), ErrorKind::auth);
}

}  // namespace
}  // namespace tributary
