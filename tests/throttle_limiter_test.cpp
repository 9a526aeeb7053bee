// Adaptive throttling as decisions: which limit a 429 blames, one decrease per episode, recovery
// within a minute, the 429 retry budget, and the policy as the connector file states it. Time is
// a fake clock the tests move; nothing here sleeps.
#include <gtest/gtest.h>

#include <random>
#include <tuple>
#include <sstream>

#include "http/rate_limiter.hpp"
#include "http/retry.hpp"

namespace tributary::http {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Clock = RateLimiter::Clock;

// ---------------------------------------------------------------------------------------------
// blame: which limit a 429 speaks against

struct BlameCase {
  const char* name;
  ThrottleEvidence evidence;
  Blame expected;
};

ThrottleEvidence ev(bool old, int in_flight, int window, std::optional<int> rate_cut, std::optional<int> conc_cut) {
  return ThrottleEvidence{old, in_flight, window, rate_cut, conc_cut};
}

TEST(ThrottleBlame, Table) {
  const std::vector<BlameCase> cases = {
      {"started before the last decrease: answers the old limits", ev(true, 4, 90, 20, 2), Blame::same_episode},
      {"alone and nothing lowered yet: the rate", ev(false, 1, 50, {}, {}), Blame::rate},
      {"others in flight, nothing lowered yet: concurrency first", ev(false, 3, 50, {}, {}), Blame::concurrency},
      {"more in flight than the last concurrency cut", ev(false, 3, 5, 20, 2), Blame::concurrency},
      {"the interval already held the last rate cut", ev(false, 2, 20, 20, 2), Blame::rate},
      {"both risen above their cuts", ev(false, 3, 25, 20, 2), Blame::both},
      {"neither probing, others in flight", ev(false, 2, 10, 20, 2), Blame::concurrency},
      {"neither probing, alone", ev(false, 1, 10, 20, 2), Blame::rate},
      {"a retry refused again, nothing answered since the last decrease, limits at their cuts",
       ThrottleEvidence{false, 1, 20, 20, 2, true}, Blame::same_episode},
      {"a first attempt refused after a decrease: its own episode, answered or not", ev(false, 1, 20, 20, 2),
       Blame::rate},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(blame(c.evidence), c.expected) << c.name << ": got " << to_string(blame(c.evidence));
  }
}

// ---------------------------------------------------------------------------------------------
// recovered_limit: hold, then additive increase back to the configured value

TEST(ThrottleRecovery, HoldsThenRisesLinearlyAndIsBackWithinTheRecovery) {
  RateLimit p;  // hold 30 s, recovery 60 s
  struct Case {
    int ceiling, cut;
    milliseconds elapsed;
    int expected;
  };
  const std::vector<Case> cases = {
      {500, 100, 0ms, 100},      {500, 100, 29'999ms, 100}, {500, 100, 30'000ms, 100},
      {500, 100, 45'000ms, 300}, {500, 100, 59'999ms, 499}, {500, 100, 60'000ms, 500},
      {500, 100, 3'600'000ms, 500},
      {10, 2, 30'000ms, 2},      {10, 2, 33'750ms, 3},      {10, 2, 60'000ms, 10},
      // Unlimited (0): rises towards twice the cut, then the limit is lifted.
      {0, 4, 45'000ms, 6},       {0, 4, 60'000ms, 0},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(recovered_limit(c.ceiling, c.cut, c.elapsed, p), c.expected)
        << "ceiling " << c.ceiling << ", cut " << c.cut << ", " << c.elapsed.count() << " ms after";
  }
  RateLimit no_hold{.recovery_hold = 0ms, .recovery = 10'000ms};
  EXPECT_EQ(recovered_limit(10, 2, 5'000ms, no_hold), 6);
}

// ---------------------------------------------------------------------------------------------
// RateLimiter driven by a fake clock

class FakeClock {
 public:
  Clock::time_point now() const { return now_; }
  void advance(milliseconds d) { now_ += d; }
  RateLimiter::Now fn() {
    return [this] { return now_; };
  }

 private:
  Clock::time_point now_ = Clock::time_point{} + 1h;
};

class Limiter : public ::testing::Test {
 protected:
  RateLimiter::Permit take(RateLimiter& l) {
    auto p = l.try_acquire();
    EXPECT_TRUE(p.has_value()) << "the limiter refused a permit it should give";
    if (!p) throw std::runtime_error("no permit");
    return std::move(*p);
  }
  // `n` requests one after the other, each answered 2xx.
  void succeed(RateLimiter& l, int n) {
    for (int i = 0; i < n; ++i) {
      auto p = take(l);
      l.on_success(p);
      clock_.advance(1ms);
    }
  }
  FakeClock clock_;
};

TEST_F(Limiter, OneDecreasePerThrottleEpisode) {
  RateLimiter l({.requests_per_interval = 100, .interval = 60'000ms, .max_concurrent = 4}, nullptr, clock_.fn());
  std::vector<RateLimiter::Permit> flight;
  for (int i = 0; i < 4; ++i) flight.push_back(take(l));  // 1, 2, 3 and 4 in flight at their starts
  EXPECT_FALSE(l.try_acquire().has_value()) << "a fifth in flight";

  clock_.advance(5ms);
  auto first = l.on_throttled(flight[3], std::nullopt);
  EXPECT_EQ(first.blame, Blame::concurrency);
  EXPECT_EQ(first.after, (Limits{100, 3})) << "refused as the 4th at once: at most 3 fit";
  // The same burst's other refusals started before that decrease: they change nothing.
  for (int i : {2, 1, 0}) {
    auto again = l.on_throttled(flight[i], std::nullopt);
    EXPECT_EQ(again.blame, Blame::same_episode) << "permit " << i;
    EXPECT_EQ(l.limits(), (Limits{100, 3}));
  }
  flight.clear();

  // A request started after the decrease, refused with 2 of ours in flight: the next episode.
  clock_.advance(5ms);
  auto a = take(l);
  auto b = take(l);
  l.on_success(a);  // answered: the lowered limits are being tried
  auto second = l.on_throttled(b, std::nullopt);
  EXPECT_EQ(second.blame, Blame::concurrency);
  EXPECT_EQ(second.after, (Limits{100, 1}));
  EXPECT_FALSE(l.try_acquire().has_value()) << "one in flight is the limit now";
}

TEST(ThrottleDecrease, Table) {
  struct Case {
    int current, admitted, in_window, expected;
  };
  // Rate: what the source admitted, but at most halved per episode, never 0.
  for (auto c : std::vector<Case>{{500, 20, 21, 250}, {250, 20, 21, 125}, {31, 20, 21, 20}, {20, 20, 20, 20},
                                  {21, 20, 21, 20},   {100, 0, 0, 50},    {1, 0, 0, 1},      {0, 7, 9, 7},
                                  {0, 0, 9, 5},       {0, 0, 0, 1}}) {
    EXPECT_EQ(lowered_rate(c.current, c.admitted, c.in_window), c.expected)
        << "rate " << c.current << ", admitted " << c.admitted << ", in window " << c.in_window;
  }
  // Concurrency: one fewer than were in flight when the refused request started, never 0.
  for (auto [current, in_flight, expected] : std::vector<std::tuple<int, int, int>>{
           {10, 4, 3}, {3, 3, 2}, {2, 2, 1}, {1, 1, 1}, {3, 1, 1}, {0, 5, 4}, {2, 9, 2}}) {
    EXPECT_EQ(lowered_concurrency(current, in_flight), expected) << "limit " << current << ", in flight " << in_flight;
  }
}

TEST_F(Limiter, RefusalsAloneConvergeOnWhatTheSourceAdmitsOneStepPerEpisode) {
  RateLimiter l({.requests_per_interval = 500, .interval = 5'000ms, .max_concurrent = 10}, nullptr, clock_.fn());
  const auto first_answer = clock_.now();
  succeed(l, 20);
  // Each episode: a refusal lowers the rate, the same request's retries refused while the
  // source's interval drains lower nothing more, and an answer to one started after the cut
  // closes the episode. Admitted answers grow by one an episode: 20, 21, 22, 23, 24.
  for (int expected : {250, 125, 62, 31, 24}) {
    auto alone = take(l);
    clock_.advance(1ms);
    auto out = l.on_throttled(alone, std::nullopt);
    EXPECT_EQ(out.blame, Blame::rate);
    EXPECT_EQ(out.after, (Limits{expected, 10}));
    if (expected == 24) break;  // as many admitted as the rate: no retry can start
    for (int retry = 0; retry < 3; ++retry) {
      auto again = take(l);
      clock_.advance(1ms);
      EXPECT_EQ(l.on_throttled(again, std::nullopt, true).blame, Blame::same_episode) << "retry " << retry;
      EXPECT_EQ(l.limits(), (Limits{expected, 10}));
    }
    succeed(l, 1);
  }
  EXPECT_FALSE(l.try_acquire().has_value()) << "the interval is full; the refused ones do not count";
  // Room comes back exactly as the oldest admitted answer leaves the interval.
  clock_.advance(std::chrono::duration_cast<milliseconds>(first_answer + 5'000ms - clock_.now()) - 1ms);
  EXPECT_FALSE(l.try_acquire().has_value());
  clock_.advance(1ms);
  EXPECT_TRUE(l.try_acquire().has_value());
}

TEST_F(Limiter, RefusedRetriesCountAsANewEpisodeOnceRecoveryHasBegun) {
  RateLimiter l({.requests_per_interval = 20, .interval = 5'000ms, .max_concurrent = 10}, nullptr, clock_.fn());
  succeed(l, 10);
  l.on_throttled(take(l), std::nullopt);
  ASSERT_EQ(l.limits().requests_per_interval, 10);
  clock_.advance(29'000ms);  // the interval has drained
  EXPECT_EQ(l.on_throttled(take(l), std::nullopt, true).blame, Blame::same_episode) << "still holding, nothing answered";
  clock_.advance(11'000ms);  // rising: nothing answered, yet the limit is probing again
  auto out = l.on_throttled(take(l), std::nullopt, true);
  EXPECT_EQ(out.blame, Blame::rate);
  EXPECT_EQ(out.after.requests_per_interval, 6) << "13 halved: the source admitted none of ours in the interval";
}

TEST_F(Limiter, LimitsAreBackWithinAMinuteOfTheLast429) {
  RateLimiter l({.requests_per_interval = 100, .interval = 60'000ms, .max_concurrent = 10}, nullptr, clock_.fn());
  succeed(l, 50);
  l.on_throttled(take(l), std::nullopt);
  ASSERT_EQ(l.limits().requests_per_interval, 50);
  clock_.advance(29'000ms);
  EXPECT_EQ(l.limits().requests_per_interval, 50) << "holds first";
  clock_.advance(16'000ms);  // 45 s after the 429: halfway up
  EXPECT_EQ(l.limits().requests_per_interval, 75);
  clock_.advance(15'000ms);  // 60 s after it
  EXPECT_EQ(l.limits(), (Limits{100, 10}));
}

TEST_F(Limiter, AProbeAboveTheLastRateCutIsBlamedOnTheRateAndRestartsRecovery) {
  RateLimiter l({.requests_per_interval = 20, .interval = 60'000ms, .max_concurrent = 10}, nullptr, clock_.fn());
  succeed(l, 10);
  l.on_throttled(take(l), std::nullopt);
  ASSERT_EQ(l.limits().requests_per_interval, 10);
  clock_.advance(40'000ms);  // rising: 10 + 10 * 10/30
  ASSERT_EQ(l.limits().requests_per_interval, 13);
  auto first = take(l);
  auto probe = take(l);  // the 12th in the interval, with another in flight
  auto out = l.on_throttled(probe, std::nullopt);
  EXPECT_EQ(out.blame, Blame::rate) << "the interval already held the rate the source accepted";
  EXPECT_EQ(out.after, (Limits{10, 10})) << "what it admitted: the 10 answered; concurrency untouched";
  clock_.advance(59'999ms);
  EXPECT_LT(l.limits().requests_per_interval, 20);
  clock_.advance(1ms);
  EXPECT_EQ(l.limits().requests_per_interval, 20) << "a minute after the last decrease";
}

TEST_F(Limiter, RetryAfterPausesEveryRequest) {
  RateLimiter l({.requests_per_interval = 0, .interval = 60'000ms, .max_concurrent = 0}, nullptr, clock_.fn());
  auto p = take(l);
  l.on_throttled(p, 2'000ms);
  EXPECT_FALSE(l.try_acquire().has_value());
  clock_.advance(1'999ms);
  EXPECT_FALSE(l.try_acquire().has_value());
  clock_.advance(1ms);
  EXPECT_TRUE(l.try_acquire().has_value());
}

TEST(LimiterPolicy, Prints) {
  std::ostringstream os;
  os << RateLimit{};
  EXPECT_EQ(os.str(), "RateLimit{500 per 60000ms, concurrent=10, hold=30000ms, recovery=60000ms, shared=yes}");
}

// ---------------------------------------------------------------------------------------------
// The retry budgets: 5xx/network by count, 429 by time

// Retries one request refused by 429 every time, `round_trip` per answer and the policy's delays
// (the largest or the smallest jitter can pick), until the budget says stop; how long it tried.
milliseconds throttled_for(const RetryPolicy& p, milliseconds round_trip, bool longest_delays) {
  std::mt19937_64 rng(1);
  RetrySpend spent;
  auto t = Clock::time_point{} + 1h;
  const auto first = t;
  while (budget_left(p, spent, RetryReason::throttled, t)) {
    RetryPolicy capped = p;
    capped.max_delay = std::min(p.max_delay, p.throttle_max_delay);
    auto delay = longest_delays ? backoff_ceiling(capped, spent.throttled_retries) : 0ms;
    EXPECT_LE(retry_delay(p, spent, RetryReason::throttled, std::nullopt, rng), backoff_ceiling(capped, spent.throttled_retries));
    spent.add(RetryReason::throttled, t);
    t += delay + round_trip;
  }
  return std::chrono::duration_cast<milliseconds>(t - first);
}

TEST(ThrottleBudget, SpansAtLeastAMinuteWhateverTheJitterPicks) {
  RetryPolicy p;  // defaults, as config/quickbooks.yaml states them
  for (bool longest : {false, true}) {
    for (auto rtt : {10ms, 200ms, 2'000ms}) {
      auto tried = throttled_for(p, rtt, longest);
      EXPECT_GE(tried, 60'000ms) << "round trip " << rtt.count() << " ms, longest delays " << longest;
      EXPECT_LE(tried, p.throttle_budget + p.throttle_max_delay + rtt) << "bounded too";
    }
  }
}

TEST(ThrottleBudget, FiveXxAnd429BudgetsAreSeparate) {
  RetryPolicy p;
  RetrySpend spent;
  auto t = Clock::time_point{} + 1h;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(budget_left(p, spent, RetryReason::throttled, t)) << "429 retry " << i;
    spent.add(RetryReason::throttled, t);
    t += 1s;
  }
  for (int i = 0; i < p.max_retries; ++i) {
    ASSERT_TRUE(budget_left(p, spent, RetryReason::transient, t)) << "50 429s spent none of max_retries";
    spent.add(RetryReason::transient, t);
  }
  EXPECT_FALSE(budget_left(p, spent, RetryReason::transient, t));
  EXPECT_TRUE(budget_left(p, spent, RetryReason::throttled, t)) << "5xx retries spent none of the 429 budget";
  t += p.throttle_budget;
  EXPECT_FALSE(budget_left(p, spent, RetryReason::throttled, t));
}

TEST(ThrottleBudget, DelaysAreCappedAndRetryAfterIsHonoured) {
  RetryPolicy p;
  p.base_delay = 1'000ms;
  std::mt19937_64 rng(3);
  RetrySpend deep;
  deep.throttled_retries = 30;
  deep.retries = 3;
  for (int i = 0; i < 200; ++i) {
    ASSERT_LE(retry_delay(p, deep, RetryReason::throttled, std::nullopt, rng), p.throttle_max_delay);
    ASSERT_LE(retry_delay(p, deep, RetryReason::transient, std::nullopt, rng), 8'000ms) << "2^3 s: its own count";
  }
  EXPECT_EQ(retry_delay(p, deep, RetryReason::throttled, 30'000ms, rng), 30'000ms);
  EXPECT_EQ(retry_delay(p, deep, RetryReason::throttled, 900'000ms, rng), p.max_retry_after);
  RetryPolicy none = p;
  none.throttle_budget = 0ms;
  EXPECT_FALSE(budget_left(none, RetrySpend{}, RetryReason::throttled, Clock::now())) << "0 = never retry a 429";
}

TEST(ThrottleBudget, PolicyPrints) {
  std::ostringstream os;
  os << RetryPolicy{};
  EXPECT_NE(os.str().find("429s for 120000ms (cap 10000ms)"), std::string::npos) << os.str();
}

}  // namespace
}  // namespace tributary::http
