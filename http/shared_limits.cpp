#include "http/shared_limits.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

namespace tributary::http {
namespace {

using std::chrono::milliseconds;

// Waits in slices so a stop request is noticed even when nobody notifies.
constexpr milliseconds kMaxWaitSlice{200};
// Polling for a slot while every one is held: from this, doubling, up to the cap, with jitter so
// processes do not poll in step. The cap is also how long a process waits after giving a slot
// back for the others' turn, so any process polling has had a chance at it.
constexpr milliseconds kFirstPoll{5};
constexpr milliseconds kPollCap{100};

milliseconds jittered(milliseconds d) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<long long> pick(d.count() / 2, d.count());
  return milliseconds(pick(rng));
}

milliseconds up_to(milliseconds d) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<long long> pick(0, d.count());
  return milliseconds(pick(rng));
}

}  // namespace

SharedLimits::SharedLimits(SharedLimitStore& store, std::string scope, SharedRatePlan rate, SharedSlotPlan slots,
                           const StopFlag* stop)
    : store_(store), scope_(std::move(scope)), rate_(rate), slots_(slots), stop_(stop) {
  if (slots_.enabled()) heartbeat_ = std::jthread([this](std::stop_token st) { renew_leases(st); });
}

SharedLimits::~SharedLimits() {
  if (heartbeat_.joinable()) {
    heartbeat_.request_stop();
    heartbeat_.join();
  }
  std::vector<Spare> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(spare_);
  }
  for (const auto& s : left) give_back(s.slot);
}

std::vector<SharedLimits::Slot> SharedLimits::take_expired_spares(Clock::time_point now) {
  std::vector<Slot> out;
  auto first_kept = std::find_if(spare_.begin(), spare_.end(), [&](const Spare& s) { return s.until > now; });
  for (auto it = spare_.begin(); it != first_kept; ++it) out.push_back(it->slot);
  spare_.erase(spare_.begin(), first_kept);
  return out;
}

// Wakes for whichever comes first: the next renewal, or the oldest spare slot's linger ending.
void SharedLimits::renew_leases(const std::stop_token& stop) {
  auto next_renewal = Clock::now() + slots_.heartbeat;
  for (;;) {
    std::vector<Slot> expired;
    {
      std::unique_lock lock(mutex_);
      const auto wake = spare_.empty() ? next_renewal : std::min(next_renewal, spare_.front().until);
      // A slot parked meanwhile may have to go back before `wake`.
      heartbeat_cv_.wait_until(lock, stop, wake, [&] { return !spare_.empty() && spare_.front().until < wake; });
      if (stop.stop_requested()) return;
      expired = take_expired_spares(Clock::now());
    }
    for (const auto& s : expired) give_back(s);
    if (Clock::now() < next_renewal) continue;
    next_renewal = Clock::now() + slots_.heartbeat;
    renew_held_slots();
  }
}

void SharedLimits::renew_held_slots() {
  int held_before = 0;
  {
    std::lock_guard lock(mutex_);
    if (held_ == 0) return;  // an idle process holds nothing and says nothing
    held_before = held_;
  }
  int renewed = 0;
  try {
    renewed = store_.renew_slots(scope_, slots_);
    spdlog::debug("shared limits {}: leases of {} slot(s) renewed", scope_, renewed);
  } catch (const std::exception& e) {
    spdlog::warn("shared limits {}: renewing the leases of this process's slots: {}", scope_, e.what());
    return;
  }
  std::vector<Spare> idle;
  int held = 0;
  {
    std::lock_guard lock(mutex_);
    // Slots acquired or given back meanwhile count on neither side of the comparison.
    held = std::min(held_before, held_);
    suspect_ = renewed < held;
    if (suspect_) idle.swap(spare_);
    cv_.notify_all();
  }
  if (renewed < held) {
    spdlog::warn("shared limits {}: {} of this process's {} slot(s) ran out of lease (was it stopped?); "
                 "slots go back to the database after each request until the leases hold again",
                 scope_, held - renewed, held);
  }
  for (const auto& s : idle) give_back(s.slot);  // harmless for a slot another process has now
}

SharedLimits::Pass::~Pass() {
  if (owner_ != nullptr) owner_->finished(slot_);
}

template <typename F>
auto SharedLimits::ask_store(std::unique_lock<std::mutex>& lock, bool& busy, F&& call) {
  busy = true;
  lock.unlock();
  struct Answered {  // also when the call throws
    SharedLimits& self;
    std::unique_lock<std::mutex>& lock;
    bool& busy;
    ~Answered() {
      lock.lock();
      busy = false;
      self.cv_.notify_all();
    }
  } answered{*this, lock, busy};
  return call();
}

void SharedLimits::check_stop() const {
  if (stop_ != nullptr) stop_->check();
}

SharedLimits::Pass SharedLimits::acquire() {
  auto spend_by = rate_.enabled() ? take_token() : Clock::time_point::max();
  std::optional<Slot> slot;
  if (slots_.enabled()) slot = take_slot();
  Pass pass(this, slot);  // from here on, a failure gives the slot back
  while (Clock::now() >= spend_by) spend_by = take_token();
  ++passes_;
  return pass;
}

SharedLimits::Slot SharedLimits::take_slot() {
  std::unique_lock lock(mutex_);
  ++slot_waiters_;
  try {
    for (;;) {
      check_stop();
      if (!spare_.empty()) {  // the newest: the oldest go back first when fewer are needed
        Slot s = spare_.back().slot;
        spare_.pop_back();
        --slot_waiters_;
        return s;
      }
      const auto now = Clock::now();
      if (polling_ || now < next_poll_) {
        cv_.wait_until(lock, polling_ ? now + kMaxWaitSlice : std::min(next_poll_, now + kMaxWaitSlice));
        continue;
      }
      auto got = ask_store(lock, polling_, [&] { return store_.acquire_slot(scope_, slots_); });
      if (!got) {
        poll_backoff_ = std::clamp(poll_backoff_ * 2, kFirstPoll, kPollCap);
        next_poll_ = now + jittered(poll_backoff_);
        continue;
      }
      poll_backoff_ = milliseconds(0);  // one was free: another may be too
      --slot_waiters_;
      ++held_;
      spdlog::debug("shared limits {}: slot {} acquired", scope_, *got);
      return Slot{*got, 0};
    }
  } catch (...) {
    if (!lock.owns_lock()) lock.lock();
    --slot_waiters_;
    throw;
  }
}

SharedLimits::Clock::time_point SharedLimits::take_token() {
  std::unique_lock lock(mutex_);
  ++token_waiters_;
  struct Leave {  // runs with the lock held: every exit below holds it
    int& waiters;
    ~Leave() { --waiters; }
  } leave{token_waiters_};
  for (;;) {
    check_stop();
    const auto now = Clock::now();
    while (!tokens_.empty() && tokens_.front() <= now) tokens_.pop_front();  // too old: dropped
    if (!tokens_.empty()) {
      const auto spend_by = tokens_.front();
      tokens_.pop_front();
      return spend_by;
    }
    if (taking_ || now < next_take_) {
      cv_.wait_until(lock, taking_ ? now + kMaxWaitSlice : std::min(next_take_, now + kMaxWaitSlice));
      continue;
    }
    // One for each request of ours waiting now, no more: a token taken for a request that comes
    // later would likely outlive its short life, and count against every process for nothing.
    // Where the rate is what holds requests back, they pile up here and batches fill.
    const int want = std::clamp(token_waiters_, 1, rate_.batch);
    auto take = ask_store(lock, taking_, [&] { return store_.take_tokens(scope_, want, rate_); });
    // Spent within the lifetime counted from before the store decided, or dropped.
    for (int i = 0; i < take.granted; ++i) tokens_.push_back(now + rate_.token_lifetime);
    // Processes told the same moment would all ask at once, and all but one for nothing.
    const auto spread = up_to(std::min(milliseconds(20), std::chrono::duration_cast<milliseconds>(take.next_in) / 4));
    next_take_ = take.granted >= want ? now : now + std::chrono::duration_cast<Clock::duration>(take.next_in) + spread;
    spdlog::debug("shared limits {}: {} of {} token(s) taken; next in {} ms", scope_, take.granted, want,
                  std::chrono::duration_cast<milliseconds>(take.next_in).count());
    cv_.notify_all();
  }
}

void SharedLimits::finished(std::optional<Slot> slot) {
  if (!slot) return;
  std::unique_lock lock(mutex_);
  ++slot->uses;
  const bool waiting = slot_waiters_ > static_cast<int>(spare_.size());
  switch (after_use(suspect_, slot->uses, slots_)) {
    case AfterUse::keep:
      spare_.push_back({*slot, Clock::now() + slots_.linger});
      cv_.notify_all();
      if (spare_.size() == 1) heartbeat_cv_.notify_all();  // it may sleep past this one's linger
      return;
    case AfterUse::release:
      if (waiting) next_poll_ = std::max(next_poll_, Clock::now() + kPollCap);  // the others' turn
      lock.unlock();
      give_back(*slot);
      return;
  }
}

void SharedLimits::give_back(const Slot& slot) {
  {
    std::lock_guard lock(mutex_);
    --held_;
  }
  try {
    store_.release_slot(scope_, slot.number);
    spdlog::debug("shared limits {}: slot {} released after {} request(s)", scope_, slot.number, slot.uses);
  } catch (const std::exception& e) {
    spdlog::warn("shared limits {}: releasing slot {}: {} (it comes back when its lease ends)", scope_, slot.number,
                 e.what());
  }
}

}  // namespace tributary::http
