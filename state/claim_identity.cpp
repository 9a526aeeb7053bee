#include "state/claim_identity.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <random>
#include <sstream>

namespace tributary::state {
namespace {

std::string random_hex(int digits) {
  std::random_device device;  // /dev/urandom on Linux: never the same sequence in two processes
  std::string out;
  const char* hex = "0123456789abcdef";
  while (static_cast<int>(out.size()) < digits) {
    auto bits = device();
    for (int i = 0; i < 8 && static_cast<int>(out.size()) < digits; ++i, bits >>= 4) out += hex[bits & 0xf];
  }
  return out;
}

std::string host_name() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id, out;
  std::getline(in, id);
  for (char c : id) {
    if (c != '-' && out.size() < 12) out += c;
  }
  return out;
}

unsigned long long pid_namespace() {
  struct stat st {};
  return ::stat("/proc/self/ns/pid", &st) == 0 ? static_cast<unsigned long long>(st.st_ino) : 0;
}

template <typename T>
std::optional<T> number(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

const ProcessIdentity& ProcessIdentity::current() {
  static const ProcessIdentity self = [] {
    ProcessIdentity p;
    p.instance = random_hex(12);
    p.host = host_name();
    p.pid = static_cast<long>(getpid());
    p.boot = boot_id();
    p.pidns = pid_namespace();
    p.start = process_start_ticks(p.pid).value_or(0);
    return p;
  }();
  return self;
}

std::optional<unsigned long long> process_start_ticks(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // Field 2 (the command) may hold spaces and parentheses: count fields after the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 22) return number<unsigned long long>(field);
  }
  return std::nullopt;
}

std::string claim_prefix(const ProcessIdentity& p) { return p.instance + "/"; }

std::string format_claim(const ClaimIdentity& c) {
  const auto& p = c.process;
  return claim_prefix(p) + p.host + ":" + std::to_string(p.pid) + ":" + std::to_string(c.thread) + "@" + p.boot +
         "." + std::to_string(p.pidns) + "." + std::to_string(p.start);
}

std::optional<ClaimIdentity> parse_claim(std::string_view text) {
  auto slash = text.find('/');
  auto at = text.rfind('@');
  if (slash == std::string_view::npos || at == std::string_view::npos || at < slash) return std::nullopt;
  ClaimIdentity c;
  c.process.instance = std::string(text.substr(0, slash));
  if (c.process.instance.empty()) return std::nullopt;
  // host:pid:thread (a host name holds no ':')
  auto who = text.substr(slash + 1, at - slash - 1);
  auto c1 = who.find(':');
  auto c2 = who.rfind(':');
  if (c1 == std::string_view::npos || c1 == c2) return std::nullopt;
  c.process.host = std::string(who.substr(0, c1));
  auto pid = number<long>(who.substr(c1 + 1, c2 - c1 - 1));
  auto thread = number<int>(who.substr(c2 + 1));
  // boot.pidns.start
  auto where = text.substr(at + 1);
  auto d1 = where.find('.');
  auto d2 = where.rfind('.');
  if (!pid || !thread || d1 == std::string_view::npos || d1 == d2) return std::nullopt;
  c.process.boot = std::string(where.substr(0, d1));
  auto ns = number<unsigned long long>(where.substr(d1 + 1, d2 - d1 - 1));
  auto start = number<unsigned long long>(where.substr(d2 + 1));
  if (!ns || !start) return std::nullopt;
  c.process.pid = *pid;
  c.thread = *thread;
  c.process.pidns = *ns;
  c.process.start = *start;
  return c;
}

std::string claim_instance(std::string_view text) {
  auto c = parse_claim(text);
  return c ? c->process.instance : "";
}

ClaimLiveness local_liveness(const ClaimIdentity& claim, const ProcessIdentity& self,
                             std::optional<unsigned long long> start_of_pid) {
  const auto& p = claim.process;
  if (p.instance == self.instance) return ClaimLiveness::alive;
  // Another kernel boot or pid namespace (another host, another container): its pid means
  // nothing here, whatever the host name says.
  if (self.boot.empty() || self.pidns == 0 || p.boot != self.boot || p.pidns != self.pidns) {
    return ClaimLiveness::unknown;
  }
  if (p.start == 0) return ClaimLiveness::unknown;  // its start time could not be read
  if (!start_of_pid) return ClaimLiveness::dead;
  return *start_of_pid == p.start ? ClaimLiveness::alive : ClaimLiveness::dead;  // else: the pid was reused
}

std::string make_worker_id(int thread_index) {
  return format_claim({ProcessIdentity::current(), thread_index});
}

}  // namespace tributary::state
