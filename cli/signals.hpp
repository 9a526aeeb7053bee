#pragma once
#include "core/interrupt.hpp"

namespace tributary::cli {

// Blocks SIGINT/SIGTERM in every thread and turns them into a stop request on `stop` from a
// dedicated thread (so no lock is ever taken inside a signal handler). A second signal exits.
void route_signals_to(StopFlag& stop);

}  // namespace tributary::cli
