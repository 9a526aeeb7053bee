#pragma once
// Limits shared by every process working on one account (connector name + account: the scope the
// local RateLimiter has inside one process). The budget lives in a store every process reaches
// (`state` implements it in PostgreSQL); each process keeps a small local share of it (a few
// rate tokens, slots kept for its next requests) so most requests need no round trip.
// The local RateLimiter stays in force on top: it alone adapts to 429s.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/interrupt.hpp"
#include "http/shared_limits_policy.hpp"

namespace tributary::http {

// Storage the shared limits do not own. Every call is one atomic step on the store's own clock;
// failures throw Error(database) (or database_lost), never hang past the store's timeout.
class SharedLimitStore {
 public:
  virtual ~SharedLimitStore() = default;
  // Up to `want` tokens from the scope's log of takes, decided by take_tokens() at the store's time.
  virtual LogTake take_tokens(const std::string& scope, int want, const SharedRatePlan& plan) = 0;
  // A slot among 1..plan.slots that is free or whose lease ran out, now held by this process for
  // plan.lease; nothing when every one is held.
  virtual std::optional<int> acquire_slot(const std::string& scope, const SharedSlotPlan& plan) = 0;
  // Extends the lease of every slot this process holds in the scope; how many it holds.
  virtual int renew_slots(const std::string& scope, const SharedSlotPlan& plan) = 0;
  virtual void release_slot(const std::string& scope, int slot) = 0;
  // Statements sent so far (every call above is one or two).
  virtual long round_trips() const = 0;
};

class SharedLimits {
 public:
  using Clock = std::chrono::steady_clock;

  SharedLimits(SharedLimitStore& store, std::string scope, SharedRatePlan rate, SharedSlotPlan slots,
               const StopFlag* stop = nullptr);
  ~SharedLimits();  // gives back every slot held (none may be in use: every Pass has ended)
  SharedLimits(const SharedLimits&) = delete;
  SharedLimits& operator=(const SharedLimits&) = delete;

  // One request's slot (if slots are shared) and token (if the rate is); when the pass is
  // destroyed the slot is kept for this process's next request (SharedSlotPlan::linger) or goes
  // back.
  class Pass {
   public:
    Pass(Pass&& o) noexcept : owner_(o.owner_), slot_(o.slot_) { o.owner_ = nullptr; }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;
    Pass& operator=(Pass&&) = delete;
    ~Pass();

   private:
    friend class SharedLimits;
    struct Slot {
      int number = 0;
      int uses = 0;  // requests carried since it was acquired
    };
    Pass(SharedLimits* owner, std::optional<Slot> slot) : owner_(owner), slot_(slot) {}
    SharedLimits* owner_;
    std::optional<Slot> slot_;
  };

  // Blocks until a request may start: first a token, then a slot (where the rate holds requests
  // back, the usual case, they wait without holding a slot another process could use); a token
  // that outlived a long wait for the slot is replaced. Throws Error(interrupted) on a stop
  // request, the store's errors as they are. While it holds slots, a background thread renews
  // their lease every plan.heartbeat and gives back those kept unused past the linger.
  Pass acquire();

  bool enabled() const { return rate_.enabled() || slots_.enabled(); }
  const std::string& scope() const { return scope_; }
  long round_trips() const { return store_.round_trips(); }
  long passes() const { return passes_; }
  int waiting_for_tokens() {  // requests of ours waiting for a token now (tests, diagnostics)
    std::lock_guard lock(mutex_);
    return token_waiters_;
  }

 private:
  using Slot = Pass::Slot;
  Slot take_slot();
  Clock::time_point take_token();  // when the token must be spent by
  void finished(std::optional<Slot> slot);  // a pass ends
  void give_back(const Slot& slot);         // to the store; errors logged, the lease covers them
  // Spare slots whose linger has passed, taken out of spare_ (the lock held).
  std::vector<Slot> take_expired_spares(Clock::time_point now);
  // Calls the store without the lock while `busy` says one of our threads is at it; whatever the
  // call does, `busy` is cleared and the waiters woken, with the lock held again.
  template <typename F>
  auto ask_store(std::unique_lock<std::mutex>& lock, bool& busy, F&& call);
  void check_stop() const;
  void renew_leases(const std::stop_token& stop);  // the heartbeat thread
  void renew_held_slots();

  SharedLimitStore& store_;
  const std::string scope_;
  const SharedRatePlan rate_;
  const SharedSlotPlan slots_;
  const StopFlag* stop_;
  std::atomic<long> passes_{0};

  std::mutex mutex_;
  std::condition_variable cv_;
  // Rate: tokens taken and not spent yet, by the local time each must be spent before.
  std::deque<Clock::time_point> tokens_;
  bool taking_ = false;  // one thread asks the store at a time; the others wait for its answer
  Clock::time_point next_take_{};
  int token_waiters_ = 0;
  // Slots: those finished requests left for the next ones, oldest first (each goes back at its
  // `until`), and who waits.
  struct Spare {
    Slot slot;
    Clock::time_point until;
  };
  std::vector<Spare> spare_;
  int slot_waiters_ = 0;
  int held_ = 0;  // slots acquired from the store and not given back
  // The last heartbeat renewed fewer slots than this process held: some lease ran out (the
  // process was stopped, or cut off from the database, for longer than a lease) and another
  // process may have the slot. Until a heartbeat renews them all, no slot is handed over.
  bool suspect_ = false;
  bool polling_ = false;
  Clock::time_point next_poll_{};
  std::chrono::milliseconds poll_backoff_{0};
  std::condition_variable_any heartbeat_cv_;
  std::jthread heartbeat_;  // last: stopped and joined before anything above goes
};

}  // namespace tributary::http
