#include "engine/lease_keeper.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "pg/pg.hpp"
#include "state/window_store.hpp"

namespace tributary::engine {

LeaseKeeper::LeaseKeeper(std::string db_url, std::chrono::seconds lease)
    : db_url_(std::move(db_url)), lease_(lease), thread_([this](std::stop_token stop) { beat(stop); }) {}

LeaseKeeper::~LeaseKeeper() {
  thread_.request_stop();
  wake_.notify_all();
}

void LeaseKeeper::hold(long long window_id, const std::string& claim, Clock::time_point claimed_at) {
  std::lock_guard guard(mutex_);
  held_[window_id] = Held{claim, claimed_at + lease_ - lease_ / 3, false, ""};
}

void LeaseKeeper::renewed(long long window_id, Clock::time_point at) {
  std::lock_guard guard(mutex_);
  auto it = held_.find(window_id);
  if (it != held_.end() && !it->second.lost) it->second.valid_until = std::max(it->second.valid_until, at + lease_ - lease_ / 3);
}

void LeaseKeeper::drop(long long window_id) {
  std::lock_guard guard(mutex_);
  held_.erase(window_id);
}

void LeaseKeeper::check(long long window_id) {
  for (int pass = 0; pass < 2; ++pass) {
    {
      std::lock_guard guard(mutex_);
      auto it = held_.find(window_id);
      if (it == held_.end()) return;  // not a leased window (a unit test's runner)
      if (it->second.lost) throw Error(ErrorKind::lease_lost, it->second.why);
      if (Clock::now() < it->second.valid_until) return;
    }
    if (pass == 1) break;
    try {
      renew_all();
    } catch (const std::exception& e) {
      throw Error(ErrorKind::lease_lost, "window " + std::to_string(window_id) + ": its lease ran out locally and "
                                         "could not be renewed (" + e.what() + ")");
    }
  }
  throw Error(ErrorKind::lease_lost, "window " + std::to_string(window_id) + ": its lease ran out locally and the "
                                     "renewal did not extend it");
}

void LeaseKeeper::renew_all() {
  std::lock_guard db(db_mutex_);
  std::vector<long long> ids;
  std::vector<std::string> claims;
  {
    std::lock_guard guard(mutex_);
    for (const auto& [id, h] : held_) {
      if (!h.lost) {
        ids.push_back(id);
        claims.push_back(h.claim);
      }
    }
  }
  if (ids.empty()) return;
  const auto sent = Clock::now();
  if (!conn_ || !conn_->is_open()) conn_ = pg::connect(db_url_);
  std::vector<long long> renewed;
  try {
    renewed = state::WindowStore(*conn_, lease_).renew(ids, claims);
  } catch (...) {
    conn_.reset();  // a new session next time
    throw;
  }
  std::lock_guard guard(mutex_);
  for (size_t i = 0; i < ids.size(); ++i) {
    auto it = held_.find(ids[i]);
    if (it == held_.end() || it->second.claim != claims[i]) continue;  // dropped meanwhile
    if (std::find(renewed.begin(), renewed.end(), ids[i]) != renewed.end()) {
      it->second.valid_until = std::max(it->second.valid_until, sent + lease_ - lease_ / 3);
    } else if (!it->second.lost) {
      it->second.lost = true;
      it->second.why = "window " + std::to_string(ids[i]) + " is no longer held by " + claims[i] +
                       ": its lease expired and it was reopened or taken by another worker";
    }
  }
}

void LeaseKeeper::beat(std::stop_token stop) {
  const auto every = std::chrono::duration_cast<std::chrono::milliseconds>(lease_) / 3;
  std::mutex sleep_mutex;
  for (;;) {
    {
      std::unique_lock lock(sleep_mutex);
      if (wake_.wait_for(lock, stop, every, [] { return false; }) || stop.stop_requested()) return;
    }
    try {
      renew_all();
    } catch (const std::exception& e) {
      // The windows keep their local validity; past it, check() tries again, then gives them up.
      spdlog::warn("lease heartbeat: could not renew the leases: {}", e.what());
    }
  }
}

}  // namespace tributary::engine
