// The request pipeline of the JSON API mocks: count the request, take the fault that applies,
// answer (injected or normal), count the status, write (possibly cut short). Thread-safe.
#pragma once

#include <httplib.h>

#include <functional>
#include <mutex>
#include <optional>

#include "mock/common/http_faults.hpp"
#include "mock/common/mock_controls.hpp"

namespace tributary::mock {

class Traffic {
 public:
  // `injected(status)` builds the mock's body for an injected status fault.
  explicit Traffic(std::function<HttpAnswer(int status)> injected) : injected_(std::move(injected)) {}

  void add_fault(HttpFaultRule rule);
  MockStats stats() const;

  // Serves one API request; `normal` runs unless a fault replaces the answer.
  void serve(const httplib::Request& req, httplib::Response& res, const std::function<HttpAnswer()>& normal);

 private:
  std::optional<HttpFaultRule> arrive(const httplib::Request& req);

  std::function<HttpAnswer(int status)> injected_;
  mutable std::mutex mutex_;
  FaultQueue<HttpFaultRule> faults_;
  MockStats stats_;
};

}  // namespace tributary::mock
