// The HTTP server lifecycle every mock shares: bind (any free port), serve on a worker pool in
// the background, and be ready to accept before start() returns.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace tributary::mock {

class MockServer {
 public:
  // `name` prefixes bind errors ("QboMock cannot bind ..."); `logger` names the spdlog logger
  // that gets one debug line per request (method, path, status; never headers).
  MockServer(std::string name, std::string logger, std::size_t worker_threads);
  ~MockServer();  // stops
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  // Registers routes, binds (0 = free port) and serves on background threads; returns the port.
  // Throws std::runtime_error when already started or on bind failure.
  int start(const std::string& host, int port, const std::function<void(httplib::Server&)>& routes);
  void stop();
  // JSON body for requests no route matches (FastAPI's {"detail":"Not Found"}); call before
  // start(). Without it httplib's empty 404 stands.
  void answer_unknown_paths(std::string json_body) { not_found_body_ = std::move(json_body); }
  bool started() const { return server_ != nullptr; }
  std::string base_url() const;  // "http://127.0.0.1:PORT" (a wildcard host reads as 127.0.0.1)

 private:
  std::string name_;
  std::string logger_;
  std::size_t worker_threads_;
  std::string not_found_body_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  std::string host_;
  int port_ = 0;
};

}  // namespace tributary::mock
