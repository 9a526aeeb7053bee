#pragma once
// One worker thread of a run: its own database connection and HTTP handle; claims windows
// until none is left. A dropped database connection is re-established (with backoff, within a
// bounded time) and the window it held goes back to pending, to be redone from its checkpoint.
// When nothing is pending but other processes still hold windows of the run, it polls, and
// takes over those whose lease expires (or whose process is found dead on this host), unless
// EngineOptions::wait_for_others is off. A window whose lease it loses is dropped, not fatal.
#include <atomic>
#include <optional>
#include <string>

#include "connectors/connector.hpp"
#include "engine/engine.hpp"
#include "engine/lease_keeper.hpp"
#include "engine/source.hpp"
#include "state/window_store.hpp"

namespace tributary::engine {

class WindowRunner;

// How long a worker tries to get its database back before the process gives up (exit 4).
inline constexpr auto kReconnectBudget = std::chrono::seconds(90);
// How often an idle worker looks again while other processes hold the run's last windows.
inline constexpr auto kIdlePoll = std::chrono::milliseconds(1'000);

class Worker {
 public:
  Worker(const connectors::Connector& connector, SourceSession& source, const EngineOptions& options,
         LeaseKeeper& leases, long long run_id, int index, std::atomic<int>& outage_streak);

  // Returns the fatal error that stopped it, if any.
  std::optional<Error> operator()();

 private:
  // Claims and runs windows on one connection; returns normally when none is left.
  std::optional<Error> serve(pqxx::connection& conn, http::HttpClient& client);
  std::unique_ptr<pqxx::connection> reconnect(const Error& lost);
  // Nothing was pending: true when a window may be claimable now (after waiting for one).
  bool await_work(state::WindowStore& windows);
  std::optional<Error> run_window(WindowRunner& runner, state::WindowStore& windows, state::WindowRow& row);
  std::optional<Error> fail_window(state::WindowStore& windows, state::WindowRow& row, const Error& e);

  const connectors::Connector& connector_;
  SourceSession& source_;
  const EngineOptions& options_;
  LeaseKeeper& leases_;
  long long run_id_;
  int index_;
  std::string worker_id_;
  std::atomic<int>& outage_streak_;
};

}  // namespace tributary::engine
