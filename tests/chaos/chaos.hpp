#pragma once
// The crash and fault campaign (scripts/chaos.sh, docs/reliability.md "Crash and fault
// campaign"): each round backfills the QuickBooks mock and a generic REST mock with faults on,
// SIGKILLs tributary at random instants, sometimes restarts PostgreSQL with an immediate
// shutdown, resumes until the runs are done, then compares raw with the mocks' records.
#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "mock/qbo_mock.hpp"
#include "mock/rest/rest_mock.hpp"

namespace tributary::chaos {

struct Options {
  int rounds = 3;
  std::uint64_t seed = 0;
  int first_round = 1;          // rounds first_round .. first_round + rounds - 1 (replay one)
  std::string tributary;        // the binary under test
  std::string qbo_config;       // config/quickbooks.yaml
  std::string work_dir;         // logs; a failing round's are kept
  std::string db_url;
  std::string pg_bin, pg_dir;   // for pg_ctl (the server scripts/lib/postgres.sh started)
  std::string pg_options;       // postgres options to start it again with (-o)
  std::chrono::seconds hang_limit{120};  // a process alive this long after its start or a restart hangs
};

// What one round (and the campaign, summed) did and found.
struct Figures {
  int rounds = 0, kills = 0, pg_restarts = 0, attempts = 0, reauthorizations = 0;
  long long qbo_faults = 0, rest_faults = 0, throttled = 0, tokens_expired = 0;
  long long records_touched = 0, bad_records = 0;
  long long records_checked = 0, mismatches = 0;
  int failures = 0;  // hangs, unexpected exit codes, runs that never finished
  int reconnects = 0;  // processes that logged re-establishing their database connection
  std::map<int, int> exits;  // tributary exit codes (137: our SIGKILL) and how often
  std::vector<std::string> problems;  // one line each, for the report

  void add(const Figures& r);
};

using Rng = std::mt19937_64;

// A round's random seed for round `n` of a campaign seeded with `seed`.
std::uint64_t round_seed(std::uint64_t seed, int n);

// PostgreSQL, as the driver sees it.
class Database {
 public:
  explicit Database(const Options& o) : options_(o) {}
  void reset() const;  // drops raw and state
  // Committed pages per connector of the newest run, or nothing while unreachable.
  bool committed_pages(long long& qbo, long long& rest) const;
  // The newest run of `connector`: its id and status, or id 0 when there is none.
  bool newest_run(const std::string& connector, long long& run_id, std::string& status) const;
  // pg_ctl -m immediate stop, down for `down`, pg_ctl start; throws when it will not start.
  void crash_restart(std::chrono::milliseconds down) const;
  bool reachable() const;

 private:
  const Options& options_;
};

// The mocks' records at some instant: what the source holds.
struct Snapshot {
  std::vector<mock::MockRecord> customers, invoices, items;
  std::vector<mock::RestRecord> rest;
};
Snapshot snapshot(const mock::QboMock& qbo, const mock::RestMock& rest);

// The backfill every round runs, shared by the round and the checks.
inline constexpr const char* kRangeStart = "2024-01-01";
inline constexpr const char* kRangeEnd = "2024-02-05";
inline constexpr const char* kRestConnector = "chaos_rest";
inline constexpr const char* kQboConnector = "quickbooks";

// Compares raw and state with the source after a round; adds to figures.mismatches and
// figures.records_checked, and a line per kind of mismatch to figures.problems.
void check_round(const Options& o, const Snapshot& start, const Snapshot& end, const std::vector<int>& bad_ids,
                 Figures& figures);

// One round: mocks, faults, kills, restarts, resumes, then check_round.
Figures run_round(const Options& o, int round, std::uint64_t seed);

}  // namespace tributary::chaos
