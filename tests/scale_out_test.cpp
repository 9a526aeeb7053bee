// Pure parts of scale-out: who holds a window (claim identity, and when a claim's process is known
// to be gone) and how a run's status follows from its windows.
#include <gtest/gtest.h>

#include <unistd.h>

#include "state/claim_identity.hpp"
#include "state/run_status.hpp"

namespace tributary::state {
namespace {

ProcessIdentity here() {
  ProcessIdentity p;
  p.instance = "3f9a1c0b7d2e";
  p.host = "web-1";
  p.pid = 1;
  p.boot = "5b1d2e3f4a6c";
  p.pidns = 4026531836ULL;
  p.start = 123456;
  return p;
}

TEST(ClaimIdentity, FormatsAndParsesBack) {
  ClaimIdentity c{here(), 3};
  auto text = format_claim(c);
  EXPECT_EQ(text, "3f9a1c0b7d2e/web-1:1:3@5b1d2e3f4a6c.4026531836.123456");
  auto back = parse_claim(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->process.instance, "3f9a1c0b7d2e");
  EXPECT_EQ(back->process.host, "web-1");
  EXPECT_EQ(back->process.pid, 1);
  EXPECT_EQ(back->thread, 3);
  EXPECT_EQ(back->process.boot, "5b1d2e3f4a6c");
  EXPECT_EQ(back->process.pidns, 4026531836ULL);
  EXPECT_EQ(back->process.start, 123456ULL);
  EXPECT_EQ(claim_instance(text), "3f9a1c0b7d2e");
}

TEST(ClaimIdentity, RefusesOtherShapes) {
  for (const char* text : {"", "web-1:42:0", "3f9a/web-1:42:0", "3f9a/web-1:x:0@b.1.2", "/web-1:42:0@b.1.2",
                           "3f9a/web-1:42@b.1.2", "3f9a/web-1:42:0@b.1", "3f9a/web-1:42:0@b.x.2"}) {
    EXPECT_FALSE(parse_claim(text)) << text;
  }
  EXPECT_EQ(claim_instance("web-1:42:0"), "");
}

TEST(ClaimIdentity, EachProcessDrawsItsOwnInstance) {
  const auto& self = ProcessIdentity::current();
  EXPECT_EQ(self.instance.size(), 12u);
  EXPECT_EQ(self.pid, static_cast<long>(getpid()));
  EXPECT_EQ(parse_claim(make_worker_id(2))->process.instance, self.instance);
  EXPECT_EQ(parse_claim(make_worker_id(2))->thread, 2);
  // Its own start time, as /proc reads it: the basis of telling a reused pid from ours.
  EXPECT_EQ(process_start_ticks(self.pid), std::optional<unsigned long long>(self.start));
}

TEST(ClaimLiveness, OnlyTheSameBootAndPidNamespaceCanSayDeadAtOnce) {
  auto self = here();
  self.instance = "aaaaaaaaaaaa";  // another process of the same container
  ClaimIdentity claim{here(), 0};
  // The claim's pid is free here: that process is gone.
  EXPECT_EQ(local_liveness(claim, self, std::nullopt), ClaimLiveness::dead);
  // The pid is taken by a process that started later: reused, the claimant is gone.
  EXPECT_EQ(local_liveness(claim, self, 999999ULL), ClaimLiveness::dead);
  // The very process that claimed.
  EXPECT_EQ(local_liveness(claim, self, 123456ULL), ClaimLiveness::alive);
}

TEST(ClaimLiveness, AHostNameAndPidSeenElsewhereSayNothing) {
  auto self = here();
  self.instance = "bbbbbbbbbbbb";
  // A restarted pod on the same node: same host name, pid 1 again, another pid namespace. Its
  // pid 1 is not the claimant's pid 1, whatever /proc says of it.
  auto other_container = here();
  other_container.pidns = 4026532000ULL;
  EXPECT_EQ(local_liveness({other_container, 0}, self, 123456ULL), ClaimLiveness::unknown);
  EXPECT_EQ(local_liveness({other_container, 0}, self, std::nullopt), ClaimLiveness::unknown);
  // Another host (another kernel boot) that happens to have the same host name.
  auto other_host = here();
  other_host.boot = "ffffffffffff";
  EXPECT_EQ(local_liveness({other_host, 0}, self, std::nullopt), ClaimLiveness::unknown);
  // Our own claims are alive whatever /proc says.
  EXPECT_EQ(local_liveness({self, 0}, self, std::nullopt), ClaimLiveness::alive);
  // Without our own boot id nothing can be known locally.
  auto blind = self;
  blind.boot = "";
  EXPECT_EQ(local_liveness({here(), 0}, blind, std::nullopt), ClaimLiveness::unknown);
}

struct StatusCase {
  const char* name;
  RunWindowCounts counts;
  std::string stopped_because;
  std::optional<Status> status;
  std::string error;
};

TEST(RunStatus, FollowsFromTheWindows) {
  //                        total pend live exp done dwr fail
  const StatusCase cases[] = {
      {"all done", {4, 0, 0, 0, 4, 0, 0}, "", Status::done, ""},
      {"all done, some rejects", {4, 0, 0, 0, 3, 1, 0}, "", Status::done_with_rejects, ""},
      {"failed, nothing left", {4, 0, 0, 0, 3, 0, 1}, "", Status::failed, "1 window(s) failed"},
      {"failed, one still pending", {4, 1, 0, 0, 2, 0, 1}, "", std::nullopt, ""},
      {"failed, one still worked", {4, 0, 1, 0, 2, 0, 1}, "", std::nullopt, ""},
      {"failed, one abandoned (lease expired)", {4, 0, 0, 1, 2, 0, 1}, "", std::nullopt, ""},
      {"still worked elsewhere", {4, 1, 2, 0, 1, 0, 0}, "", std::nullopt, ""},
      {"interrupted, others still on it", {4, 2, 1, 0, 1, 0, 0}, "interrupted", std::nullopt, ""},
      {"interrupted, alone", {4, 2, 0, 0, 2, 0, 0}, "interrupted", Status::failed, "interrupted"},
      {"interrupted, a frozen peer's lease expired", {4, 1, 0, 1, 2, 0, 0}, "interrupted", Status::failed, "interrupted"},
      {"interrupted as the last window finished", {4, 0, 0, 0, 4, 0, 0}, "interrupted", Status::done, ""},
      {"fatal, alone", {4, 3, 0, 0, 1, 0, 0}, "credentials refused", Status::failed, "credentials refused"},
      {"fatal, others still on it", {4, 2, 1, 0, 1, 0, 0}, "credentials refused", std::nullopt, ""},
      {"no windows", {0, 0, 0, 0, 0, 0, 0}, "", std::nullopt, ""},
  };
  for (const auto& c : cases) {
    auto v = decide_run_status(c.counts, c.stopped_because);
    EXPECT_EQ(v.status, c.status) << c.name;
    EXPECT_EQ(v.error, c.error) << c.name;
  }
}

}  // namespace
}  // namespace tributary::state
