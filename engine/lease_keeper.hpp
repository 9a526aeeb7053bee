#pragma once
// The heartbeat of a process's window leases. One thread, on a connection of its own, renews
// every lease this process holds each lease/3 in one UPDATE, whatever the workers are doing
// (a slow fetch, retries, a rate-limit wait, an id sweep). A window whose renewal finds another
// holder, or none, is lost: its worker drops it (check() throws Error(lease_lost)).
//
// A process can also be frozen (SIGSTOP, a VM pause, a long GC-like stall) past its lease while
// another worker takes the window over. So each window also carries a local "valid until" on
// the steady clock: the time the last successful renewal was sent, plus the lease, less a third
// of it for clock rates and the time the statement took. check(), called before every request
// and every commit of the window, renews synchronously once that has passed, and throws if the
// window was lost meanwhile: a thawed process asks nothing more for a window it may have lost.
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <pqxx/pqxx>

namespace tributary::engine {

class LeaseKeeper {
 public:
  using Clock = std::chrono::steady_clock;

  LeaseKeeper(std::string db_url, std::chrono::seconds lease);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  std::chrono::seconds lease() const { return lease_; }

  // `claim` took the window with a statement sent at `claimed_at`; renew it from now on.
  void hold(long long window_id, const std::string& claim, Clock::time_point claimed_at);
  // A checkpoint sent at `at` renewed it too (the page's transaction extends the lease).
  void renewed(long long window_id, Clock::time_point at);
  // The window is finished, released or abandoned: stop renewing it.
  void drop(long long window_id);
  // Throws Error(lease_lost) when the window is lost, renewing it first when its local validity
  // has passed. Thread-safe (a window's request made ahead checks from another thread).
  void check(long long window_id);

 private:
  struct Held {
    std::string claim;
    Clock::time_point valid_until;
    bool lost = false;
    std::string why;  // when lost
  };

  void beat(std::stop_token stop);
  // One UPDATE for every window still held; marks the others lost. Throws what the database
  // throws (then nothing is marked).
  void renew_all();

  std::string db_url_;
  std::chrono::seconds lease_;
  std::mutex mutex_;  // held_
  std::map<long long, Held> held_;
  std::mutex db_mutex_;  // conn_: the heartbeat and a synchronous check() take turns
  std::unique_ptr<pqxx::connection> conn_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: started once everything above exists, stopped and joined first
};

}  // namespace tributary::engine
