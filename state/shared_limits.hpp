#pragma once
// The limits every process on one account shares (http/shared_limits.hpp), kept in
// state.rate_budgets and state.inflight_slots. Its own connection, each statement its own
// transaction: a take or a slot never waits on another process's transaction, and a process
// stopped between two statements holds no lock.
#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "http/shared_limits.hpp"

namespace tributary::state {

// This process's id as a slot holder: host, pid and a random part, so a restarted container
// that is pid 1 on the same host again is a different holder. One per process.
std::string shared_limits_holder();

class PgSharedLimitStore final : public http::SharedLimitStore {
 public:
  explicit PgSharedLimitStore(std::string db_url, std::string holder = shared_limits_holder(),
                              std::chrono::milliseconds statement_timeout = std::chrono::seconds(15));
  ~PgSharedLimitStore() override;

  http::LogTake take_tokens(const std::string& scope, int want, const http::SharedRatePlan& plan) override;
  std::optional<int> acquire_slot(const std::string& scope, const http::SharedSlotPlan& plan) override;
  int renew_slots(const std::string& scope, const http::SharedSlotPlan& plan) override;
  void release_slot(const std::string& scope, int slot) override;
  long round_trips() const override { return round_trips_; }

  const std::string& holder() const { return holder_; }

 private:
  pqxx::connection& connection();  // under mutex_
  template <typename F>
  auto guarded(const char* what, F&& f);

  const std::string db_url_;
  const std::string holder_;
  const std::chrono::milliseconds statement_timeout_;
  std::mutex mutex_;  // one statement at a time on the one connection
  std::unique_ptr<pqxx::connection> conn_;
  std::set<std::pair<std::string, int>> slots_created_;  // (scope, count) known to exist
  std::atomic<long> round_trips_{0};
};

}  // namespace tributary::state
