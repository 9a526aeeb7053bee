// What every tributary-mock-* executable does around its mock: the same process flags, a
// port file written atomically, one "listening on" line, and a clean exit on SIGTERM/SIGINT.
#pragma once

#include <CLI/CLI.hpp>
#include <signal.h>

#include <functional>
#include <string>

namespace tributary::mock {

struct ProcessFlags {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string port_file;
  bool verbose = false;
};

// --host, --port, --port-file, -v/--verbose
void add_process_flags(CLI::App& app, ProcessFlags& flags);

// Readers polling the file never see a partial port number (temp file + rename).
void write_port_file(const std::string& path, int port);

// Blocks SIGTERM/SIGINT (before any server thread exists, so all threads inherit the mask),
// sets up the stderr logger, then runs `serve`, which starts its mock and calls
// `announce_and_wait(url, port)`. Returns the process exit code: 0 after a signal, 1 when
// anything throws (the message is logged).
int run_mock_process(const std::string& program, const ProcessFlags& flags,
                     const std::function<void(const std::function<void(const std::string&, int)>&)>& serve);

}  // namespace tributary::mock
