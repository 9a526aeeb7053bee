// Private to the mock: state and handlers, shared by rest_mock.cpp (API, lifecycle) and
// rest_admin.cpp (the /__admin control endpoints).
#pragma once

#include <httplib.h>

#include <cstdint>
#include <mutex>
#include <vector>

#include "mock/common/http_faults.hpp"
#include "mock/common/mock_server.hpp"
#include "mock/common/traffic.hpp"
#include "mock/rest/rest_data.hpp"
#include "mock/rest/rest_mock.hpp"

namespace tributary::mock {

class RestMock::Impl {
 public:
  explicit Impl(RestMockOptions options);
  ~Impl();

  int start(const std::string& host, int port);
  void stop();
  std::string base_url() const { return server_.base_url(); }

  // Public API, all under mutex_ (traffic_ has its own).
  std::vector<RestRecord> records() const;
  void add_fault(HttpFaultRule rule) { traffic_.add_fault(std::move(rule)); }
  void touch(const std::vector<int>& ids);
  void set_payload(int id, std::string raw);
  void touch_on_request(int nth, std::vector<int> ids);
  void remove(const std::vector<int>& ids);
  void restore(const std::vector<int>& ids);
  std::vector<RestRecord> deleted() const;
  MockStats stats() const { return traffic_.stats(); }

 private:
  void register_routes(httplib::Server& svr);
  void register_admin_routes(httplib::Server& svr);  // rest_admin.cpp

  // Auth, then `window(req)` and `answer(window)` under the data mutex (BadRequest -> 400).
  template <typename Window, typename Fn>
  HttpAnswer guarded(const httplib::Request& req, Window window, Fn answer);
  HttpAnswer answer_items(const httplib::Request& req);
  HttpAnswer answer_count(const httplib::Request& req);
  HttpAnswer answer_deleted(const httplib::Request& req);
  std::string origin_of(const httplib::Request& req) const;
  // Counts a GET /items arrival and fires the touch_on_request hooks due on it.
  void arrive_items();

  struct TouchHook {
    std::uint64_t at_request = 0;  // the value of items_requests_ that fires it
    std::vector<int> ids;
  };

  RestMockOptions options_;
  mutable std::mutex mutex_;
  RestData data_;
  std::uint64_t items_requests_ = 0;  // GET /items arrivals, for touch_on_request
  std::vector<TouchHook> touch_hooks_;
  Traffic traffic_;
  MockServer server_;
};

}  // namespace tributary::mock
