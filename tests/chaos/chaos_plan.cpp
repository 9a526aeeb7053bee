// A round's random choices, all drawn from its seed before anything runs, so a round can be
// replayed (scripts/chaos.sh 1 SEED ROUND): data, faults, mutations, bad records, kills and
// the PostgreSQL restart. Only their timing depends on how fast the machine is.
#include "tests/chaos/chaos_plan.hpp"

#include "core/time.hpp"

namespace tributary::chaos {
namespace {

int uniform(Rng& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

// One rule per fault, each letting a random number of requests pass first: as the mocks'
// rules form a queue, the faults are spread over the run, about one request in 12 hit.
template <typename Rule>
std::vector<Rule> fault_chain(Rng& rng, const std::string& prefix, int timeout_ms, int count) {
  std::vector<Rule> out;
  for (int i = 0; i < count; ++i) {
    Rule r;
    r.path_prefix = prefix;
    r.skip = uniform(rng, 5, 18);
    r.times = 1;
    switch (uniform(rng, 0, 9)) {
      case 0: case 1: case 2: case 3:  // 5xx: a server or gateway error
        r.status = std::array<int, 4>{500, 502, 503, 504}[static_cast<size_t>(uniform(rng, 0, 3))];
        break;
      case 4: case 5:  // a burst of 429s, as a realm under load answers several requests
        r.status = 429;
        r.times = uniform(rng, 2, 5);
        break;
      case 6: case 7:  // a truncated body: Content-Length promised, connection closed half-way
        r.drop_connection = true;
        break;
      case 8:  // 200 with half a JSON body
        r.malformed_json = true;
        break;
      default:  // an answer later than the client's timeout
        r.delay_ms = timeout_ms + 500;
        break;
    }
    out.push_back(r);
  }
  return out;
}

Trigger trigger(Rng& rng) {
  Trigger t;
  if (uniform(rng, 0, 1) == 0) t.pages = uniform(rng, 1, 25);
  else t.delay = std::chrono::milliseconds(uniform(rng, 100, 5000));
  return t;
}

}  // namespace

RoundPlan plan_round(int round, std::uint64_t seed) {
  Rng rng(seed);
  RoundPlan p;
  p.qbo.seed = rng();
  p.qbo.data_start_utc = kDataStart;
  p.qbo.data_end_utc = kDataEnd;
  p.qbo.customers = 60;
  p.qbo.invoices = 300;
  p.qbo.items = 30;
  p.qbo.max_requests_per_minute = 0;  // 429s come as injected bursts
  p.rest.style = mock::PageStyle::Offset;
  p.rest.seed = rng();
  p.rest.records = 240;
  p.rest.data_start_utc = kDataStart;
  p.rest.data_end_utc = kDataEnd;

  p.qbo_faults = fault_chain<mock::FaultRule>(rng, "/v3/", kTimeoutMs, 40);
  // A token endpoint outage now and then (refused before it rotates anything).
  if (uniform(rng, 0, 2) == 0) {
    mock::FaultRule t;
    t.path_prefix = "/oauth2/";
    t.skip = uniform(rng, 0, 3);
    t.status = 503;
    p.qbo_faults.push_back(t);
  }
  p.rest_faults = fault_chain<mock::HttpFaultRule>(rng, "/items", kTimeoutMs, 40);

  p.invoice_mutation = {uniform(rng, 2, 12), uniform(rng, 1, 4)};
  p.customer_mutation = {uniform(rng, 2, 6), uniform(rng, 0, 2)};

  // Bad records and touched records among the REST records in the range (never the same ones).
  mock::RestMock data(p.rest);
  std::vector<int> in_range;
  auto start = parse_timestamp(kRangeStart, "start"), end = parse_timestamp(kRangeEnd, "end");
  for (const auto& r : data.records()) {
    auto t = parse_timestamp(r.updated_at_utc, "record");
    if (start <= t && t < end) in_range.push_back(r.id);
  }
  std::shuffle(in_range.begin(), in_range.end(), rng);
  size_t next = 0;
  for (int n = uniform(rng, 0, 2); n > 0; --n) p.bad_ids.push_back(in_range[next++]);
  for (int hooks = uniform(rng, 1, 3); hooks > 0; --hooks) {
    RestTouch touch{uniform(rng, 2, 60), {}};
    for (int k = uniform(rng, 1, 3); k > 0; --k) touch.ids.push_back(in_range[next++]);
    p.rest_touches.push_back(touch);
  }

  for (int n = uniform(rng, 1, 2); n > 0; --n) {
    KillEvent k{trigger(rng), static_cast<KillTarget>(uniform(rng, 0, 2))};
    p.kills.push_back(k);
  }
  // Every third round PostgreSQL crashes under a running backfill.
  if (round % 3 == 0) {
    p.pg_restart_after_pages = uniform(rng, 3, 30);
    p.pg_down = std::chrono::milliseconds(uniform(rng, 0, 1500));
  }
  // Two expiries, the second from one page after the first on: a token refreshed after a 401
  // may expire again within the same request's retries, which earns it another refresh (only a
  // 401 straight after a refresh reads as refused credentials).
  int first_expiry = uniform(rng, 1, 30);
  p.expire_tokens_after_pages = {first_expiry, first_expiry + uniform(rng, 1, 40)};
  p.resume_by_run_id = uniform(rng, 0, 1) == 1;
  return p;
}

std::string describe(const RoundPlan& p) {
  std::string out = std::to_string(p.kills.size()) + " kill(s)";
  if (p.pg_restart_after_pages > 0) out += ", a PostgreSQL crash after " + std::to_string(p.pg_restart_after_pages) + " pages";
  out += ", " + std::to_string(p.bad_ids.size()) + " bad record(s), resume by " +
         (p.resume_by_run_id ? "`resume --run ID`" : "the same backfill command");
  return out;
}

}  // namespace tributary::chaos
