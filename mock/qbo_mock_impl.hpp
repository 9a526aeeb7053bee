// Private to the mock: the server's state and request pipeline, shared by qbo_mock.cpp (data
// API pipeline, query and token endpoints, lifecycle), qbo_mock_changes.cpp (deletions and the
// CDC endpoint) and qbo_admin.cpp (the /__admin control endpoints).
#pragma once

#include <httplib.h>

#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "mock/common/http_faults.hpp"
#include "mock/common/mock_server.hpp"
#include "mock/common/request_log.hpp"
#include "mock/qbo_auth.hpp"
#include "mock/qbo_data.hpp"
#include "mock/qbo_faults.hpp"
#include "mock/qbo_limits.hpp"
#include "mock/qbo_mock.hpp"
#include "mock/qbo_query.hpp"
#include "mock/qbo_query_eval.hpp"

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
  std::vector<MockRecord> deleted_records(const std::string& entity) const;  // qbo_mock_changes.cpp
  void add_fault(FaultRule rule);
  void expire_access_tokens();
  void revoke_refresh_tokens();
  void touch(const std::string& entity, const std::vector<std::string>& ids);
  void delete_records(const std::string& entity, const std::vector<std::string>& ids);   // qbo_mock_changes.cpp
  void restore_records(const std::string& entity, const std::vector<std::string>& ids);  // qbo_mock_changes.cpp
  void mutate_during_paging(const std::string& entity, int on_query_request, int count);
  void skew_counts(const std::string& entity, int delta);
  QboMockStats stats() const;

 private:
  void register_routes(httplib::Server& svr);
  void register_admin_routes(httplib::Server& svr);  // qbo_admin.cpp

  // Builds the answer of an admitted data API request; called without mutex_ held.
  using DataAnswer = HttpAnswer (Impl::*)(const httplib::Request&, const std::string& realm, BodyFormat);
  // Every data API endpoint's pipeline: counting (`counter` names the endpoint's own count), the
  // realm's throttles, injected faults, latency, then `answer`.
  void handle_data_api(const httplib::Request& req, httplib::Response& res, int QboMockStats::*counter,
                       DataAnswer answer);
  void handle_token(const httplib::Request& req, httplib::Response& res);
  // 401 for a bad bearer token, 403 for a realm not the mock's; nullopt when access is granted.
  // Caller holds mutex_.
  std::optional<HttpAnswer> check_access(const httplib::Request& req, const std::string& realm,
                                         BodyFormat format, std::int64_t now_ms);
  HttpAnswer answer_query(const httplib::Request& req, const std::string& realm, BodyFormat format);
  HttpAnswer answer_cdc(const httplib::Request& req, const std::string& realm, BodyFormat format);  // qbo_mock_changes.cpp
  std::optional<std::string> statement_of(const httplib::Request& req) const;
  void maybe_mutate_for_paging(const Query& q);  // caller holds mutex_
  // select_rows, remembered: paging a window asks for the same rows once per page. Caller holds mutex_.
  std::variant<Selection, QueryError> select_cached(const Query& q);
  // Applies a Dataset mutation (touch, remove, restore) at now to each numeric id; ids that are
  // not numbers are skipped like unknown ones. Throws std::invalid_argument on an unknown entity.
  void mutate_ids(const std::string& entity, const std::vector<std::string>& ids,
                  bool (Dataset::*mutation)(EntityKind, int, std::int64_t));

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
  struct CachedSelection {
    std::string key;
    std::uint64_t generation = 0;
    Selection selection;
  };
  std::vector<CachedSelection> selections_;  // the last few, newest last
  RequestLog request_log_;

  MockServer server_;
};

}  // namespace tributary::mock
