#pragma once
// An httplib server on a free loopback port, served from a thread of its own, for tests that
// script a source in-process. Header-only: the unit tests link no support library.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <thread>

namespace tributary::testing {

class LoopbackServer {
 public:
  httplib::Server server;

  // Binds, starts serving, and waits (with a deadline) until the server runs. Call after the
  // handlers are set; check with ASSERT_TRUE(started()).
  bool start() {
    port_ = server.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server.listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server.is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return server.is_running();
  }
  ~LoopbackServer() {
    server.stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }

 private:
  int port_ = 0;
  std::thread thread_;
};

}  // namespace tributary::testing
