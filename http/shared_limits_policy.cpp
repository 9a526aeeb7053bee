#include "http/shared_limits_policy.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "core/error.hpp"

namespace tributary::http {
namespace {

using std::chrono::milliseconds;

// A log longer than this folds its oldest take into the next one: those tokens then count until
// the later take leaves the span, which only ever errs on the safe side (and only at rates of
// hundreds of round trips a span).
constexpr size_t kMaxLogEntries = 200;

}  // namespace

std::ostream& operator<<(std::ostream& os, const SharedRatePlan& p) {
  return os << "SharedRatePlan{" << p.limit << " per " << p.interval.count() << "ms, batch=" << p.batch
            << ", token_lifetime=" << p.token_lifetime.count() << "ms, transit_margin=" << p.transit_margin.count()
            << "ms}";
}

std::ostream& operator<<(std::ostream& os, const SharedSlotPlan& p) {
  return os << "SharedSlotPlan{" << p.slots << " slots, lease=" << p.lease.count()
            << "ms, heartbeat=" << p.heartbeat.count() << "ms, linger=" << p.linger.count()
            << "ms, max_reuses=" << p.max_reuses << "}";
}

SharedRatePlan plan_shared_rate(const RateLimit& limit) {
  SharedRatePlan p;
  p.limit = std::max(0, limit.requests_per_interval);
  p.interval = limit.interval;
  if (!p.enabled()) return p;
  // Small against the limit: what one process may hold unspent.
  p.batch = std::max(1, std::min(5, p.limit / 20));
  // A token has time to reach a request that is ready (a fraction of the interval, so the span
  // loses little of the limit), and the margin covers the network between hosts and source.
  p.token_lifetime = std::clamp(limit.interval / 40, milliseconds(10), milliseconds(1'500));
  p.transit_margin = std::clamp(limit.interval / 100, milliseconds(5), milliseconds(500));
  return p;
}

int TakeLog::total() const {
  int n = 0;
  for (const auto& t : takes) n += t.second;
  return n;
}

LogTake take_tokens(const TakeLog& log, std::int64_t now_us, int want, const SharedRatePlan& p) {
  LogTake out;
  const std::int64_t span = p.span().count();
  const std::int64_t now = log.takes.empty() ? now_us : std::max(now_us, log.takes.back().first);
  for (const auto& t : log.takes) {
    if (t.first + span > now) out.after.takes.push_back(t);  // still within (now - span, now]
  }
  want = std::max(0, want);
  out.granted = std::clamp(p.limit - out.after.total(), 0, want);
  if (out.granted > 0) {
    if (!out.after.takes.empty() && out.after.takes.back().first == now) out.after.takes.back().second += out.granted;
    else out.after.takes.emplace_back(now, out.granted);
  }
  while (out.after.takes.size() > kMaxLogEntries) {
    out.after.takes[1].second += out.after.takes[0].second;
    out.after.takes.erase(out.after.takes.begin());
  }
  // Room for `want` more (at least one, at most the limit) opens as the oldest takes leave.
  int excess = out.after.total() + std::clamp(want, 1, p.limit) - p.limit;
  for (const auto& t : out.after.takes) {
    if (excess <= 0) break;
    excess -= t.second;
    out.next_in = std::chrono::microseconds(t.first + span - now);
  }
  return out;
}

std::string to_array_literal(const TakeLog& log) {
  std::string out = "{";
  for (const auto& [at, n] : log.takes) {
    if (out.size() > 1) out += ',';
    out += std::to_string(at) + ',' + std::to_string(n);
  }
  return out + "}";
}

TakeLog parse_take_log(const std::string& text) {
  auto refuse = [&] { throw Error(ErrorKind::database, "state.rate_budgets.recent_takes is not a take log: " + text); };
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') refuse();
  std::vector<std::int64_t> numbers;
  std::string_view rest(text.data() + 1, text.size() - 2);
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size()) refuse();
    numbers.push_back(v);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
    if (rest.empty()) refuse();  // a trailing comma
  }
  if (numbers.size() % 2 != 0) refuse();
  TakeLog log;
  for (size_t i = 0; i < numbers.size(); i += 2) {
    if (numbers[i + 1] <= 0 || numbers[i + 1] > 1'000'000'000) refuse();
    log.takes.emplace_back(numbers[i], static_cast<int>(numbers[i + 1]));
  }
  return log;
}

SharedSlotPlan plan_shared_slots(const RateLimit& limit) {
  SharedSlotPlan p;
  p.slots = std::max(0, limit.max_concurrent);
  return p;
}

AfterUse after_use(bool leases_in_doubt, int uses, const SharedSlotPlan& p) {
  return !leases_in_doubt && uses < p.max_reuses ? AfterUse::keep : AfterUse::release;
}

}  // namespace tributary::http
