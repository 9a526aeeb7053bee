#pragma once
// The arithmetic of limits shared by every process on one account (docs/operations.md "Limits
// shared by many processes"): a log of recent takes for the rate, leased slots for the requests
// in flight. Pure functions of their arguments; the store (state/shared_limits) keeps the state in
// PostgreSQL and reads the time from the database's clock, never from a host's.
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "http/rate_limiter.hpp"

namespace tributary::http {

// The rate, shared as a log of recent takes (a sliding window, like the local RateLimiter's and
// like the source's own count, so a burst of the whole limit is allowed as before).
//
// A token is taken at the log's time t (the database clock when the take was decided). Its
// request leaves after the take is known and no later than `token_lifetime` after the process
// asked for it (a token not spent by then is dropped), and reaches the source up to
// `transit_margin` later still. So the requests the source sees in any moving `interval` were
// all taken within span() = interval + token_lifetime + transit_margin, and the log lets no more
// than `limit` tokens out within any span(): what the source counts never passes the limit.
// The cost: `limit` per span() instead of per interval (about 97 % of it for a minute).
struct SharedRatePlan {
  int limit = 0;  // requests per interval, across every process; 0 = no shared rate
  std::chrono::milliseconds interval{60'000};
  int batch = 1;  // tokens one round trip asks for at most: a process's local share
  std::chrono::milliseconds token_lifetime{1'500};
  std::chrono::milliseconds transit_margin{500};
  bool enabled() const { return limit > 0; }
  std::chrono::microseconds span() const { return interval + token_lifetime + transit_margin; }
};

std::ostream& operator<<(std::ostream& os, const SharedRatePlan& p);

// The plan for `limit`: batch = max(1, min(5, limit / 20)); a token lives 1/40 of the interval
// (10 ms to 1.5 s), the margin is 1/100 of it (5 ms to 500 ms).
SharedRatePlan plan_shared_rate(const RateLimit& limit);

// Takes within the last span(), oldest first: (database clock in microseconds since the epoch,
// tokens taken then).
struct TakeLog {
  std::vector<std::pair<std::int64_t, int>> takes;
  int total() const;
  bool operator==(const TakeLog&) const = default;
};

struct LogTake {
  int granted = 0;
  TakeLog after;  // takes older than span() dropped, this one added
  // When the log lets `want` tokens out again after this take (0: it does now); what a process
  // that got fewer than it wanted waits before asking again.
  std::chrono::microseconds next_in{0};
};

// Grants up to `want` tokens at `now_us`, as many as keep the takes within any span() at or
// under the limit. A clock that went back counts as standing at the last take.
LogTake take_tokens(const TakeLog& log, std::int64_t now_us, int want, const SharedRatePlan& p);

// The log as stored: a flat bigint[] literal of pairs, "{t1,n1,t2,n2}"; parsing refuses
// anything else (Error(database): the row was written by something else).
std::string to_array_literal(const TakeLog& log);
TakeLog parse_take_log(const std::string& array_literal);

// Slots for the requests in flight: `slots` rows per scope, each held by one process's request
// under a lease that the holding process renews while it holds any slot, so a crashed holder's
// slots come back within a lease whatever its requests' timeouts.
struct SharedSlotPlan {
  int slots = 0;  // 0 = no shared concurrency limit
  std::chrono::milliseconds lease{15'000};
  std::chrono::milliseconds heartbeat{5'000};  // renews every slot the process holds
  // A slot a request has finished with stays with the process for its next request, one waiting
  // now or one that comes within `linger` (a process's workers ask one after another: without
  // it every request would cost an acquire and a release); after `linger` unused it goes back.
  std::chrono::milliseconds linger{100};
  // A process keeps a slot for its next request at most this many times in a row, then gives
  // it back so the other processes get their turn.
  int max_reuses = 16;
  bool enabled() const { return slots > 0; }
};

std::ostream& operator<<(std::ostream& os, const SharedSlotPlan& p);

SharedSlotPlan plan_shared_slots(const RateLimit& limit);

enum class AfterUse {
  keep,     // for the process's next request, waiting now or coming within the linger: no round trip
  release,  // its turn is over, or the process's leases are in doubt: back to the store
};

// What a process does with a slot its request has just finished with; `uses`: requests the
// slot has carried since it was acquired; `leases_in_doubt`: the last heartbeat renewed fewer
// slots than the process held (another process may have one of them now).
AfterUse after_use(bool leases_in_doubt, int uses, const SharedSlotPlan& p);

}  // namespace tributary::http
