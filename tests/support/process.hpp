#pragma once
// Runs the tributary binary as a child process with a given environment, as a user would.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace tributary::testing {

struct ProcessResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

using EnvOverrides = std::map<std::string, std::string>;

// Starts `binary args...` with the parent's environment plus `env` (a value of "\x01unset"
// removes a variable); stdout/stderr go to the given files.
// This process's environment with `env` applied, as NAME=VALUE strings. Built before a fork:
// a child forked from a threaded process may not allocate (another thread may hold the
// allocator's lock at the fork) until it execs.
std::vector<std::string> child_environment(const EnvOverrides& env);

pid_t spawn(const std::string& binary, const std::vector<std::string>& args, const EnvOverrides& env,
            const std::string& out_path, const std::string& err_path);

// Waits for the child; kills it (SIGKILL) after `timeout`.
int wait_exit(pid_t pid, std::chrono::seconds timeout);

ProcessResult run(const std::string& binary, const std::vector<std::string>& args, const EnvOverrides& env,
                  std::chrono::seconds timeout = std::chrono::seconds(180));

// A file's whole content ("" when it cannot be read): a child's captured output.
std::string slurp(const std::string& path);

constexpr const char* kUnset = "\x01unset";

}  // namespace tributary::testing
