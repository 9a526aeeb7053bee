// The OAuth rotation window: a token request that times out may still have rotated the refresh
// token at the endpoint. The retry then carries a token the endpoint has already replaced; that
// cannot be avoided (Intuit keeps no grace period), so it must be said clearly, once, with no
// token in the words.
#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

#include "http/oauth.hpp"

namespace tributary::http {
namespace {

using namespace std::chrono_literals;

const std::string kRefresh = "rt-SECRET-refresh-5be1";
const std::string kRotated = "rt-SECRET-rotated-77c0";
const std::string kClientSecret = "cs-SECRET-client-01aa";

class MemoryTokenStore final : public TokenStore {
 public:
  void exchange(const std::string&, const Exchange& exchange) override {
    if (auto next = exchange(stored)) stored = next;
  }
  std::optional<StoredRefreshToken> stored;
};

// A token endpoint that rotates on the first request but never answers it (the client times out),
// then refuses the old token as Intuit does.
class RotatingEndpoint {
 public:
  RotatingEndpoint() {
    server_.Post("/token", [this](const httplib::Request& req, httplib::Response& res) {
      std::unique_lock lock(mutex_);
      int n = ++requests_;
      if (n == 1) {
        rotated_ = true;  // the new token exists only in the answer that will be lost
        // Held until the test has seen the client give up (bounded, so a failing test ends).
        released_.wait_for(lock, 30s, [this] { return release_; });
        res.status = 200;
        res.set_content(R"({"access_token":"at","refresh_token":")" + kRotated + R"(","expires_in":3600})",
                        "application/json");
        return;
      }
      bool old_token = req.body.find(kRefresh) != std::string::npos;
      res.status = rotated_ && old_token ? 400 : 200;
      res.set_content(res.status == 400 ? R"({"error":"invalid_grant"})" : R"({"access_token":"at","expires_in":3600})",
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  }
  ~RotatingEndpoint() {
    {
      std::lock_guard lock(mutex_);
      release_ = true;
    }
    released_.notify_all();
    server_.stop();
    thread_.join();
  }
  bool running() { return server_.is_running(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/token"; }
  int requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable released_;
  bool release_ = false;
  bool rotated_ = false;
  int requests_ = 0;
};

// Routes spdlog's default logger into a string for the scope, at the most verbose level.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(text_));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return text_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream text_;
};

TEST(OAuthRotationWindow, ATimedOutRefreshIsRetriedOnceSaidClearlyAndNeverShowsAToken) {
  RotatingEndpoint endpoint;
  ASSERT_TRUE(endpoint.running()) << "the endpoint did not start within its deadline";
  CapturedLog log;
  MemoryTokenStore store;
  OAuthSettings s;
  s.token_url = endpoint.url();
  s.client_id = "client";
  s.client_secret = Secret(kClientSecret);
  s.refresh_token = Secret(kRefresh);
  s.store_key = "test:realm";
  s.retry.max_retries = 3;
  s.retry.base_delay = 1ms;
  s.retry.max_delay = 5ms;
  OAuthRefresher refresher(s, store);
  HttpClient client(HttpOptions{.connect_timeout = 5'000ms, .total_timeout = 300ms});
  HttpRequest request;
  std::string message;
  try {
    refresher.apply(request, client);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::auth);
    message = e.what();
  }
  EXPECT_EQ(endpoint.requests(), 2) << "one timed out attempt, one retry refused; nothing more";
  EXPECT_NE(message.find("invalid_grant"), std::string::npos) << message;
  EXPECT_NE(message.find("earlier attempt that timed out"), std::string::npos) << message;
  auto text = log.text();
  const std::string warning = "the token request timed out";
  ASSERT_NE(text.find(warning), std::string::npos) << text;
  EXPECT_EQ(text.find(warning, text.find(warning) + 1), std::string::npos) << "said more than once:\n" << text;
  EXPECT_NE(text.find("OAuth rotation window"), std::string::npos) << text;
  for (const auto& secret : {kRefresh, kRotated, kClientSecret}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
    EXPECT_EQ(message.find(secret), std::string::npos) << message;
  }
  EXPECT_FALSE(store.stored.has_value()) << "nothing is stored from a refused exchange";
}

}  // namespace
}  // namespace tributary::http
