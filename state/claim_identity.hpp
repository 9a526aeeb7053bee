#pragma once
// Who holds a window. A claim names a worker thread of one process instance:
//   <instance>/<host>:<pid>:<thread>@<boot>.<pidns>.<start>
// e.g. 3f9a1c0b7d2e/web-1:1:0@5b1d2e3f4a6c.4026531836.123456.
// - `instance`, 12 random hex digits drawn when the process starts, is what makes a claim
//   unique: a restarted pod keeps its host name and is pid 1 again, two containers may both be
//   host:1, so host and pid alone can neither fence a window nor say whose it is.
// - host, pid and thread are for people reading `tributary status` and logs.
// - boot id, pid namespace and the process's start time (clock ticks since boot, /proc) are what
//   let a process tell at once that a claim's process is gone: only a claim made under the same
//   kernel boot and the same pid namespace names a pid we can look up, and only a process with
//   that pid *and* that start time is the one that claimed (a reused pid starts later). Any other
//   claim is judged by its lease alone.
#include <optional>
#include <string>
#include <string_view>

namespace tributary::state {

struct ProcessIdentity {
  std::string instance;  // 12 hex digits, random
  std::string host;
  long pid = 0;
  std::string boot;               // the kernel's boot id, 12 hex digits ("" when unknown)
  unsigned long long pidns = 0;   // inode of the pid namespace (0 when unknown)
  unsigned long long start = 0;   // start time in clock ticks since boot (0 when unknown)

  // This process, read once (the identity is the process's own: it cannot differ per caller).
  static const ProcessIdentity& current();
};

struct ClaimIdentity {
  ProcessIdentity process;
  int thread = 0;
};

std::string format_claim(const ClaimIdentity& claim);
// What every claim of the process's threads starts with ("<instance>/").
std::string claim_prefix(const ProcessIdentity& process);
// nullopt for text in any other shape (claims written by earlier tributaries: "host:pid:n").
std::optional<ClaimIdentity> parse_claim(std::string_view text);
// The instance part of a claim ("" when it does not parse).
std::string claim_instance(std::string_view text);

// What a claim's liveness can be known from, here.
enum class ClaimLiveness { alive, dead, unknown };

// `start_of_pid`: the start time of the process that now has the claim's pid in our namespace,
// nullopt when there is none. Pure: the caller reads /proc.
ClaimLiveness local_liveness(const ClaimIdentity& claim, const ProcessIdentity& self,
                             std::optional<unsigned long long> start_of_pid);

// Reads /proc/<pid>/stat's start time; nullopt when no such process.
std::optional<unsigned long long> process_start_ticks(long pid);

// "<thread>"-th worker id of this process.
std::string make_worker_id(int thread_index);

}  // namespace tributary::state
