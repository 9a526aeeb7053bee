#pragma once
// What an operator runs between scheduled syncs: the state of every stream, the failed windows
// still to retry, retrying them, and forgetting a stream's state.
#include "cli/run_commands.hpp"

namespace tributary::cli {

struct StatusOptions {
  long long run_id = 0;
  int limit = 20;
  bool json = false;
};

struct WindowsOptions {
  bool failed = false;
  std::string stream;
};

struct RetryOptions {
  long long window_id = 0;
  bool failed = false;
  std::string stream;
  std::string config;  // default: each run's recorded file
  int workers = 0;  // 0: adapts to the source (engine/worker_governor.hpp)
  int wait_seconds = 0;
  int lease_seconds = 0;
};

struct ResetOptions {
  std::string config;
  std::string stream;
  bool confirm = false;
};

int cmd_status(const GlobalOptions& g, const StatusOptions& o);
int cmd_windows(const GlobalOptions& g, const WindowsOptions& o);
int cmd_retry(const GlobalOptions& g, const RetryOptions& o, StopFlag& stop);
int cmd_reset(const GlobalOptions& g, const ResetOptions& o);

}  // namespace tributary::cli
