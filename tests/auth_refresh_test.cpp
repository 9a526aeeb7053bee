// When a 401 earns a credential refresh: after any other answer, again; straight after a
// refresh, never (the credentials really are refused). A campaign found a request whose 5xx
// retries outlasted a short-lived token end the run with exit 5.
#include <gtest/gtest.h>
#include <httplib.h>

#include <deque>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "http/executor.hpp"
#include "tests/support/loopback_server.hpp"

namespace tributary {
namespace {

// Answers /items with the next status of a script, then 200.
class ScriptedSource : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/items", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      res.status = 200;
      if (!script_.empty()) {
        res.status = script_.front();
        script_.pop_front();
      }
      ++served_;
      res.set_content(res.status == 200 ? "{\"items\":[]}" : "{\"error\":\"scripted\"}", "application/json");
    });
    ASSERT_TRUE(loopback_.start()) << "the server did not start within its deadline";
  }

  // Counts refreshes; every refresh is granted (a fresh token each time).
  class RefreshingAuth final : public http::Authenticator {
   public:
    std::string apply(http::HttpRequest& request, http::HttpClient&) override {
      request.headers.emplace_back("Authorization", "Bearer token-" + std::to_string(refreshes));
      return "token-" + std::to_string(refreshes);
    }
    bool invalidate(const std::string&) override {
      ++refreshes;
      return true;
    }
    int refreshes = 0;
  };

  // Runs one request through the executor against `script`; the error, if it failed.
  std::optional<Error> run(std::deque<int> script) {
    {
      std::lock_guard lock(mutex_);
      script_ = std::move(script);
    }
    http::RateLimiter limiter(http::RateLimit{.requests_per_interval = 0, .max_concurrent = 0});
    http::RetryPolicy policy;
    policy.base_delay = std::chrono::milliseconds(1);
    policy.max_delay = std::chrono::milliseconds(2);
    http::RequestExecutor executor(policy, limiter, auth_, nullptr);
    http::HttpClient client;
    http::HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(loopback_.port()) + "/items";
    req.label = "GET /items";
    try {
      executor.execute(client, req);
    } catch (const Error& e) {
      return e;
    }
    return std::nullopt;
  }

  RefreshingAuth auth_;
  std::mutex mutex_;
  std::deque<int> script_;
  int served_ = 0;
  testing::LoopbackServer loopback_;
  httplib::Server& server_ = loopback_.server;
};

TEST_F(ScriptedSource, A401AfterAnotherAnswerEarnsAnotherRefresh) {
  auto error = run({401, 503, 503, 401, 200});
  EXPECT_FALSE(error.has_value()) << error->what();
  EXPECT_EQ(auth_.refreshes, 2);
  EXPECT_EQ(served_, 5);
}

TEST_F(ScriptedSource, A401StraightAfterARefreshIsAnAuthError) {
  auto error = run({401, 401, 200});
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind(), ErrorKind::auth);
  EXPECT_EQ(auth_.refreshes, 1);
  EXPECT_EQ(served_, 2) << "nothing sent after the second 401";
}

TEST_F(ScriptedSource, AlternatingRefusalsEndWithinTheRetryBudget) {
  // 401, 503, 401, 503...: each 401 earns a refresh, the 5xx retries are counted and run out.
  std::deque<int> script;
  for (int i = 0; i < 40; ++i) script.push_back(i % 2 == 0 ? 401 : 503);
  auto error = run(script);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind(), ErrorKind::server);
  EXPECT_LT(served_, 40);
}

}  // namespace
}  // namespace tributary
