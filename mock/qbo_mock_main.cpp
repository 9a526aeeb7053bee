// tributary-mock-qbo: the QBO mock as a process, for the demo script and CLI tests.
// Prints "tributary-mock-qbo listening on http://HOST:PORT", optionally writes the port to a
// file (atomically), and serves until SIGTERM or SIGINT.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "mock/qbo_mock.hpp"

namespace {

struct Flags {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string port_file;
  bool verbose = false;
};

void add_flags(CLI::App& app, Flags& f, tributary::mock::QboMockOptions& o) {
  app.add_option("--host", f.host, "address to bind")->capture_default_str();
  app.add_option("--port", f.port, "port to bind, 0 = any free port")->capture_default_str();
  app.add_option("--port-file", f.port_file, "write the bound port here (atomically)");
  app.add_option("--realm", o.realm_id, "company (realm) id")->capture_default_str();
  app.add_option("--client-id", o.client_id)->capture_default_str();
  app.add_option("--client-secret", o.client_secret);
  app.add_option("--refresh-token", o.initial_refresh_token, "initial refresh token")->capture_default_str();
  app.add_option("--seed", o.seed, "data generator seed")->capture_default_str();
  app.add_option("--customers", o.customers)->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--invoices", o.invoices)->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--items", o.items)->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--data-start", o.data_start_utc, "first LastUpdatedTime, UTC")->capture_default_str();
  app.add_option("--data-end", o.data_end_utc, "end (exclusive) of LastUpdatedTime, UTC")->capture_default_str();
  app.add_option("--token-ttl", o.access_token_ttl_seconds, "access token lifetime, seconds")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--rpm", o.max_requests_per_minute, "requests per minute per realm, 0 = unlimited")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--concurrency", o.max_concurrent_requests, "requests in flight per realm, 0 = unlimited")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_flag("--no-rotate", [&o](std::int64_t) { o.rotate_refresh_tokens = false; },
               "keep the same refresh token on every refresh");
  app.add_flag("-v,--verbose", f.verbose, "log one line per request to stderr");
}

// Readers polling the file never see a partial port number.
void write_port_file(const std::string& path, int port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename " + tmp);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Local mock of the QuickBooks Online Accounting API"};
  Flags flags;
  tributary::mock::QboMockOptions options;
  add_flags(app, flags, options);
  CLI11_PARSE(app, argc, argv);

  spdlog::set_default_logger(spdlog::stderr_color_mt("tributary-mock-qbo"));
  spdlog::set_level(flags.verbose ? spdlog::level::debug : spdlog::level::info);

  // Block the signals before any server thread exists, then wait for them synchronously.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    tributary::mock::QboMock mock(options);
    int port = mock.start(flags.host, flags.port);
    if (!flags.port_file.empty()) write_port_file(flags.port_file, port);
    std::cout << "tributary-mock-qbo listening on " << mock.base_url() << std::endl;
    int received = 0;
    sigwait(&signals, &received);
    spdlog::info("signal {} received, stopping", received);
    mock.stop();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}
