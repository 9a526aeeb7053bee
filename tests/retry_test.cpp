// Retry policy (classification, capped full-jitter backoff, Retry-After) and the rate limiter.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/date_time/posix_time/posix_time.hpp>
#include <chrono>
#include <future>
#include <random>
#include <set>
#include <thread>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "http/rate_limiter.hpp"
#include "http/retry.hpp"

namespace tributary::http {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
namespace pt = boost::posix_time;
namespace gr = boost::gregorian;

// ---------------------------------------------------------------------------------------------
// classify_status

struct StatusCase {
  int status;
  Verdict verdict;
};

void PrintTo(const StatusCase& c, std::ostream* os) { *os << c.status; }

class Classify : public ::testing::TestWithParam<StatusCase> {};

TEST_P(Classify, DefaultPolicy) {
  EXPECT_EQ(classify_status(GetParam().status, RetryPolicy{}), GetParam().verdict)
      << "status " << GetParam().status;
}

INSTANTIATE_TEST_SUITE_P(
    Retry, Classify,
    ::testing::Values(StatusCase{200, Verdict::success}, StatusCase{201, Verdict::success},
                      StatusCase{204, Verdict::success}, StatusCase{401, Verdict::refresh_auth},
                      StatusCase{429, Verdict::retry}, StatusCase{500, Verdict::retry},
                      StatusCase{502, Verdict::retry}, StatusCase{503, Verdict::retry},
                      StatusCase{504, Verdict::retry}, StatusCase{400, Verdict::fail},
                      StatusCase{403, Verdict::fail}, StatusCase{404, Verdict::fail},
                      StatusCase{422, Verdict::fail}, StatusCase{501, Verdict::fail},
                      StatusCase{301, Verdict::fail}));

TEST(Retry, CustomRetryStatusesReplaceTheDefaults) {
  RetryPolicy p;
  p.retry_statuses = {408, 503};
  EXPECT_EQ(classify_status(408, p), Verdict::retry);
  EXPECT_EQ(classify_status(503, p), Verdict::retry);
  EXPECT_EQ(classify_status(429, p), Verdict::fail);
  EXPECT_EQ(classify_status(500, p), Verdict::fail);
  EXPECT_EQ(classify_status(200, p), Verdict::success);
  EXPECT_EQ(classify_status(401, p), Verdict::refresh_auth);
}

// ---------------------------------------------------------------------------------------------
// Backoff

TEST(Retry, BackoffCeilingDoublesUpToTheCap) {
  RetryPolicy p;
  p.base_delay = 1000ms;
  p.max_delay = 10'000ms;
  const std::vector<std::pair<int, long long>> expected = {
      {0, 1000}, {1, 2000}, {2, 4000}, {3, 8000}, {4, 10'000}, {5, 10'000}, {60, 10'000}};
  for (auto [retry, ms] : expected) {
    EXPECT_EQ(backoff_ceiling(p, retry).count(), ms) << "retry " << retry;
  }
}

TEST(Retry, BackoffCeilingWithZeroBaseStaysZero) {
  RetryPolicy p;
  p.base_delay = 0ms;
  EXPECT_EQ(backoff_ceiling(p, 10).count(), 0);
  std::mt19937_64 rng(1);
  EXPECT_EQ(backoff_delay(p, 10, rng).count(), 0);
}

TEST(Retry, BackoffDelayIsFullJitterWithinTheCeiling) {
  RetryPolicy p;
  p.base_delay = 100ms;
  p.max_delay = 1'000ms;
  std::mt19937_64 rng(42);
  for (int retry : {0, 1, 3, 10}) {
    const auto ceiling = backoff_ceiling(p, retry);
    std::set<long long> seen;
    auto low = ceiling.count();
    decltype(low) high = 0;
    for (int i = 0; i < 2000; ++i) {
      auto d = backoff_delay(p, retry, rng);
      ASSERT_GE(d.count(), 0) << "retry " << retry;
      ASSERT_LE(d, ceiling) << "retry " << retry;
      seen.insert(d.count());
      low = std::min(low, d.count());
      high = std::max(high, d.count());
    }
    EXPECT_GT(seen.size(), 20u) << "retry " << retry << ": delays barely vary";
    // Full jitter spreads over the whole range, not just near the ceiling.
    EXPECT_LT(low, ceiling.count() / 10) << "retry " << retry;
    EXPECT_GT(high, ceiling.count() * 9 / 10) << "retry " << retry;
  }
}

// ---------------------------------------------------------------------------------------------
// Retry-After

const Timestamp kNow(gr::date(2015, 10, 21), pt::hours(7) + pt::minutes(27) + pt::seconds(30));

TEST(Retry, RetryAfterDeltaSeconds) {
  EXPECT_EQ(parse_retry_after("0", kNow), milliseconds(0));
  EXPECT_EQ(parse_retry_after("7", kNow), milliseconds(7000));
  EXPECT_EQ(parse_retry_after("120", kNow), milliseconds(120'000));
}

TEST(Retry, RetryAfterHttpDateIsRelativeToNow) {
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", kNow), milliseconds(30'000));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 08:27:30 GMT", kNow), milliseconds(3'600'000));
  // A date already past means "now", never a negative sleep.
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", kNow), milliseconds(0));
}

TEST(Retry, RetryAfterGarbageIsIgnored) {
  for (const char* v : {"", "soon", "-5", "1.5", " 5", "5s", "Wed, 21 Oct 2015 07:28:00",
                        "Wed, 21 Oct 2015 07:28:00 GMT extra", "2015-10-21T07:28:00Z"}) {
    EXPECT_EQ(parse_retry_after(v, kNow), std::nullopt) << "'" << v << "'";
  }
}

TEST(Retry, RetryAfterTooLargeForANumberIsNotAnImmediateRetry) {
  // A server asking us to wait "forever" must not be read as "retry right now".
  auto d = parse_retry_after("99999999999999999999", kNow);
  EXPECT_TRUE(!d.has_value() || *d >= milliseconds(3'600'000))
      << "parsed as " << d->count() << "ms";
}

TEST(Retry, DelayBeforeRetryHonoursRetryAfterAndCapsIt) {
  RetryPolicy p;
  p.base_delay = 100ms;
  p.max_delay = 400ms;
  p.max_retry_after = 30'000ms;
  std::mt19937_64 rng(7);
  EXPECT_EQ(delay_before_retry(p, 0, 5'000ms, rng), 5'000ms);
  EXPECT_EQ(delay_before_retry(p, 3, 0ms, rng), 0ms);
  EXPECT_EQ(delay_before_retry(p, 0, 600'000ms, rng), 30'000ms);  // capped
  for (int i = 0; i < 100; ++i) {
    auto d = delay_before_retry(p, 2, std::nullopt, rng);  // no header: backoff
    ASSERT_GE(d, 0ms);
    ASSERT_LE(d, 400ms);
  }
}

TEST(Retry, DelayBeforeRetryIgnoresRetryAfterWhenTold) {
  RetryPolicy p;
  p.base_delay = 100ms;
  p.max_delay = 400ms;
  p.honour_retry_after = false;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100; ++i) {
    auto d = delay_before_retry(p, 1, 60'000ms, rng);
    ASSERT_GE(d, 0ms);
    ASSERT_LE(d, 200ms);
  }
}

// ---------------------------------------------------------------------------------------------
// RateLimiter

using Clock = std::chrono::steady_clock;

milliseconds since(Clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t);
}

TEST(RateLimiter, ConcurrencyLimitBlocksUntilAPermitIsReleased) {
  RateLimiter limiter({.requests_per_interval = 0, .interval = 1000ms, .max_concurrent = 2});
  std::optional<RateLimiter::Permit> a(limiter.acquire());
  std::optional<RateLimiter::Permit> b(limiter.acquire());
  EXPECT_EQ(limiter.in_flight(), 2);

  std::atomic<bool> third_acquired{false};
  auto third = std::async(std::launch::async, [&] {
    auto p = limiter.acquire();
    third_acquired = true;
    return limiter.in_flight();
  });
  EXPECT_EQ(third.wait_for(150ms), std::future_status::timeout);
  EXPECT_FALSE(third_acquired.load());

  a.reset();
  // A deadline, not a timing: a busy machine may take a while to run the woken thread.
  ASSERT_EQ(third.wait_for(5'000ms), std::future_status::ready) << "release did not unblock";
  EXPECT_TRUE(third_acquired.load());
  EXPECT_EQ(third.get(), 2);  // b and the third
  b.reset();
  EXPECT_EQ(limiter.in_flight(), 0);
}

TEST(RateLimiter, FourthStartWaitsForTheFirstToLeaveTheInterval) {
  RateLimiter limiter({.requests_per_interval = 3, .interval = 300ms, .max_concurrent = 0});
  const auto first = Clock::now();
  for (int i = 0; i < 3; ++i) limiter.acquire();  // permits released at once
  limiter.acquire();
  // The fourth start cannot come before the first has left the 300 ms interval (a lower bound
  // only: how much later it comes depends on how busy the machine is).
  EXPECT_GE(since(first), 300ms);
}

TEST(RateLimiter, StopRequestInterruptsABlockedAcquire) {
  StopFlag stop;
  RateLimiter limiter({.requests_per_interval = 0, .interval = 1000ms, .max_concurrent = 1}, &stop);
  auto held = limiter.acquire();
  auto blocked = std::async(std::launch::async, [&] {
    try {
      limiter.acquire();
      return std::string("acquired");
    } catch (const Error& e) {
      return std::string(to_string(e.kind()));
    }
  });
  ASSERT_EQ(blocked.wait_for(100ms), std::future_status::timeout);
  stop.request_stop();
  // Nothing else would ever free the slot, so ready at all means the stop request ended the wait;
  // the deadline is generous for a busy machine.
  ASSERT_EQ(blocked.wait_for(5'000ms), std::future_status::ready) << "stop was not noticed";
  EXPECT_EQ(blocked.get(), "interrupted");
}

TEST(RateLimiter, StopRequestInterruptsAPause) {
  StopFlag stop;
  RateLimiter limiter({.requests_per_interval = 10, .interval = 1000ms, .max_concurrent = 0}, &stop);
  limiter.pause(10'000ms);
  auto paused = std::async(std::launch::async, [&] {
    try {
      limiter.acquire();
      return std::string("acquired");
    } catch (const Error& e) {
      return std::string(to_string(e.kind()));
    }
  });
  // Still waiting: the pause is 10 s. (A slow start only makes this more certain.)
  ASSERT_EQ(paused.wait_for(100ms), std::future_status::timeout) << "acquired during a pause";
  stop.request_stop();
  // Ready long before the pause would have ended: the stop request, not the clock, ended it.
  ASSERT_EQ(paused.wait_for(5'000ms), std::future_status::ready) << "stop was not noticed";
  EXPECT_EQ(paused.get(), "interrupted");
}

}  // namespace
}  // namespace tributary::http
