// Limits shared by many processes, without a database: the rate log's arithmetic as tables and
// as a simulation of greedy processes measured at the source, the slot policy as a table, and the
// local share (SharedLimits) over an in-memory store. tests/shared_limits_pgtest.cpp runs the
// PostgreSQL store and three real processes.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <queue>
#include <random>
#include <thread>

#include "core/error.hpp"
#include "http/shared_limits.hpp"
#include "mock/qbo_limits.hpp"

namespace tributary::http {
namespace {

using namespace std::chrono_literals;
using std::chrono::microseconds;
using std::chrono::milliseconds;

RateLimit rate(int limit, milliseconds interval) {
  RateLimit r;
  r.requests_per_interval = limit;
  r.interval = interval;
  return r;
}

// The most of `times` (sorted) in any moving half-open window (t - interval, t], as the QBO mock counts.
int most_in_any_window(const std::vector<std::int64_t>& times, std::int64_t interval_us) {
  int best = 0;
  size_t first = 0;
  for (size_t i = 0; i < times.size(); ++i) {
    while (times[i] - times[first] >= interval_us) ++first;
    best = std::max(best, static_cast<int>(i - first + 1));
  }
  return best;
}

TEST(SharedRatePlan, Table) {
  struct Case {
    int limit;
    milliseconds interval;
    int batch;
    milliseconds lifetime, margin;
  };
  const std::vector<Case> cases = {
      {500, 60s, 5, 1500ms, 500ms}, {120, 60s, 5, 1500ms, 500ms}, {60, 60s, 3, 1500ms, 500ms},
      {100, 5s, 5, 125ms, 50ms},    {30, 3s, 1, 75ms, 30ms},      {1, 200ms, 1, 10ms, 5ms},
  };
  for (const auto& c : cases) {
    auto p = plan_shared_rate(rate(c.limit, c.interval));
    SCOPED_TRACE(::testing::Message() << c.limit << " per " << c.interval.count() << " ms: " << p);
    EXPECT_TRUE(p.enabled());
    EXPECT_EQ(p.batch, c.batch);
    EXPECT_EQ(p.token_lifetime, c.lifetime);
    EXPECT_EQ(p.transit_margin, c.margin);
    EXPECT_EQ(p.span(), c.interval + c.lifetime + c.margin);
  }
  EXPECT_FALSE(plan_shared_rate(rate(0, 60s)).enabled());
}

TEST(SharedRateLog, TakeTable) {
  SharedRatePlan p;  // 5 in any second, no lifetime or margin: span = 1 s
  p.limit = 5;
  p.interval = 1s;
  p.token_lifetime = p.transit_margin = 0ms;
  using Takes = std::vector<std::pair<std::int64_t, int>>;
  struct Case {
    const char* name;
    Takes log;
    std::int64_t now_us;
    int want, granted;
    Takes after;
    microseconds next_in;
  };
  const std::vector<Case> cases = {
      {"empty: a burst is fine; 3 more once these leave", {}, 0, 3, 3, {{0, 3}}, 1s},
      {"the rest of the limit; the first take must leave first", {{0, 3}}, 500'000, 3, 2, {{0, 3}, {500'000, 2}}, 500ms},
      {"a take leaves exactly a span later", {{0, 3}, {500'000, 2}}, 1'000'000, 5, 3, {{500'000, 2}, {1'000'000, 3}}, 1s},
      {"full: nothing until the oldest leaves", {{0, 5}}, 10, 1, 0, {{0, 5}}, 999'990us},
      {"a clock gone back stands at the last take", {{1'000, 2}}, 500, 1, 1, {{1'000, 3}}, 0us},
      {"wanting none takes none", {}, 0, 0, 0, {}, 0us},
      {"wanting more than the limit waits for the limit only", {{0, 1}}, 0, 9, 4, {{0, 5}}, 1s},
  };
  for (const auto& c : cases) {
    auto t = take_tokens(TakeLog{c.log}, c.now_us, c.want, p);
    EXPECT_EQ(t.granted, c.granted) << c.name;
    EXPECT_EQ(t.after.takes, c.after) << c.name;
    EXPECT_EQ(t.next_in, c.next_in) << c.name;
  }
}

TEST(SharedRateLog, ALongLogFoldsItsOldestTakesForward) {
  SharedRatePlan p = plan_shared_rate(rate(1'000'000, 60s));
  TakeLog log;
  for (int i = 0; i < 300; ++i) log = take_tokens(log, i, 1, p).after;
  EXPECT_LE(log.takes.size(), 200u);
  EXPECT_EQ(log.total(), 300);
  EXPECT_EQ(log.takes.back(), (std::pair<std::int64_t, int>{299, 1}));
}

TEST(SharedRateLog, StoredAsAFlatArrayOfPairs) {
  TakeLog log{{{1'700'000'000'000'000, 2}, {1'700'000'000'000'100, 5}}};
  EXPECT_EQ(to_array_literal(log), "{1700000000000000,2,1700000000000100,5}");
  EXPECT_EQ(parse_take_log(to_array_literal(log)), log);
  EXPECT_EQ(parse_take_log("{}"), TakeLog{});
  for (const char* bad : {"{1}", "{a,1}", "1,2", "{1,0}", "{1,2,}", ""}) {
    EXPECT_THROW(parse_take_log(bad), Error) << bad;
  }
}

// Three greedy processes take batches as soon as the log allows and spend each token at a
// random moment of its life (transit included); the source's count in any moving interval never
// passes the limit, and the log still delivers most of it.
TEST(SharedRateLog, GreedyProcessesNeverOverdrawAnyMovingInterval) {
  std::mt19937_64 rng(7);
  for (auto [limit, interval] : std::vector<std::pair<int, milliseconds>>{
           {500, 60s}, {120, 6s}, {30, 3s}, {7, 1s}, {1, 500ms}}) {
    auto p = plan_shared_rate(rate(limit, interval));
    const std::int64_t interval_us = std::chrono::duration_cast<microseconds>(interval).count();
    const std::int64_t life_us = std::chrono::duration_cast<microseconds>(p.token_lifetime + p.transit_margin).count();
    const std::int64_t end_us = 30 * interval_us;
    TakeLog log;
    std::vector<std::int64_t> arrivals;
    using Ask = std::pair<std::int64_t, int>;  // when, which process
    std::priority_queue<Ask, std::vector<Ask>, std::greater<>> asks;
    for (int proc = 0; proc < 3; ++proc) asks.push({proc * 137, proc});
    while (!asks.empty() && asks.top().first < end_us) {
      auto [now, proc] = asks.top();
      asks.pop();
      auto t = take_tokens(log, now, p.batch, p);
      log = t.after;
      std::uniform_int_distribution<std::int64_t> spend(0, life_us);
      for (int i = 0; i < t.granted; ++i) arrivals.push_back(now + spend(rng));
      std::uniform_int_distribution<std::int64_t> jitter(0, 2'000);
      asks.push({now + std::max<std::int64_t>(t.next_in.count(), 1) + jitter(rng), proc});
    }
    std::sort(arrivals.begin(), arrivals.end());
    SCOPED_TRACE(::testing::Message() << p);
    EXPECT_LE(most_in_any_window(arrivals, interval_us), limit);
    EXPECT_GE(static_cast<double>(arrivals.size()), 0.9 * limit * 29) << "too conservative";
  }
}

TEST(SharedSlots, AfterUseTable) {
  auto p = plan_shared_slots(RateLimit{});
  EXPECT_EQ(p.slots, 10);
  EXPECT_LT(p.heartbeat * 2, p.lease) << "a missed heartbeat does not lose the slots";
  EXPECT_LT(p.linger, p.heartbeat) << "a spare slot goes back long before its lease would end";
  struct Case {
    const char* name;
    bool leases_in_doubt;
    int uses;
    AfterUse expected;
  };
  const std::vector<Case> cases = {
      {"kept for the process's next request", false, 1, AfterUse::keep},
      {"the turn is nearly over", false, p.max_reuses - 1, AfterUse::keep},
      {"its turn is over: the others get theirs", false, p.max_reuses, AfterUse::release},
      {"a lease ran out: another process may hold it now", true, 1, AfterUse::release},
  };
  for (const auto& c : cases) EXPECT_EQ(after_use(c.leases_in_doubt, c.uses, p), c.expected) << c.name;
  EXPECT_EQ(plan_shared_slots(rate(10, 1s)).slots, 10);
  RateLimit unlimited;
  unlimited.max_concurrent = 0;
  EXPECT_FALSE(plan_shared_slots(unlimited).enabled());
}

// An in-memory store with the same decisions as the PostgreSQL one, on the steady clock.
class FakeStore : public SharedLimitStore {
 public:
  explicit FakeStore(int slots) : holders_(slots, 0) {}
  LogTake take_tokens(const std::string&, int want, const SharedRatePlan& plan) override {
    while (hold_takes) std::this_thread::sleep_for(1ms);  // a slow database
    std::lock_guard lock(m_);
    fail_if_broken();
    auto now = std::chrono::duration_cast<microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    ++takes;
    auto t = http::take_tokens(log_, now, want, plan);
    log_ = t.after;
    return t;
  }
  std::optional<int> acquire_slot(const std::string&, const SharedSlotPlan&) override {
    std::lock_guard lock(m_);
    fail_if_broken();
    ++acquire_calls;
    for (size_t i = 0; i < holders_.size(); ++i) {
      if (holders_[i] == 0) {
        holders_[i] = 1;
        ++acquired;
        return static_cast<int>(i) + 1;
      }
    }
    return std::nullopt;
  }
  int renew_slots(const std::string&, const SharedSlotPlan&) override {
    std::lock_guard lock(m_);
    ++renewals;
    return lose_leases ? 0 : static_cast<int>(std::count(holders_.begin(), holders_.end(), 1));
  }
  void release_slot(const std::string&, int slot) override {
    std::lock_guard lock(m_);
    ++releases;
    holders_[slot - 1] = 0;
  }
  long round_trips() const override { return acquire_calls + releases; }
  int held() {
    std::lock_guard lock(m_);
    return static_cast<int>(std::count(holders_.begin(), holders_.end(), 1));
  }
  void hold_all() {
    std::lock_guard lock(m_);
    std::fill(holders_.begin(), holders_.end(), 1);
  }
  std::atomic<bool> broken{false}, hold_takes{false}, lose_leases{false};
  std::atomic<long> acquire_calls{0}, acquired{0}, releases{0}, takes{0}, renewals{0};

 private:
  void fail_if_broken() const {
    if (broken) throw Error(ErrorKind::database, "shared rate limits: connection refused");
  }
  std::mutex m_;
  std::vector<int> holders_;
  TakeLog log_;
};

SharedSlotPlan slots(int n) {
  SharedSlotPlan p;
  p.slots = n;
  return p;
}

// Polls `done` until it holds or `deadline` passes.
template <typename F>
bool eventually(F done, milliseconds deadline = 5s) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Requests that come one after another, as a process's workers ask, share one slot: no round
// trip each.
TEST(SharedLimitsLocalShare, TheNextRequestWithinTheLingerTakesTheSlotWithoutARoundTrip) {
  FakeStore store(2);
  auto plan = slots(2);
  plan.linger = 1h;
  SharedLimits limits(store, "qbo:1", plan_shared_rate(rate(0, 1s)), plan);
  for (int i = 0; i < 5; ++i) {
    auto pass = limits.acquire();
    EXPECT_EQ(store.held(), 1);
  }
  EXPECT_EQ(store.acquire_calls, 1);
  EXPECT_EQ(store.releases, 0) << "kept for the next request";
  EXPECT_EQ(limits.round_trips(), 1);
}

TEST(SharedLimitsLocalShare, AnIdleProcessGivesItsSlotBackAfterTheLinger) {
  FakeStore store(2);
  auto plan = slots(2);
  plan.linger = 20ms;
  SharedLimits limits(store, "qbo:1", plan_shared_rate(rate(0, 1s)), plan);
  { auto pass = limits.acquire(); EXPECT_EQ(store.held(), 1); }
  EXPECT_TRUE(eventually([&] { return store.held() == 0; })) << "an idle process holds no slot";
  EXPECT_EQ(store.releases, 1);
}

TEST(SharedLimitsLocalShare, AfterItsTurnASlotGoesBackForTheOthers) {
  FakeStore store(1);
  auto plan = slots(1);
  plan.linger = 1h;
  SharedLimits limits(store, "qbo:1", plan_shared_rate(rate(0, 1s)), plan);
  for (int i = 0; i < plan.max_reuses; ++i) auto pass = limits.acquire();
  EXPECT_EQ(store.releases, 1) << "given back after max_reuses requests, lingering or not";
  EXPECT_EQ(store.held(), 0);
}

TEST(SharedLimitsLocalShare, AQueuedRequestTakesTheSlotWithoutARoundTrip) {
  FakeStore store(1);
  SharedLimits limits(store, "qbo:1", plan_shared_rate(rate(0, 1s)), slots(1));
  std::optional<SharedLimits::Pass> first(limits.acquire());
  std::atomic<bool> second_started{false};
  std::thread second([&] {
    auto pass = limits.acquire();
    second_started = true;
    EXPECT_EQ(store.held(), 1);
  });
  ASSERT_TRUE(eventually([&] { return store.acquire_calls >= 2; })) << "the second request polled and waits";
  first.reset();  // hands over
  second.join();
  EXPECT_TRUE(second_started);
  EXPECT_EQ(store.acquired, 1) << "the hand-over cost nothing";
  EXPECT_TRUE(eventually([&] { return store.held() == 0; })) << "back after the linger";
  EXPECT_EQ(store.releases, 1);
}

// A heartbeat that renews fewer slots than the process holds (it was stopped past a lease, and
// another process may have one now): the next request gets its slot from the store, not by hand.
TEST(SharedLimitsLocalShare, AfterALostLeaseSlotsGoBackInsteadOfBeingHandedOver) {
  FakeStore store(1);
  store.lose_leases = true;
  auto plan = slots(1);
  plan.heartbeat = 5ms;
  SharedLimits limits(store, "qbo:1", plan_shared_rate(rate(0, 1s)), plan);
  std::optional<SharedLimits::Pass> first(limits.acquire());
  ASSERT_TRUE(eventually([&] { return store.renewals >= 2; })) << "the heartbeat ran and found the loss";
  std::thread second([&] { auto pass = limits.acquire(); });
  ASSERT_TRUE(eventually([&] { return store.acquire_calls >= 2; })) << "the second request waits";
  first.reset();
  second.join();
  EXPECT_EQ(store.acquired, 2) << "released and acquired again through the store";
  EXPECT_EQ(store.held(), 0);
}

TEST(SharedLimitsLocalShare, TwoProcessesNeverHoldMoreSlotsThanTheLimit) {
  FakeStore store(3);
  SharedLimits a(store, "qbo:1", plan_shared_rate(rate(0, 1s)), slots(3));
  SharedLimits b(store, "qbo:1", plan_shared_rate(rate(0, 1s)), slots(3));
  std::atomic<int> in_flight{0}, most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto& mine = t % 2 == 0 ? a : b;
      for (int i = 0; i < 20; ++i) {
        auto pass = mine.acquire();
        int now = ++in_flight;
        int seen = most;
        while (now > seen && !most.compare_exchange_weak(seen, now)) {}
        std::this_thread::sleep_for(200us);
        --in_flight;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(most, 3);
  EXPECT_TRUE(eventually([&] { return store.held() == 0; })) << "nothing queued any more: every slot given back";
}

TEST(SharedLimitsLocalShare, AStoreFailureIsADatabaseErrorNotAHang) {
  FakeStore store(1);
  store.broken = true;
  SharedLimits limits(store, "qbo:1", plan_shared_rate(rate(10, 1s)), slots(1));
  try {
    limits.acquire();
    FAIL() << "acquired without the store";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::database);
  }
}

TEST(SharedLimitsLocalShare, AStopRequestEndsAWaitForASlot) {
  FakeStore store(1);
  store.hold_all();  // another process holds it
  StopFlag stop;
  SharedLimits limits(store, "qbo:1", plan_shared_rate(rate(0, 1s)), slots(1), &stop);
  std::optional<ErrorKind> kind;
  std::thread waiter([&] {
    try {
      limits.acquire();
    } catch (const Error& e) {
      kind = e.kind();
    }
  });
  ASSERT_TRUE(eventually([&] { return store.acquire_calls >= 1; }));
  stop.request_stop();
  waiter.join();
  EXPECT_EQ(kind, ErrorKind::interrupted);
}

// Requests of one process that wait for tokens together share one round trip (up to the batch).
TEST(SharedLimitsLocalShare, RequestsWaitingTogetherShareOneRoundTrip) {
  FakeStore store(0);
  store.hold_takes = true;
  SharedLimits limits(store, "qbo:1", plan_shared_rate(rate(500, 60s)), SharedSlotPlan{});  // batch 5
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i) threads.emplace_back([&] { auto pass = limits.acquire(); });
  ASSERT_TRUE(eventually([&] { return limits.waiting_for_tokens() == 5; }));
  store.hold_takes = false;
  for (auto& t : threads) t.join();
  EXPECT_EQ(limits.passes(), 5);
  EXPECT_EQ(store.takes, 2) << "one for the first to ask, one for the four that waited meanwhile";
}

// What the QBO mock measures the processes by: every arrival, refused or not, in the moving interval.
TEST(MockQboLimits, CountsEveryArrivalWithinTheMovingInterval) {
  mock::RequestLimiter limiter(3, 1s, 0);
  const auto t0 = mock::RequestLimiter::Clock::now();
  int in_flight = 0, admitted = 0;
  for (int i = 0; i < 5; ++i) admitted += limiter.arrive("r", t0 + i * 10ms, in_flight) ? 1 : 0;
  EXPECT_EQ(admitted, 3);
  EXPECT_EQ(limiter.arrived_in_interval("r"), 5);
  limiter.arrive("r", t0 + 1005ms, in_flight);  // the first has left the interval
  EXPECT_EQ(limiter.arrived_in_interval("r"), 5);
  EXPECT_EQ(limiter.arrived_in_interval("other"), 0);
}

}  // namespace
}  // namespace tributary::http
