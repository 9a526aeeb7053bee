// tributary-chaos: the crash and fault campaign's driver (run it through scripts/chaos.sh,
// which builds it, starts a throwaway PostgreSQL and passes its whereabouts).
//   tributary-chaos --rounds N --seed S [--first-round K] --tributary BIN --qbo-config FILE
//                   --work-dir DIR --db-url URL --pg-bin DIR --pg-dir DIR [--hang-seconds 120]
// Exit 0 when every round ended exact; 1 on any mismatch or failure; 2 on bad arguments.
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <vector>

#include "tests/chaos/chaos.hpp"

namespace tributary::chaos {
namespace {

// The REST connector of the campaign: one mock resource read by two streams, one offset-paged
// and proven by the verification sweep, one anchored on its cursor (keyset). A short timeout, so
// the mock's slow answers are timeouts; quick retries, so a round takes seconds.
constexpr const char* kRestFile = R"(kind: rest
name: chaos_rest
account: chaos
base_url: ${REST_BASE_URL}
retry: {max_retries: 6, base_delay_ms: 20, max_delay_ms: 300, throttle_max_delay_ms: 300}
rate_limit: {requests_per_interval: 100000, interval_ms: 60000}
http: {connect_timeout_ms: 2000, timeout_ms: 1500}
defaults: {chunk_days: 7, page_size: 10, max_page_size: 100}
streams:
  swept:
    path: /items
    params: {updated_since: "{window_start}", updated_before: "{window_end}"}
    records: /items
    primary_key: /id
    cursor: {field: /updated_at, format: iso8601}
    paginator: {kind: offset, total: /total}
    table: raw.chaos_swept
  anchored:
    path: /items
    params: {updated_since: "{window_start}", updated_before: "{window_end}"}
    records: /items
    primary_key: /id
    cursor: {field: /updated_at, format: iso8601}
    paginator: {kind: offset, total: /total, anchor: cursor}
    table: raw.chaos_anchored
)";

// The options the running server was started with (postmaster.opts, minus the binary and its
// data directory), to start it again the same way after a crash.
std::string server_options(const std::string& pg_dir) {
  std::ifstream in(pg_dir + "/data/postmaster.opts");
  std::string token, out;
  std::vector<std::string> tokens;
  while (in >> std::quoted(token)) tokens.push_back(token);
  for (size_t i = 1; i < tokens.size(); ++i) {
    if (tokens[i] == "-D") { ++i; continue; }
    out += (out.empty() ? "" : " ") + tokens[i];
  }
  return out;
}

bool parse(int argc, char** argv, Options& o) {
  std::map<std::string, std::string> a;
  for (int i = 1; i + 1 < argc; i += 2) a[argv[i]] = argv[i + 1];
  for (const char* required : {"--rounds", "--seed", "--tributary", "--qbo-config", "--work-dir", "--db-url", "--pg-bin",
                               "--pg-dir"}) {
    if (!a.count(required)) {
      std::cerr << "tributary-chaos: " << required << " is required" << std::endl;
      return false;
    }
  }
  try {
    o.rounds = std::stoi(a["--rounds"]);
    o.seed = std::stoull(a["--seed"]);
    if (a.count("--first-round")) o.first_round = std::stoi(a["--first-round"]);
    if (a.count("--hang-seconds")) o.hang_limit = std::chrono::seconds(std::stoi(a["--hang-seconds"]));
  } catch (const std::exception&) {
    std::cerr << "tributary-chaos: --rounds, --seed, --first-round and --hang-seconds take whole numbers" << std::endl;
    return false;
  }
  o.tributary = a["--tributary"];
  o.qbo_config = a["--qbo-config"];
  o.work_dir = a["--work-dir"];
  o.db_url = a["--db-url"];
  o.pg_bin = a["--pg-bin"];
  o.pg_dir = a["--pg-dir"];
  o.pg_options = server_options(o.pg_dir);
  return o.rounds >= 1 && o.first_round >= 1;
}

std::string exit_codes(const Figures& f) {
  std::string out;
  for (const auto& [code, n] : f.exits) out += " " + std::to_string(code) + " x" + std::to_string(n);
  return out;
}

void print(const Figures& f, const Options& o, double seconds) {
  std::cout << "chaos campaign: seed " << o.seed << ", rounds " << f.rounds << " (" << o.first_round << "-"
            << o.first_round + f.rounds - 1 << "), " << static_cast<long long>(seconds) << " s\n"
            << "  kills (SIGKILL)          " << f.kills << "\n"
            << "  PostgreSQL restarts      " << f.pg_restarts << " (immediate shutdown; " << f.reconnects
            << " process(es) reconnected)\n"
            << "  tributary processes      " << f.attempts << " (exit codes:" << exit_codes(f) << ")\n"
            << "  faults injected          " << f.qbo_faults + f.rest_faults + f.tokens_expired << " (QuickBooks "
            << f.qbo_faults << ", REST " << f.rest_faults << ", access tokens expired " << f.tokens_expired << ")\n"
            << "  records touched mid-run  " << f.records_touched << "\n"
            << "  bad records injected     " << f.bad_records << "\n"
            << "  exits 5 (credentials)    " << f.reauthorizations << " (started again with the mock's current refresh token)\n"
            << "  records checked          " << f.records_checked << "\n"
            << "  mismatches               " << f.mismatches << "\n"
            << "  failures                 " << f.failures << std::endl;
  for (const auto& p : f.problems) std::cout << "  - " << p << "\n";
}

}  // namespace
}  // namespace tributary::chaos

int main(int argc, char** argv) {
  using namespace tributary::chaos;
  Options o;
  if (!parse(argc, argv, o)) return 2;
  std::ofstream(o.work_dir + "/chaos_rest.yaml") << kRestFile;
  std::cerr << "chaos: " << o.rounds << " round(s), seed " << o.seed << " (replay round K alone: scripts/chaos.sh 1 "
            << o.seed << " K)" << std::endl;
  auto started = std::chrono::steady_clock::now();
  Figures total;
  for (int n = o.first_round; n < o.first_round + o.rounds; ++n) {
    try {
      total.add(run_round(o, n, round_seed(o.seed, n)));
    } catch (const std::exception& e) {
      Figures f;
      f.rounds = 1;
      f.failures = 1;
      f.problems.push_back("round " + std::to_string(n) + ": " + e.what());
      std::cerr << "round " << n << ": " << e.what() << std::endl;
      total.add(f);
    }
  }
  print(total, o, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return total.mismatches == 0 && total.failures == 0 ? 0 : 1;
}
