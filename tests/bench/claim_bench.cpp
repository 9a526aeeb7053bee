// How claiming windows scales with workers, PostgreSQL only (scripts/bench-claims.sh,
// docs/performance.md "Many workers"). For each worker count a run of N windows is planned and
// W threads, each on its own connection as separate processes would be, do what a worker does
// for a window minus the data: claim it (FOR UPDATE SKIP LOCKED), commit one page's checkpoint,
// finish it. The lease heartbeat of the process renews every held lease meanwhile. Prints
// windows a second per worker count; asserts nothing.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/time.hpp"
#include "engine/lease_keeper.hpp"
#include "pg/pg.hpp"
#include "state/claim_identity.hpp"
#include "state/migrations.hpp"
#include "state/run_store.hpp"
#include "state/window_store.hpp"

namespace {

using namespace tributary;

long long plan_run(const std::string& url, int windows) {
  auto conn = pg::connect(url);
  auto start = parse_timestamp("2000-01-01T00:00:00Z", "start");
  std::vector<std::pair<std::string, Window>> planned;
  for (int i = 0; i < windows; ++i) {
    auto from = start + boost::posix_time::hours(i);
    planned.push_back({"invoices", Window{from, from + boost::posix_time::hours(1)}});
  }
  state::RunSpec spec{"claim-bench", "acct", {"invoices"}, "backfill",
                      Window{start, start + boost::posix_time::hours(windows)}, boost::posix_time::hours(1), 1000, ""};
  return state::RunStore(*conn).create_run(spec, planned);
}

// One worker: claim, checkpoint, finish, until the run has nothing pending.
void work(const std::string& url, long long run_id, int index, engine::LeaseKeeper& leases, std::atomic<long>& done) {
  auto conn = pg::connect(url);
  state::WindowStore windows(*conn, leases.lease());
  auto worker = state::make_worker_id(index);
  for (;;) {
    auto claimed_at = std::chrono::steady_clock::now();
    auto row = windows.claim_next(run_id, worker);
    if (!row) return;
    leases.hold(row->window_id, worker, claimed_at);
    {
      pqxx::work txn(*conn);
      state::PageCheckpoint cp{.window_id = row->window_id, .worker = worker, .next_position = "",
                               .next_page_number = 2, .paging_complete = true, .records = 1000};
      windows.checkpoint(txn, cp);
      txn.commit();
    }
    windows.finish(row->window_id, worker, state::WindowOutcome{});
    leases.drop(row->window_id);
    ++done;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* url_env = std::getenv("TRIBUTARY_DB_URL");
  if (url_env == nullptr || argc < 3) {
    std::fprintf(stderr, "usage: TRIBUTARY_DB_URL=... claim_bench WINDOWS WORKERS...\n");
    return 2;
  }
  std::string url = url_env;
  int windows = std::atoi(argv[1]);
  state::migrate(*pg::connect(url));
  std::printf("%8s %10s %10s %12s\n", "workers", "windows", "seconds", "windows/s");
  for (int a = 2; a < argc; ++a) {
    int workers = std::atoi(argv[a]);
    auto run_id = plan_run(url, windows);
    engine::LeaseKeeper leases(url, std::chrono::seconds(60));
    std::atomic<long> done{0};
    auto began = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int i = 0; i < workers; ++i) {
      threads.emplace_back([&, i] { work(url, run_id, i, leases, done); });
    }
    for (auto& t : threads) t.join();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    std::printf("%8d %10ld %10.2f %12.0f\n", workers, done.load(), seconds, static_cast<double>(done) / seconds);
    std::fflush(stdout);
  }
  return 0;
}
