#include "mock/common/process_main.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace tributary::mock {

void add_process_flags(CLI::App& app, ProcessFlags& f) {
  app.add_option("--host", f.host, "address to bind")->capture_default_str();
  app.add_option("--port", f.port, "port to bind, 0 = any free port")->capture_default_str();
  app.add_option("--port-file", f.port_file, "write the bound port here (atomically)");
  app.add_flag("-v,--verbose", f.verbose, "log one line per request to stderr");
}

void write_port_file(const std::string& path, int port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename " + tmp);
}

int run_mock_process(const std::string& program, const ProcessFlags& flags,
                     const std::function<void(const std::function<void(const std::string&, int)>&)>& serve) {
  spdlog::set_default_logger(spdlog::stderr_color_mt(program));
  spdlog::set_level(flags.verbose ? spdlog::level::debug : spdlog::level::info);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto announce_and_wait = [&](const std::string& url, int port) {
    if (!flags.port_file.empty()) write_port_file(flags.port_file, port);
    std::cout << program << " listening on " << url << std::endl;
    int received = 0;
    sigwait(&signals, &received);
    spdlog::info("signal {} received, stopping", received);
  };
  try {
    serve(announce_and_wait);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}

}  // namespace tributary::mock
