// The source misbehaving: throttling, outages, dropped connections, slow and malformed
// answers, expiring and revoked tokens. Survived where retrying helps, failed cleanly where not.
#include <signal.h>

#include <thread>

#include "tests/support/qbo_fixture.hpp"

namespace tributary::testing {
namespace {

constexpr const char* kStart = "2024-01-01";
constexpr const char* kEnd = "2024-02-01";

class QboFaults : public QboPgTest {
 protected:
  mock::FaultRule rule(int status, int times, int skip = 0) {
    mock::FaultRule r;
    r.status = status;
    r.times = times;
    r.skip = skip;
    return r;
  }
};

TEST_F(QboFaults, SurvivesThrottlingOutagesDroppedConnectionsAndSlowAnswers) {
  auto throttle = rule(429, 3, 1);
  throttle.retry_after_seconds = 1;
  mock_->add_fault(throttle);
  mock_->add_fault(rule(500, 2, 2));
  mock_->add_fault(rule(502, 1, 1));
  mock_->add_fault(rule(503, 2, 3));  // an HTML outage page
  mock_->add_fault(rule(504, 1, 1));
  auto drop = rule(0, 2, 2);
  drop.drop_connection = true;
  mock_->add_fault(drop);
  auto slow = rule(0, 3, 1);
  slow.delay_ms = 300;
  mock_->add_fault(slow);

  auto r = backfill(kStart, kEnd, {"--stream", "invoices"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", kStart, kEnd), 0);
  EXPECT_EQ(mock_->stats().by_status[429], 3);
  EXPECT_GE(mock_->stats().faults_served, 3 + 2 + 1 + 2 + 1 + 2);
  EXPECT_NE(r.err.find("retry"), std::string::npos);
}

TEST_F(QboFaults, AClientErrorFailsTheWindowAtOnceWithQbosFaultMessage) {
  mock_->add_fault(rule(400, 1));
  auto before = mock_->stats().query_requests;
  auto r = backfill(kStart, "2024-01-08", {"--stream", "items", "--workers", "1"});
  EXPECT_EQ(r.exit_code, 6);
  auto error = text("SELECT last_error FROM state.windows");
  EXPECT_NE(error.find("HTTP 400"), std::string::npos) << error;
  EXPECT_NE(error.find("ValidationFault"), std::string::npos) << error;
  EXPECT_NE(error.find("stream items, window [2024-01-01T00:00:00Z, 2024-01-08T00:00:00Z), page 1"), std::string::npos) << error;
  EXPECT_EQ(mock_->stats().query_requests - before, 1);  // a 400 is never retried
  EXPECT_EQ(count_rows("raw.qbo_items"), 0);
}

TEST_F(QboFaults, MalformedJsonFailsTheWindowWithNothingHalfWritten) {
  auto broken = rule(0, 1, 1);
  broken.malformed_json = true;
  mock_->add_fault(broken);
  auto r = backfill(kStart, "2024-01-08", {"--stream", "invoices", "--page-size", "10", "--workers", "1"});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_NE(r.err.find("malformed"), std::string::npos) << r.err;
  EXPECT_EQ(scalar("SELECT pages_loaded FROM state.windows"), 1);
  EXPECT_EQ(count_rows("raw.qbo_invoices"), 10);  // page 1 only: page 2 never half-lands
  EXPECT_NE(text("SELECT last_error FROM state.windows").find("page 2"), std::string::npos);
}

TEST_F(QboFaults, RetriesRunOutOnAPersistentOutage) {
  mock_->add_fault(rule(500, 1000));
  auto r = backfill(kStart, "2024-01-08", {"--stream", "items", "--workers", "1"});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_EQ(mock_->stats().by_status[500], 6);  // one try and five retries
  EXPECT_NE(text("SELECT last_error FROM state.windows").find("HTTP 500"), std::string::npos);
}

TEST_F(QboFaults, An401RefreshesTheTokenOnceAndCarriesOn) {
  mock_->add_fault(rule(401, 1, 2));
  auto r = backfill(kStart, kEnd, {"--stream", "items", "--workers", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mock_->stats().token_requests, 2);
  EXPECT_EQ(mismatches("Item", "raw.qbo_items", kStart, kEnd), 0);
}

TEST_F(QboFaults, ExpiredAccessTokensMidRunAreRefreshed) {
  // The second query is held by the mock, after it was counted and before its token is checked:
  // expiring the tokens while it is held makes it (and whatever else is in flight) meet an
  // expired token, however slowly this machine started the run.
  auto held = rule(0, 1, 1);
  held.delay_ms = 2000;
  mock_->add_fault(held);
  auto pid = spawn(binary(), backfill_args(kStart, kEnd, {"--stream", "invoices", "--page-size", "10"}), env(),
                   "/dev/null", "/dev/null");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto started = [&] {
    auto s = mock_->stats();
    return s.token_requests >= 1 && s.query_requests >= 2;
  };
  while (!started() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!started()) {
    kill(pid, SIGKILL);
    wait_exit(pid, std::chrono::seconds(10));
    FAIL() << "the run made no second query within a minute";
  }
  mock_->expire_access_tokens();
  ASSERT_EQ(wait_exit(pid, std::chrono::seconds(60)), 0);
  EXPECT_GE(mock_->stats().by_status[401], 1) << "no request met the expired token";
  EXPECT_GE(mock_->stats().token_requests, 2);
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", kStart, kEnd), 0);
}

TEST_F(QboFaults, RotatedRefreshTokenIsStoredAndPreferredOverTheEnvironments) {
  ASSERT_EQ(backfill(kStart, "2024-01-08", {"--stream", "items"}).exit_code, 0);
  EXPECT_EQ(text("SELECT refresh_token FROM state.oauth_tokens"), mock_->current_refresh_token());
  EXPECT_NE(mock_->current_refresh_token(), mock_options().initial_refresh_token);
  // The environment still holds the first token, which the rotation invalidated.
  auto r = backfill("2024-01-08", "2024-01-15", {"--stream", "items"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(text("SELECT refresh_token FROM state.oauth_tokens"), mock_->current_refresh_token());
}

TEST_F(QboFaults, TwoProcessesOnOneRealmShareTheRotatingToken) {
  // Without a cross-process lock both would refresh with the same token and one would be
  // refused (rotation invalidates it); with it, the second uses the token the first stored.
  ASSERT_EQ(tributary({"migrate"}).exit_code, 0);
  auto a = spawn(binary(), backfill_args(kStart, kEnd, {"--stream", "items"}), env(), "/dev/null", "/tmp/tributary-a.err");
  auto b = spawn(binary(), backfill_args(kStart, kEnd, {"--stream", "customers"}), env(), "/dev/null", "/tmp/tributary-b.err");
  EXPECT_EQ(wait_exit(a, std::chrono::seconds(60)), 0);
  EXPECT_EQ(wait_exit(b, std::chrono::seconds(60)), 0);
  EXPECT_EQ(mock_->stats().token_requests, 2);
  EXPECT_EQ(text("SELECT refresh_token FROM state.oauth_tokens"), mock_->current_refresh_token());
}

TEST_F(QboFaults, RevokedRefreshTokenFailsCleanlyWithNothingWritten) {
  mock_->revoke_refresh_tokens();
  auto r = backfill(kStart, kEnd);
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("invalid_grant"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Re-authorize"), std::string::npos) << r.err;
  EXPECT_EQ(count_rows("raw.qbo_invoices") + count_rows("raw.qbo_customers") + count_rows("raw.qbo_items"), 0);
  EXPECT_EQ(scalar("SELECT coalesce(sum(pages_loaded), 0) FROM state.windows"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.oauth_tokens"), 0);
  EXPECT_EQ(text("SELECT status FROM state.runs"), "failed");
}

TEST_F(QboFaults, SecretsNeverReachLogsOrState) {
  auto r = tributary(backfill_args(kStart, "2024-01-08", {"--stream", "items"}), {});
  auto verbose = tributary({"--log-level", "trace", "backfill", "--config", config_path(), "--start", kStart,
                            "--end", "2024-01-15", "--stream", "items"});
  ASSERT_EQ(verbose.exit_code, 0) << verbose.err;
  auto o = mock_options();
  for (const auto& out : {r.out + r.err, verbose.out + verbose.err}) {
    EXPECT_EQ(out.find(o.client_secret), std::string::npos);
    EXPECT_EQ(out.find(o.initial_refresh_token), std::string::npos);
    EXPECT_EQ(out.find(mock_->current_refresh_token()), std::string::npos);
    EXPECT_EQ(out.find("Bearer"), std::string::npos);
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE coalesce(last_error, '') LIKE '%" + o.client_secret + "%'"), 0);
}

}  // namespace
}  // namespace tributary::testing

namespace tributary::testing {
namespace {

class QboVolumetry : public QboPgTest {};

TEST_F(QboVolumetry, ACountMismatchFailsTheWindowWithBothNumbers) {
  mock_->skew_counts("Item", 2);
  auto r = backfill("2024-01-01", "2024-01-08", {"--stream", "items"});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_EQ(text("SELECT status FROM state.windows"), "failed");
  auto n = expected_records("Item", "2024-01-01", "2024-01-08");
  EXPECT_EQ(scalar("SELECT expected_count FROM state.windows"), n + 2);
  EXPECT_EQ(scalar("SELECT verified_count FROM state.windows"), n);
  auto error = text("SELECT last_error FROM state.windows");
  EXPECT_NE(error.find("volumetry: the source counts " + std::to_string(n + 2)), std::string::npos) << error;
  EXPECT_EQ(text("SELECT status FROM state.runs"), "failed");
  // The rows themselves are loaded and exact; the run is resumable once the source agrees.
  EXPECT_EQ(mismatches("Item", "raw.qbo_items", "2024-01-01", "2024-01-08"), 0);
  mock_->skew_counts("Item", 0);
  auto resumed = tributary({"resume", "--run", "1"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(text("SELECT status FROM state.windows"), "done");
}

}  // namespace
}  // namespace tributary::testing

namespace tributary::testing {
namespace {

class QboOutage : public QboPgTest {};

class QboLimits : public QboPgTest {
 protected:
  mock::QboMockOptions mock_options() const override {
    mock::QboMockOptions o;  // Intuit's real limits: 500 a minute, 10 at once
    return o;
  }
};

TEST_F(QboLimits, SixteenWorkersStayUnderTheRealmsConcurrencyLimit) {
  mock::FaultRule slow;  // slow answers make requests overlap
  slow.delay_ms = 20;
  slow.times = 1'000'000;
  mock_->add_fault(slow);
  auto r = backfill("2024-01-01", "2024-04-01", {"--stream", "invoices", "--workers", "16"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mock_->stats().throttled, 0);
  EXPECT_LE(mock_->stats().max_concurrent_seen, 10);
  EXPECT_GE(mock_->stats().max_concurrent_seen, 8);  // and it did use the parallelism it had
  EXPECT_EQ(mismatches("Invoice", "raw.qbo_invoices", "2024-01-01", "2024-04-01"), 0);
}

TEST_F(QboOutage, AnUnreachableSourceStopsTheRunInsteadOfFailingEveryWindowSlowly) {
  auto r = tributary(backfill_args("2024-01-01", "2024-07-01", {"--stream", "invoices", "--workers", "1"}),
                     {{"QBO_BASE_URL", "http://127.0.0.1:1"}, {"QBO_RETRY_BASE_MS", "1"}});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("3 windows in a row could not reach the source"), std::string::npos) << r.err;
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status = 'failed'"), 3);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status = 'pending'"), 23);
}

}  // namespace
}  // namespace tributary::testing
