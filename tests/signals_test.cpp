// SIGINT/SIGTERM become a stop request; the thread that waits for them is owned and joined.
// Each case runs in a forked child: signals sent to a whole process must not reach the test
// runner, and a child that hangs is killed at a deadline instead of hanging the suite.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

#include "cli/signals.hpp"

namespace tributary::cli {
namespace {

using namespace std::chrono_literals;

// Runs `body` in a child; returns its exit code, or -1 when it did not exit before the deadline.
int in_child(const std::function<int()>& body, std::chrono::seconds deadline = 20s) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  auto until = std::chrono::steady_clock::now() + deadline;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > until) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(5ms);  // polling the child's exit, bounded by the deadline
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Polls `stop` until it is requested or `deadline` passes.
bool stop_seen(const StopFlag& stop, std::chrono::seconds deadline = 10s) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!stop.stop_requested()) {
    if (std::chrono::steady_clock::now() > until) return false;
    stop.sleep_for(5ms);
  }
  return true;
}

TEST(SignalRouter, ASignalBecomesAStopRequestAndTheRouterShutsDownCleanly) {
  EXPECT_EQ(in_child([] {
              StopFlag stop;
              {
                SignalRouter router(stop);
                if (stop.stop_requested()) return 2;
                kill(getpid(), SIGTERM);
                if (!stop_seen(stop)) return 3;
              }  // the destructor wakes and joins the thread; a hang is caught by the deadline
              return 0;
            }),
            0);
}

TEST(SignalRouter, DestroyingItWithoutASignalJoinsItsThreadAndRequestsNoStop) {
  EXPECT_EQ(in_child([] {
              for (int i = 0; i < 3; ++i) {  // and a second router works after the first is gone
                StopFlag stop;
                { SignalRouter router(stop); }
                if (stop.stop_requested()) return 2;
              }
              StopFlag stop;
              SignalRouter router(stop);
              kill(getpid(), SIGINT);
              return stop_seen(stop) ? 0 : 3;
            }),
            0);
}

TEST(SignalRouter, ASecondSignalExitsAtOnceWith130) {
  EXPECT_EQ(in_child([] {
              StopFlag stop;
              SignalRouter router(stop);
              kill(getpid(), SIGINT);
              if (!stop_seen(stop)) return 3;
              kill(getpid(), SIGINT);
              // The router's thread ends the process; nothing here will.
              for (;;) pause();
            }),
            130);
}

}  // namespace
}  // namespace tributary::cli
