#pragma once
// The arithmetic of limits shared by every process on one account (docs/operations.md "Limits
// shared by many processes"): a token bucket for the rate, leased slots for the requests in
// flight. Pure functions of their arguments; the store (state/shared_limits) keeps the state in
// PostgreSQL and reads the time from the database's clock, never from a host's.
#include <chrono>
#include <cstdint>
#include <ostream>

#include "http/rate_limiter.hpp"

namespace tributary::http {

// A token bucket that no moving interval can overdraw, whichever process takes its tokens.
//
// A token is taken at the bucket's time t (the database clock when the take was decided). Its
// request leaves after the take is known and no later than `token_lifetime` after the process
// asked for it (a token not spent by then is dropped), and reaches the source up to
// `transit_margin` later still. So the requests the source sees in any moving `interval` were
// taken within `interval + token_lifetime + transit_margin` =: T, and a bucket lets at most
// `capacity + refill * T` tokens out in any span of length T. Requests are whole, so that
// figure must stay below limit + 1: refill = (limit + 1 - capacity) / T, a hair less.
struct SharedRatePlan {
  int limit = 0;   // requests per interval, across every process; 0 = no shared rate
  std::chrono::milliseconds interval{60'000};
  int batch = 1;                // tokens one round trip asks for: a process's local share
  double capacity = 1;          // tokens the bucket holds at most (the burst)
  double refill_per_second = 0;
  std::chrono::milliseconds token_lifetime{1'000};
  std::chrono::milliseconds transit_margin{500};
  bool enabled() const { return limit > 0; }
};

std::ostream& operator<<(std::ostream& os, const SharedRatePlan& p);

// The plan for `limit` (batch = max(1, min(5, rate / 20)), capacity = batch).
SharedRatePlan plan_shared_rate(const RateLimit& limit);

// The most tokens the plan lets out in any span of `span` (capacity + refill * span).
double most_taken_within(const SharedRatePlan& p, std::chrono::microseconds span);

// The bucket as stored: tokens left at `at_us` (microseconds since the epoch, database clock).
struct BucketState {
  double tokens = 0;
  std::int64_t at_us = 0;
  bool operator==(const BucketState&) const = default;
};

struct BucketTake {
  int granted = 0;
  BucketState after;
  // When the bucket holds `want` tokens again after this take (0: it does now); what a process
  // that got fewer than it wanted waits before asking again. Capped at a minute.
  std::chrono::microseconds next_in{0};
};

// Refills the bucket from `s.at_us` to `now_us` (a clock that went back refills nothing and
// keeps `at_us`), then grants up to `want` whole tokens.
BucketTake take_tokens(const BucketState& s, std::int64_t now_us, int want, const SharedRatePlan& p);

// A full bucket for a scope seen for the first time.
BucketState fresh_bucket(const SharedRatePlan& p, std::int64_t now_us);

// Slots for the requests in flight: `slots` rows per scope, each held by one process's request
// under a lease that a crashed holder's slot comes back after.
struct SharedSlotPlan {
  int slots = 0;  // 0 = no shared concurrency limit
  // Well above the longest request (the HTTP timeout), so a slow answer never outlives its slot.
  std::chrono::milliseconds lease{180'000};
  std::chrono::milliseconds longest_request{120'000};
  // A process with requests queued keeps a slot for the next one at most this many times in a
  // row, then gives it back so the other processes get their turn.
  int max_reuses = 16;
  bool enabled() const { return slots > 0; }
};

std::ostream& operator<<(std::ostream& os, const SharedSlotPlan& p);

// lease = longest request + a minute.
SharedSlotPlan plan_shared_slots(const RateLimit& limit, std::chrono::milliseconds longest_request);

enum class AfterUse {
  keep,            // a request of ours is waiting: it takes the slot, no round trip
  renew_and_keep,  // the same, once the lease is extended: too little of it is left for a request
  release,         // nothing of ours is waiting (an idle process holds no capacity), or its turn is over
};

// What a process does with a slot its request has just finished with. `uses`: requests the
// slot has carried since it was acquired; `held`: time since its lease was last set.
AfterUse after_use(bool request_waiting, int uses, std::chrono::milliseconds held, const SharedSlotPlan& p);

}  // namespace tributary::http
