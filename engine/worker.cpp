#include "engine/worker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/log.hpp"
#include "engine/window_runner.hpp"
#include "pg/pg.hpp"

namespace tributary::engine {
namespace {

// Errors after which no other window can succeed either: stop every worker.
bool is_fatal(ErrorKind kind) {
  return kind == ErrorKind::auth || kind == ErrorKind::database || kind == ErrorKind::database_lost ||
         kind == ErrorKind::config || kind == ErrorKind::internal || kind == ErrorKind::usage;
}

// When the source itself is down, every window would spend its whole retry budget failing:
// after this many windows in a row fail to reach it, the run stops (resume when it is back).
constexpr int kOutageWindowsInARow = 3;

bool is_source_outage(ErrorKind kind) {
  return kind == ErrorKind::network || kind == ErrorKind::timeout || kind == ErrorKind::server ||
         kind == ErrorKind::throttled;
}

Error as_error(const std::exception& e) {
  if (auto* known = dynamic_cast<const Error*>(&e)) return *known;
  return Error(ErrorKind::internal, e.what());
}

}  // namespace

Worker::Worker(const connectors::Connector& connector, SourceSession& source, const EngineOptions& options,
               LeaseKeeper& leases, long long run_id, int index, std::atomic<int>& outage_streak)
    : connector_(connector), source_(source), options_(options), leases_(leases), run_id_(run_id), index_(index),
      worker_id_(state::make_worker_id(index)), outage_streak_(outage_streak) {}

std::optional<Error> Worker::operator()() {
  try {
    http::HttpClient client(connector_.config().http);
    auto conn = pg::connect(options_.db_url);
    for (;;) {
      try {
        return serve(*conn, client);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::database_lost) throw;
        conn = reconnect(e);
      }
    }
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::interrupted) return e;
  } catch (const std::exception& e) {  // never let a worker thread terminate the process
    return Error(ErrorKind::internal, e.what());
  }
  return std::nullopt;
}

std::optional<Error> Worker::serve(pqxx::connection& conn, http::HttpClient& client) {
  state::WindowStore windows(conn, leases_.lease());
  // After a dropped connection: the window we held, and one whose claim committed while its
  // reply was lost, go back to 'pending', to be redone from their last committed page. (On the
  // first call the id, unique to this process, holds nothing.)
  if (int released = windows.release_all(run_id_, worker_id_); released > 0) {
    spdlog::info("worker {}: gave back {} window(s) it held when the connection dropped", worker_id_, released);
  }
  auto agent = "instance " + state::ProcessIdentity::current().instance + "; worker " + std::to_string(index_);
  WindowRunner runner({connector_, source_, conn, client, windows, worker_id_, run_id_, options_.stop, &leases_, agent});
  while (!options_.stop->stop_requested()) {
    const auto asked = LeaseKeeper::Clock::now();
    auto row = windows.claim_next(run_id_, worker_id_);
    if (!row) {
      if (await_work(windows)) continue;
      break;
    }
    leases_.hold(row->window_id, worker_id_, asked);
    struct Drop {  // however run_window leaves (a lost connection throws through it)
      LeaseKeeper& leases;
      long long window_id;
      ~Drop() { leases.drop(window_id); }
    } drop{leases_, row->window_id};
    if (auto fatal = run_window(runner, windows, *row)) return fatal;
  }
  return std::nullopt;
}

bool Worker::await_work(state::WindowStore& windows) {
  for (;;) {
    auto open = windows.open_work(run_id_);
    if (open.pending > 0) return true;
    // Windows this process's other workers hold are theirs to finish (a failed one goes back to
    // pending and its worker claims it again): waiting for them would only add up to a poll to
    // the run's end.
    if (open.elsewhere == 0) return false;
    // Expired leases, and claims of processes found dead on this host, go back to pending.
    if (windows.reopen(run_id_, false) > 0) return true;
    if (!options_.wait_for_others || !options_.stop->sleep_for(kIdlePoll)) return false;
  }
}

// Waits for PostgreSQL to come back (a restart, a failover) with capped backoff; after
// kReconnectBudget the run stops with the database exit code instead of lingering.
std::unique_ptr<pqxx::connection> Worker::reconnect(const Error& lost) {
  spdlog::warn("worker {}: lost its database connection ({}); reconnecting", worker_id_, lost.what());
  auto deadline = std::chrono::steady_clock::now() + kReconnectBudget;
  auto delay = std::chrono::milliseconds(250);
  for (;;) {
    if (!options_.stop->sleep_for(delay)) throw Error(ErrorKind::interrupted, "interrupted while reconnecting");
    try {
      auto conn = pg::connect(options_.db_url);
      spdlog::info("worker {}: database connection re-established", worker_id_);
      return conn;
    } catch (const Error& e) {
      if (std::chrono::steady_clock::now() >= deadline) {
        throw Error(ErrorKind::database, "the database connection was lost and did not come back within " +
                                             std::to_string(kReconnectBudget.count()) + " s: " + e.what());
      }
    }
    delay = std::min(delay * 2, std::chrono::milliseconds(5'000));
  }
}

std::optional<Error> Worker::run_window(WindowRunner& runner, state::WindowStore& windows, state::WindowRow& row) {
  set_log_context({run_id_, row.stream, row.window_id});
  struct Reset {
    long long run;
    ~Reset() { set_log_context({run, "", 0}); }
  } reset{run_id_};
  spdlog::info("window {} [{}] {}: started (attempt {})", row.window_id, row.stream, to_string(row.window),
               row.attempts);
  try {
    auto outcome = runner.run(row);
    windows.finish(row.window_id, worker_id_, outcome);
    outage_streak_ = 0;
    if (outcome.status == state::Status::failed) {
      spdlog::error("window {}: {}", row.window_id, outcome.error);
    } else {
      spdlog::info("window {} [{}]: {}, {} records ({} reconciled, {} quarantined), verified {} by {}{}, source count {}",
                   row.window_id, row.stream, state::to_string(outcome.status), row.records_loaded,
                   row.records_reconciled, row.records_rejected, outcome.verified_count.value_or(0), outcome.guarantee,
                   outcome.sweeps ? " (" + std::to_string(outcome.sweeps) + " sweeps)" : "",
                   outcome.expected_count ? std::to_string(*outcome.expected_count) : "n/a");
    }
    return std::nullopt;
  } catch (const std::exception& unexpected) {
    return fail_window(windows, row, as_error(unexpected));
  }
}

// Records a window's failure; returns the error that must stop the whole run, if any.
std::optional<Error> Worker::fail_window(state::WindowStore& windows, state::WindowRow& row, const Error& e) {
  if (e.kind() == ErrorKind::database_lost) throw e;  // nothing can be recorded: reconnect first
  if (e.kind() == ErrorKind::lease_lost) {
    // Another worker may hold it now: write nothing of it (the release below touches the row
    // only if our claim is still there, i.e. when only the renewal failed) and take another.
    spdlog::warn("window {}: abandoned, this worker no longer holds it: {}", row.window_id, e.what());
    windows.release(row.window_id, worker_id_);
    return std::nullopt;
  }
  if (e.kind() == ErrorKind::interrupted) {
    windows.release(row.window_id, worker_id_);
    throw e;
  }
  spdlog::error("window {}: {}", row.window_id, e.what());
  state::WindowOutcome failed;
  failed.status = state::Status::failed;
  failed.error = e.what();
  windows.finish(row.window_id, worker_id_, failed);
  if (is_source_outage(e.kind()) && ++outage_streak_ >= kOutageWindowsInARow) {
    options_.stop->request_stop();
    return Error(e.kind(), "stopping the run: " + std::to_string(kOutageWindowsInARow) +
                               " windows in a row could not reach the source; the last: " + e.what());
  }
  if (!is_fatal(e.kind())) return std::nullopt;
  options_.stop->request_stop();
  return e;
}

}  // namespace tributary::engine
