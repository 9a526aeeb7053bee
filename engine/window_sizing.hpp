#pragma once
// How a sync cuts its range into windows: one window where the source holds few records (a
// month of little activity costs a handful of requests, not one per empty chunk); where it can
// count (QuickBooks' COUNT(*)), pieces of about `window_records`, so a dense stretch is split;
// where it cannot, halves while a first page comes back full, down to the default chunk.
#include <functional>
#include <vector>

#include "core/window.hpp"

namespace tributary::engine {

// What one look at a range showed.
struct Density {
  long long records = 0;  // counted, or read on a first page that held them all
  bool exact = false;     // the source counted them
  bool more = false;      // the first page did not end paging: at least `records`, count unknown
};

using Probe = std::function<Density(const Window&)>;

struct SizingPolicy {
  Duration chunk;            // the stream's default window length
  long long window_records;  // aim: about this many records per window
  Duration step;             // window bounds fall on multiples of it (what requests can express)
  int max_probes = 64;       // past this, ranges are cut by `chunk` without looking
};

// Consecutive windows covering `range` exactly. `probe` is called at most policy.max_probes times.
std::vector<Window> size_windows(const Window& range, const SizingPolicy& policy, const Probe& probe);

}  // namespace tributary::engine
