#pragma once
// One worker thread of a run: its own database connection and HTTP handle; claims windows
// until none is left. A dropped database connection is re-established (with backoff, within a
// bounded time) and the window it held goes back to pending, to be redone from its checkpoint.
#include <atomic>
#include <optional>
#include <string>

#include "connectors/connector.hpp"
#include "engine/engine.hpp"
#include "engine/source.hpp"
#include "state/window_store.hpp"

namespace tributary::engine {

class WindowRunner;

// How long a worker tries to get its database back before the process gives up (exit 4).
inline constexpr auto kReconnectBudget = std::chrono::seconds(90);

class Worker {
 public:
  Worker(const connectors::Connector& connector, SourceSession& source, const EngineOptions& options,
         long long run_id, int index, std::atomic<int>& outage_streak);

  // Returns the fatal error that stopped it, if any.
  std::optional<Error> operator()();

 private:
  // Claims and runs windows on one connection; returns normally when none is left.
  std::optional<Error> serve(pqxx::connection& conn, http::HttpClient& client);
  std::unique_ptr<pqxx::connection> reconnect(const Error& lost);
  std::optional<Error> run_window(WindowRunner& runner, state::WindowStore& windows, state::WindowRow& row);
  std::optional<Error> fail_window(state::WindowStore& windows, state::WindowRow& row, const Error& e);

  const connectors::Connector& connector_;
  SourceSession& source_;
  const EngineOptions& options_;
  long long run_id_;
  std::string worker_id_;
  std::atomic<int>& outage_streak_;
};

}  // namespace tributary::engine
