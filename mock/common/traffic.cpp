#include "mock/common/traffic.hpp"

namespace tributary::mock {

void Traffic::add_fault(HttpFaultRule rule) {
  std::lock_guard lock(mutex_);
  faults_.add(std::move(rule));
}

MockStats Traffic::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::optional<HttpFaultRule> Traffic::arrive(const httplib::Request& req) {
  std::lock_guard lock(mutex_);
  stats_.requests += 1;
  stats_.targets.push_back(req.target);
  auto fault = faults_.take(req.path);
  if (fault) stats_.faults_served += 1;
  return fault;
}

void Traffic::serve(const httplib::Request& req, httplib::Response& res, const std::function<HttpAnswer()>& normal) {
  auto fault = arrive(req);
  HttpAnswer a = answer_with_fault(fault, "application/json", normal,
                                   [this](const HttpFaultRule& f) { return injected_(f.status); });
  if (fault && fault->html_page) {
    a = plain_answer(200, "text/html; charset=utf-8",
                     "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
                     "<body><form action=\"/login\">Please sign in</form></body></html>\n");
  }
  {
    std::lock_guard lock(mutex_);
    stats_.by_status[a.status] += 1;
  }
  write_answer(res, std::move(a), fault && fault->drop_connection);
}

}  // namespace tributary::mock
