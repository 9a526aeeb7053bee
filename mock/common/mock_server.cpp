#include "mock/common/mock_server.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <chrono>
#include <mutex>
#include <stdexcept>

namespace tributary::mock {
namespace {

// httplib listens with a backlog of 5 (compiled into the shared library). A burst of more
// concurrent connects than that gets SYNs dropped and a 1 s retransmit, which would hide
// throttling and timing behaviour behind kernel delays; listen() again with a real backlog.
class ListeningServer : public httplib::Server {
 public:
  void widen_backlog() { ::listen(svr_sock_, 128); }
};

std::shared_ptr<spdlog::logger> request_log(const std::string& name) {
  static std::mutex registry;  // two mocks starting at once must not both create the logger
  std::lock_guard lock(registry);
  auto existing = spdlog::get(name);
  return existing ? existing : spdlog::stderr_color_mt(name);
}

}  // namespace

MockServer::MockServer(std::string name, std::string logger, std::size_t worker_threads)
    : name_(std::move(name)), logger_(std::move(logger)), worker_threads_(worker_threads) {}

MockServer::~MockServer() { stop(); }

int MockServer::start(const std::string& host, int port, const std::function<void(httplib::Server&)>& routes) {
  if (server_) throw std::runtime_error(name_ + " already started");
  auto server = std::make_unique<ListeningServer>();
  ListeningServer* listening = server.get();
  server_ = std::move(server);
  std::size_t workers = worker_threads_;
  server_->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server_->set_keep_alive_max_count(100);
  server_->set_keep_alive_timeout(2);  // short, so stop() never waits long on idle clients
  server_->set_logger([log = request_log(logger_)](const httplib::Request& req, const httplib::Response& res) {
    log->debug("{} {} -> {}", req.method, req.path, res.status);
  });
  routes(*server_);
  if (!not_found_body_.empty()) {
    httplib::Server::HandlerWithResponse handler = [body = not_found_body_](const httplib::Request&,
                                                                             httplib::Response& res) {
      // Only httplib's own empty 404; a route's answers are never rewritten.
      if (res.status != 404 || !res.body.empty() || res.content_provider_) {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      res.set_content(body, "application/json");
      return httplib::Server::HandlerResponse::Handled;
    };
    server_->set_error_handler(std::move(handler));
  }
  int bound = port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    server_.reset();
    throw std::runtime_error(name_ + " cannot bind " + host + ":" + std::to_string(port));
  }
  listening->widen_backlog();
  host_ = host;
  port_ = bound;
  listener_ = std::thread([svr = server_.get()] { svr->listen_after_bind(); });
  // The socket already queues connections; waiting for the accept loop also makes an
  // immediate stop() safe (httplib ignores stop() before the loop runs).
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return port_;
}

void MockServer::stop() {
  if (!server_) return;
  server_->stop();
  if (listener_.joinable()) listener_.join();
  server_.reset();
}

std::string MockServer::base_url() const {
  std::string host = (host_ == "0.0.0.0" || host_.empty()) ? "127.0.0.1" : host_;
  return "http://" + host + ":" + std::to_string(port_);
}

}  // namespace tributary::mock
