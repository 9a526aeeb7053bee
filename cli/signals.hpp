#pragma once
// SIGINT/SIGTERM as a stop request, taken from a dedicated thread (so no lock is ever taken
// inside a signal handler). A second signal exits at once with 130.
#include <atomic>
#include <thread>

#include "core/interrupt.hpp"

namespace tributary::cli {

// Owns the thread that waits for the signals. Declare it after the StopFlag it signals: it is
// then destroyed first, and its destructor joins the thread, so the thread never touches a flag
// that is gone (a detached thread could, during the exit after a command returns).
class SignalRouter {
 public:
  // Blocks SIGINT/SIGTERM in the calling thread and every thread it starts from now on.
  explicit SignalRouter(StopFlag& stop);
  ~SignalRouter();
  SignalRouter(const SignalRouter&) = delete;
  SignalRouter& operator=(const SignalRouter&) = delete;

 private:
  void wait_for_signals(StopFlag& stop);

  std::atomic<bool> closing_{false};
  std::jthread thread_;  // last member: started once closing_ exists, joined first
};

}  // namespace tributary::cli
