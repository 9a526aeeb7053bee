#include "engine/window_sizing.hpp"

#include <algorithm>

namespace tributary::engine {
namespace {

class Sizer {
 public:
  Sizer(const SizingPolicy& policy, const Probe& probe) : policy_(policy), probe_(probe) {}

  void cut(const Window& w) {
    if (probes_ >= policy_.max_probes) return by_chunk(w);
    ++probes_;
    const Density d = probe_(w);
    if (!d.more && d.records <= policy_.window_records) return out_.push_back(w);  // few: one window
    if (w.end - w.start <= policy_.step) return out_.push_back(w);  // cannot cut finer
    if (!d.exact) {
      // Uncounted and more than a page: halves until a chunk, so a long quiet stretch around a
      // busy one costs a probe per halving, not a window per chunk.
      if (w.end - w.start <= policy_.chunk) return out_.push_back(w);
      Timestamp middle = std::max(floor_to(w.start + (w.end - w.start) / 2, policy_.step), w.start + policy_.step);
      cut(Window{w.start, middle});
      if (middle < w.end) cut(Window{middle, w.end});
      return;
    }
    // Counted and dense: about window_records each, assuming records spread evenly; each piece
    // is looked at again, so an uneven spread is cut further where it is dense.
    const long long pieces = (d.records + policy_.window_records - 1) / policy_.window_records;
    const Duration length = (w.end - w.start) / static_cast<int>(std::min<long long>(pieces, 1'000'000));
    for (Timestamp t = w.start; t < w.end;) {
      Timestamp next = std::min(w.end, std::max(floor_to(t + length, policy_.step), t + policy_.step));
      cut(Window{t, next});
      t = next;
    }
  }

  std::vector<Window> take() { return std::move(out_); }

 private:
  void by_chunk(const Window& w) {
    auto plan = WindowPlan{w.start, w.end, policy_.chunk}.windows();
    out_.insert(out_.end(), plan.begin(), plan.end());
  }

  const SizingPolicy& policy_;
  const Probe& probe_;
  int probes_ = 0;
  std::vector<Window> out_;
};

}  // namespace

std::vector<Window> size_windows(const Window& range, const SizingPolicy& policy, const Probe& probe) {
  Sizer sizer(policy, probe);
  sizer.cut(range);
  return sizer.take();
}

}  // namespace tributary::engine
