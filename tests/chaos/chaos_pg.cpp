// PostgreSQL as the campaign drives it: a fresh warehouse per round, progress polls that
// survive the server being down, and an immediate shutdown followed by a start (a crash as the
// server sees it: no checkpoint, crash recovery on start).
#include <unistd.h>

#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/chaos/chaos.hpp"
#include "tests/support/process.hpp"

namespace tributary::chaos {
namespace {

// Every connection is short-lived: the server may have been restarted since the last one.
pqxx::connection connect(const Options& o) { return pqxx::connection(o.db_url); }

// pg_ctl as the server's owner: PostgreSQL refuses to run as root (scripts/lib/postgres.sh).
testing::ProcessResult pg_ctl(const Options& o, std::vector<std::string> args) {
  std::string binary = o.pg_bin + "/pg_ctl";
  args.insert(args.begin(), {"-D", o.pg_dir + "/data"});
  if (::geteuid() == 0) {
    args.insert(args.begin(), {"-u", "postgres", "--", binary});
    binary = "/usr/sbin/runuser";
  }
  return testing::run(binary, args, {}, std::chrono::seconds(90));
}

}  // namespace

void Database::reset() const {
  auto conn = connect(options_);
  pqxx::work txn(conn);
  txn.exec("DROP SCHEMA IF EXISTS raw CASCADE");
  txn.exec("DROP SCHEMA IF EXISTS state CASCADE");
  txn.commit();
}

bool Database::reachable() const {
  try {
    auto conn = connect(options_);
    return conn.is_open();
  } catch (const std::exception&) {
    return false;
  }
}

bool Database::committed_pages(long long& qbo, long long& rest) const {
  try {
    auto conn = connect(options_);
    pqxx::read_transaction txn(conn);
    qbo = rest = 0;
    for (const auto& row : txn.exec(
             "SELECT r.connector, coalesce(sum(w.pages_loaded), 0) FROM state.runs r "
             "JOIN state.windows w USING (run_id) GROUP BY r.connector")) {
      auto connector = row[0].as<std::string>();
      (connector == kQboConnector ? qbo : rest) = row[1].as<long long>();
    }
    return true;
  } catch (const pqxx::undefined_table&) {  // not migrated yet: nothing committed
    qbo = rest = 0;
    return true;
  } catch (const std::exception&) {  // down or restarting
    return false;
  }
}

bool Database::newest_run(const std::string& connector, long long& run_id, std::string& status) const {
  try {
    auto conn = connect(options_);
    pqxx::read_transaction txn(conn);
    auto r = txn.exec_params("SELECT run_id, status FROM state.runs WHERE connector = $1 ORDER BY run_id DESC LIMIT 1",
                             connector);
    run_id = r.empty() ? 0 : r[0][0].as<long long>();
    status = r.empty() ? "" : r[0][1].as<std::string>();
    return true;
  } catch (const pqxx::undefined_table&) {
    run_id = 0;
    status.clear();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

void Database::crash_restart(std::chrono::milliseconds down) const {
  auto stop = pg_ctl(options_, {"-m", "immediate", "-w", "stop"});
  if (stop.exit_code != 0) throw std::runtime_error("pg_ctl stop failed: " + stop.err + stop.out);
  std::this_thread::sleep_for(down);  // the outage itself, of a random length; not a synchronisation
  auto start = pg_ctl(options_, {"-l", options_.pg_dir + "/server.log", "-w", "-t", "60", "start", "-o",
                                 options_.pg_options});
  if (start.exit_code != 0) throw std::runtime_error("pg_ctl start failed: " + start.err + start.out);
}

Snapshot snapshot(const mock::QboMock& qbo, const mock::RestMock& rest) {
  return {qbo.records("Customer"), qbo.records("Invoice"), qbo.records("Item"), rest.records()};
}

void Figures::add(const Figures& r) {
  rounds += r.rounds;
  kills += r.kills;
  pg_restarts += r.pg_restarts;
  attempts += r.attempts;
  reauthorizations += r.reauthorizations;
  qbo_faults += r.qbo_faults;
  rest_faults += r.rest_faults;
  throttled += r.throttled;
  tokens_expired += r.tokens_expired;
  records_touched += r.records_touched;
  bad_records += r.bad_records;
  records_checked += r.records_checked;
  mismatches += r.mismatches;
  failures += r.failures;
  reconnects += r.reconnects;
  for (const auto& [code, n] : r.exits) exits[code] += n;
  problems.insert(problems.end(), r.problems.begin(), r.problems.end());
}

std::uint64_t round_seed(std::uint64_t seed, int n) {
  // splitmix64 of seed + n: neighbouring rounds get unrelated choices.
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(n);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace tributary::chaos
