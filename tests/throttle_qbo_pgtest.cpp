// A realm with less room than the connector file assumes: fewer requests per interval than
// configured, or only 2 of its concurrent slots free with slow answers. The backfill has to find
// the room by itself (QuickBooks' 429 does not say which limit it hit) and still finish exactly,
// with no window failed. How much of the room it uses is a speed figure:
// scripts/bench-throttle.sh prints it; nothing here measures time.
#include "tests/support/qbo_fixture.hpp"

namespace tributary::testing {
namespace {

constexpr const char* kStart = "2024-01-01";
constexpr const char* kEnd = "2024-02-01";

void expect_exact_with_no_window_failed(const ProcessResult& r, long long mismatched) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mismatched, 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status <> 'done'"), 0)
      << text("SELECT string_agg(status || ': ' || coalesce(last_error, ''), '; ') FROM state.windows");
  EXPECT_GT(scalar("SELECT count(*) FROM state.windows"), 0);
}

// The realm admits 12 requests in any moving 2 s; the client is configured for 500 per 2 s.
class RealmWithFewerRequestsPerInterval : public QboPgTest {
 protected:
  static constexpr int kIntervalMs = 2'000;
  static constexpr int kAllowed = 12;
  mock::QboMockOptions mock_options() const override {
    auto o = QboPgTest::mock_options();
    o.max_requests_per_minute = kAllowed;
    o.rate_interval_ms = kIntervalMs;
    return o;
  }
};

TEST_F(RealmWithFewerRequestsPerInterval, BackfillFindsTheRateAndFinishesExactly) {
  auto r = tributary(backfill_args(kStart, kEnd, {"--stream", "invoices", "--page-size", "10"}),
                     {{"QBO_RATE_INTERVAL_MS", std::to_string(kIntervalMs)}, {"QBO_REQUESTS_PER_MINUTE", "500"}});
  expect_exact_with_no_window_failed(r, mismatches("Invoice", "raw.qbo_invoices", kStart, kEnd));
  auto s = mock_->stats();
  EXPECT_GT(s.throttled, 0) << "the realm never refused: the scenario did not happen";
  EXPECT_GT(s.query_requests - s.throttled, 2 * kAllowed) << "the run needed several intervals";
  // Which limit the refusals are blamed on depends on how fast this machine answers: on busy
  // cores one request in flight can already stay under the realm's rate. Either way a limit was
  // lowered; the blame for each piece of evidence is the unit tests' (ThrottleBlame.Table).
  EXPECT_NE(r.err.find("HTTP 429 blamed on"), std::string::npos) << r.err;
}

// Other apps hold 8 of the realm's 10 slots: 2 are free, and every answer takes 200 ms.
class RealmWithTwoFreeSlots : public QboPgTest {
 protected:
  mock::QboMockOptions mock_options() const override {
    auto o = QboPgTest::mock_options();
    o.max_concurrent_requests = 2;
    o.latency_ms = 200;
    return o;
  }
};

TEST_F(RealmWithTwoFreeSlots, BackfillFindsTheConcurrencyAndFinishesExactly) {
  auto r = backfill(kStart, kEnd, {"--stream", "invoices", "--page-size", "25", "--workers", "4"});
  expect_exact_with_no_window_failed(r, mismatches("Invoice", "raw.qbo_invoices", kStart, kEnd));
  auto s = mock_->stats();
  EXPECT_GT(s.throttled, 0) << "4 workers never met the 2 free slots: the scenario did not happen";
  EXPECT_NE(r.err.find("HTTP 429 blamed on concurrency"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tributary::testing
