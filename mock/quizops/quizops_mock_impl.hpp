// Private to the mock: state and handlers, shared by quizops_mock.cpp (API, lifecycle) and
// quizops_admin.cpp (the /__admin control endpoints).
#pragma once

#include <httplib.h>

#include <mutex>

#include "mock/common/http_faults.hpp"
#include "mock/common/mock_server.hpp"
#include "mock/common/traffic.hpp"
#include "mock/quizops/quizops_data.hpp"
#include "mock/quizops/quizops_mock.hpp"

namespace tributary::mock {

class QuizopsMock::Impl {
 public:
  explicit Impl(QuizopsMockOptions options);
  ~Impl();

  int start(const std::string& host, int port);
  void stop();
  std::string base_url() const { return server_.base_url(); }

  // Public API, all under mutex_ (traffic_ has its own).
  std::vector<QuizopsRecord> records(const std::string& kind) const;
  void add_fault(HttpFaultRule rule) { traffic_.add_fault(std::move(rule)); }
  void touch(const std::string& kind, const std::vector<std::string>& keys);
  void repeat_cursor_once();
  MockStats stats() const { return traffic_.stats(); }

 private:
  void register_routes(httplib::Server& svr);
  void register_admin_routes(httplib::Server& svr);  // quizops_admin.cpp

  bool authorized(const httplib::Request& req) const;
  HttpAnswer answer_quizzes(const httplib::Request& req);
  HttpAnswer answer_changes(QuizopsKind kind, const httplib::Request& req);

  QuizopsMockOptions options_;
  mutable std::mutex mutex_;
  QuizopsData data_;
  bool repeat_cursor_once_ = false;
  Traffic traffic_;
  MockServer server_;
};

// Unknown kind -> std::invalid_argument (the admin endpoints answer it 400).
QuizopsKind require_quizops_kind(const std::string& kind);

}  // namespace tributary::mock
