// Private to the mock: the server's state and request pipeline, shared by qbo_mock.cpp (data
// API, token endpoint, lifecycle) and qbo_admin.cpp (the /__admin control endpoints).
#pragma once

#include <httplib.h>

#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "mock/common/http_faults.hpp"
#include "mock/common/mock_server.hpp"
#include "mock/qbo_auth.hpp"
#include "mock/qbo_data.hpp"
#include "mock/qbo_faults.hpp"
#include "mock/qbo_limits.hpp"
#include "mock/qbo_mock.hpp"
#include "mock/qbo_query.hpp"

namespace tributary::mock {

struct PagingMutation {
  int on_query_request = 0;
  int count = 0;
  int seen = 0;
};

class QboMock::Impl {
 public:
  explicit Impl(QboMockOptions options);
  ~Impl();

  int start(const std::string& host, int port);
  void stop();
  std::string base_url() const;

  // Public API, all under mutex_.
  std::string current_refresh_token() const;
  std::vector<MockRecord> records(const std::string& entity) const;
  void add_fault(FaultRule rule);
  void expire_access_tokens();
  void revoke_refresh_tokens();
  void touch(const std::string& entity, const std::vector<std::string>& ids);
  void mutate_during_paging(const std::string& entity, int on_query_request, int count);
  void skew_counts(const std::string& entity, int delta);
  QboMockStats stats() const;

 private:
  void register_routes(httplib::Server& svr);
  void register_admin_routes(httplib::Server& svr);  // qbo_admin.cpp

  void handle_query(const httplib::Request& req, httplib::Response& res);
  void handle_token(const httplib::Request& req, httplib::Response& res);
  HttpAnswer answer_query(const httplib::Request& req, const std::string& realm, BodyFormat format);
  std::optional<std::string> statement_of(const httplib::Request& req) const;
  void maybe_mutate_for_paging(const Query& q);  // caller holds mutex_

  std::optional<FaultRule> take_fault(const std::string& path);  // caller holds mutex_
  // Runs `normal` unless the fault replaces the answer; sends it, possibly cut short.
  template <typename Fn>
  void answer_or_fault(const std::optional<FaultRule>& fault, BodyFormat format,
                       httplib::Response& res, Fn normal);
  void send(httplib::Response& res, HttpAnswer answer, bool drop_connection);

  QboMockOptions options_;
  std::map<std::string, int> count_skew_;  // entity -> delta added to COUNT(*) answers
  mutable std::mutex mutex_;
  Dataset data_;
  TokenStore tokens_;
  RequestLimiter limiter_;
  FaultQueue<FaultRule> faults_;
  std::map<std::string, PagingMutation> paging_mutations_;
  QboMockStats stats_;

  MockServer server_;
};

}  // namespace tributary::mock
