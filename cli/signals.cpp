#include "cli/signals.hpp"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace tributary::cli {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

SignalRouter::SignalRouter(StopFlag& stop) {
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every thread started after this
  thread_ = std::jthread([this, &stop] { wait_for_signals(stop); });
}

SignalRouter::~SignalRouter() {
  closing_ = true;
  // sigwait cannot be cancelled; a signal aimed at this one thread wakes it, and closing_ tells
  // it that the signal is ours. The signals stay blocked: the process is on its way out.
  pthread_kill(thread_.native_handle(), SIGTERM);
  thread_.join();
}

void SignalRouter::wait_for_signals(StopFlag& stop) {
  sigset_t set = stop_signals();
  for (int count = 0;; ++count) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0 || closing_) return;
    if (count > 0) std::_Exit(130);
    spdlog::warn("received {}, finishing the current pages and stopping (again to exit at once)",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
    stop.request_stop();
  }
}

}  // namespace tributary::cli
