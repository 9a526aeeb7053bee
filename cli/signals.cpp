#include "cli/signals.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <thread>

namespace tributary::cli {

void route_signals_to(StopFlag& stop) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every thread started after this
  std::thread([set, &stop] {
    for (int count = 0;; ++count) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) return;
      if (count > 0) std::_Exit(130);
      spdlog::warn("received {}, finishing the current pages and stopping (again to exit at once)",
                   sig == SIGINT ? "SIGINT" : "SIGTERM");
      stop.request_stop();
    }
  }).detach();
}

}  // namespace tributary::cli
