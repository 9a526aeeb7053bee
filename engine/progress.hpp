#pragma once
// What a long run shows while it works: on a terminal, one live line redrawn every second; off
// a terminal (cron, Kubernetes, Airflow), an info line every 30 seconds. Counted from state, so
// it covers every process working on the run.
#include <chrono>
#include <optional>
#include <string>

namespace tributary::engine {

struct ProgressSnapshot {
  long long windows_total = 0;
  long long windows_done = 0;    // done or done with rejects
  long long windows_failed = 0;
  long long records = 0;
  long retries = 0;    // this process's
  long throttled = 0;  // this process's 429s
  long long windows_pending = 0;  // not claimed yet
};

// "windows 12/40 done, 1 failed | 34120 records, 2300/s | ETA 41s | 3 retries, 1 throttled".
// Rate and ETA come from what changed since `start`, `elapsed` ago; absent until something has.
std::string progress_line(const ProgressSnapshot& start, const ProgressSnapshot& now, std::chrono::milliseconds elapsed);

class ProgressReporter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ProgressReporter(bool terminal);
  // How often tick() wants to be called.
  std::chrono::milliseconds interval() const;
  // Shows `now` if the interval has passed since the last line.
  void tick(const ProgressSnapshot& now);
  // Clears the live line (terminal) before the summary is printed.
  void finish();

 private:
  bool terminal_;
  Clock::time_point started_ = Clock::now();
  std::optional<Clock::time_point> last_;
  std::optional<ProgressSnapshot> first_;
  bool drawn_ = false;
};

}  // namespace tributary::engine
