#include "mock/qbo_mock.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "mock/qbo_mock_impl.hpp"
#include "mock/qbo_query_eval.hpp"
#include "mock/qbo_time.hpp"

namespace tributary::mock {
namespace {

// More workers than the concurrency limit, so excess concurrent requests reach the limiter and
// get QBO's 429 instead of queueing silently inside the HTTP library.
constexpr std::size_t kWorkerThreads = 48;

// Intuit stamps every answer with an intuit_tid header that support asks for.
std::string next_tid() {
  static std::atomic<unsigned long long> counter{0};
  char buf[48];
  std::snprintf(buf, sizeof buf, "1-%08llx-%016llx",
                static_cast<unsigned long long>(now_utc_ms() / 1000), ++counter);
  return buf;
}

bool is_text_content(const std::string& content_type) {
  return content_type.rfind("application/text", 0) == 0 || content_type.rfind("text/plain", 0) == 0;
}

}  // namespace

QboMock::Impl::Impl(QboMockOptions options)
    : options_(std::move(options)),
      data_(options_),
      tokens_(options_),
      limiter_(options_.max_requests_per_minute, std::chrono::milliseconds(options_.rate_interval_ms),
               options_.max_concurrent_requests),
      request_log_(options_.request_log_path),
      server_("QboMock", "qbo-mock", kWorkerThreads) {
  if (options_.cdc_max_objects < 1) throw std::invalid_argument("cdc_max_objects must be at least 1");
}

QboMock::Impl::~Impl() { stop(); }

int QboMock::Impl::start(const std::string& host, int port) {
  return server_.start(host, port, [this](httplib::Server& svr) {
    register_routes(svr);
    register_admin_routes(svr);
  });
}

void QboMock::Impl::stop() { server_.stop(); }

std::string QboMock::Impl::base_url() const { return server_.base_url(); }

void QboMock::Impl::register_routes(httplib::Server& svr) {
  auto query = [this](const httplib::Request& req, httplib::Response& res) {
    handle_data_api(req, res, &QboMockStats::query_requests, &Impl::answer_query);
  };
  svr.Get(R"(/v3/company/([^/]+)/query)", query);
  svr.Post(R"(/v3/company/([^/]+)/query)", query);
  svr.Get(R"(/v3/company/([^/]+)/cdc)", [this](const httplib::Request& req, httplib::Response& res) {
    handle_data_api(req, res, &QboMockStats::cdc_requests, &Impl::answer_cdc);
  });
  svr.Post("/oauth2/v1/tokens/bearer",
           [this](const httplib::Request& req, httplib::Response& res) { handle_token(req, res); });
}

void QboMock::Impl::handle_data_api(const httplib::Request& req, httplib::Response& res,
                                    int QboMockStats::*counter, DataAnswer answer) {
  const std::string realm = req.matches[1];
  BodyFormat format = format_for_accept(req.get_header_value("Accept"));
  const auto arrived = now_utc_ms();
  struct Logged {  // written once the answer is decided, however the handler leaves
    Impl* self;
    const httplib::Request& req;
    httplib::Response& res;
    std::int64_t arrived;
    ~Logged() { self->request_log_.add(arrived, now_utc_ms(), res.status, req.get_header_value("User-Agent")); }
  } logged{this, req, res, arrived};
  std::optional<FaultRule> fault;
  bool admitted = false;
  {
    std::lock_guard lock(mutex_);
    stats_.total_requests += 1;
    stats_.*counter += 1;
    int in_flight = 0;
    admitted = limiter_.arrive(realm, RequestLimiter::Clock::now(), in_flight);
    stats_.max_concurrent_seen = std::max(stats_.max_concurrent_seen, in_flight);
    stats_.max_requests_in_interval_seen =
        std::max(stats_.max_requests_in_interval_seen, limiter_.arrived_in_interval(realm));
    if (admitted) {
      fault = take_fault(req.path);
    } else {
      stats_.throttled += 1;
    }
  }
  if (!admitted) {
    send(res, throttled_answer(false, format_pacific_ms(now_utc_ms())), false);
    return;
  }
  // Leaves the in-flight count even if answering throws.
  struct InFlight {
    Impl* self;
    const std::string& realm;
    ~InFlight() {
      std::lock_guard lock(self->mutex_);
      self->limiter_.finish(realm);
    }
  } in_flight{this, realm};
  if (options_.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(options_.latency_ms));
  answer_or_fault(fault, format, res, [&] { return (this->*answer)(req, realm, format); });
}

void QboMock::Impl::handle_token(const httplib::Request& req, httplib::Response& res) {
  std::optional<FaultRule> fault;
  {
    std::lock_guard lock(mutex_);
    stats_.total_requests += 1;
    stats_.token_requests += 1;
    fault = take_fault(req.path);
  }
  answer_or_fault(fault, BodyFormat::Json, res, [&] {
    std::lock_guard lock(mutex_);
    return tokens_.exchange(req.get_header_value("Authorization"), req.body, now_utc_ms());
  });
}

std::optional<std::string> QboMock::Impl::statement_of(const httplib::Request& req) const {
  if (req.method == "GET") return req.get_param_value("query");
  if (is_text_content(req.get_header_value("Content-Type"))) return req.body;
  return std::nullopt;
}

namespace {
// Pads or trims the selection so COUNT(*) answers `delta` off the truth.
void apply_count_skew(Selection& s, int delta) {
  for (; delta > 0 && !s.rows.empty(); --delta) s.rows.push_back(s.rows.front());
  for (; delta < 0 && !s.rows.empty(); ++delta) s.rows.pop_back();
}
}  // namespace

void QboMock::Impl::skew_counts(const std::string& entity, int delta) {
  std::lock_guard lock(mutex_);
  count_skew_[entity] = delta;
}

void QboMock::skew_counts(const std::string& entity, int delta) { impl_->skew_counts(entity, delta); }

std::optional<HttpAnswer> QboMock::Impl::check_access(const httplib::Request& req, const std::string& realm,
                                                     BodyFormat format, std::int64_t now_ms) {
  std::string request_id = req.get_param_value("requestid");
  if (auto detail = tokens_.check_bearer(req.get_header_value("Authorization"), now_ms)) {
    return unauthorized_answer(*detail, format, request_id);
  }
  if (realm != options_.realm_id) return forbidden_answer(format, request_id);
  return std::nullopt;
}

HttpAnswer QboMock::Impl::answer_query(const httplib::Request& req, const std::string& realm,
                                       BodyFormat format) {
  std::int64_t now = now_utc_ms();
  std::lock_guard lock(mutex_);
  if (auto denied = check_access(req, realm, format, now)) return *denied;
  std::string time = format_pacific_ms(now);
  auto statement = statement_of(req);
  if (!statement) {
    return HttpAnswer{415, "text/plain", "Unsupported Media Type: send the query as application/text\n", {}};
  }
  auto parsed = parse_query(*statement);
  if (auto* err = std::get_if<QueryError>(&parsed)) return query_error_answer(*err, format, time);
  const Query& q = std::get<Query>(parsed);
  maybe_mutate_for_paging(q);
  auto selected = select_cached(q);
  if (auto* err = std::get_if<QueryError>(&selected)) return query_error_answer(*err, format, time);
  Selection& s = std::get<Selection>(selected);
  if (q.select == Query::Select::Count) apply_count_skew(s, count_skew_[q.entity]);
  return ok_answer(format, format == BodyFormat::Json ? render_json_response(q, s, time)
                                                      : render_xml_response(q, s, time));
}

namespace {
// What decides a statement's rows (not its columns or page): entity, conditions, order.
std::string selection_key(const Query& q) {
  std::string key = q.entity;
  for (const auto& c : q.where) {
    key += '\x1f' + c.property + '\x1e' + std::to_string(static_cast<int>(c.op));
    for (const auto& v : c.values) {
      key += '\x1e' + std::to_string(static_cast<int>(v.kind)) + v.text;
      if (v.timestamp_ms) key += '@' + std::to_string(*v.timestamp_ms);
    }
  }
  for (const auto& k : q.order_by) key += std::string("\x1d") + (k.descending ? '-' : '+') + k.property;
  return key;
}
// Four workers each paging a window, with their id sweeps and counts, need a dozen at most.
constexpr std::size_t kCachedSelections = 16;
}  // namespace

std::variant<Selection, QueryError> QboMock::Impl::select_cached(const Query& q) {
  std::string key = selection_key(q);
  for (const auto& c : selections_) {
    if (c.key == key && c.generation == data_.generation()) return c.selection;
  }
  auto selected = select_rows(q, data_);
  if (auto* s = std::get_if<Selection>(&selected)) {
    if (selections_.size() >= kCachedSelections) selections_.erase(selections_.begin());
    selections_.push_back(CachedSelection{std::move(key), data_.generation(), *s});
  }
  return selected;
}

void QboMock::Impl::maybe_mutate_for_paging(const Query& q) {
  if (q.select != Query::Select::All || !q.start_position) return;
  auto it = paging_mutations_.find(q.entity);
  if (it == paging_mutations_.end()) return;
  PagingMutation& m = it->second;
  if (++m.seen != m.on_query_request) return;
  int count = m.count;
  paging_mutations_.erase(it);
  auto selected = select_rows(q, data_);
  auto kind = Dataset::kind_of(q.entity);
  if (!kind || !std::holds_alternative<Selection>(selected)) return;
  const auto& rows = std::get<Selection>(selected).rows;
  // Rows before STARTPOSITION are the ones earlier pages of this statement returned.
  std::int64_t earlier = std::min<std::int64_t>(std::max<std::int64_t>(*q.start_position - 1, 0),
                                                static_cast<std::int64_t>(rows.size()));
  std::vector<int> ids;
  for (std::int64_t i = 0; i < earlier && static_cast<int>(ids.size()) < count; ++i) ids.push_back(rows[i]->id);
  for (int id : ids) data_.touch(*kind, id, now_utc_ms() / 1000);
}

std::optional<FaultRule> QboMock::Impl::take_fault(const std::string& path) {
  auto hit = faults_.take(path);
  if (hit) stats_.faults_served += 1;
  return hit;
}

template <typename Fn>
void QboMock::Impl::answer_or_fault(const std::optional<FaultRule>& fault, BodyFormat format,
                                    httplib::Response& res, Fn normal) {
  HttpAnswer a = answer_with_fault(fault, "application/json;charset=UTF-8", normal, [&](const FaultRule& f) {
    return injected_status_answer(f.status, f.throttle_body_json, format, format_pacific_ms(now_utc_ms()));
  });
  send(res, std::move(a), fault && fault->drop_connection);
}

void QboMock::Impl::send(httplib::Response& res, HttpAnswer a, bool drop_connection) {
  {
    std::lock_guard lock(mutex_);
    stats_.by_status[a.status] += 1;
  }
  res.set_header("intuit_tid", next_tid());
  write_answer(res, std::move(a), drop_connection);
}

// --- public API -------------------------------------------------------------------------

std::string QboMock::Impl::current_refresh_token() const {
  std::lock_guard lock(mutex_);
  return tokens_.current_refresh_token();
}

std::vector<MockRecord> QboMock::Impl::records(const std::string& entity) const {
  auto kind = Dataset::kind_of(entity);
  if (!kind) throw std::invalid_argument("unknown entity '" + entity + "'");
  std::lock_guard lock(mutex_);
  std::vector<MockRecord> out;
  for (const Record& r : data_.records(*kind)) {
    if (r.deleted) continue;
    out.push_back(MockRecord{std::to_string(r.id), r.json, format_utc(r.updated_utc)});
  }
  return out;
}

void QboMock::Impl::add_fault(FaultRule rule) {
  std::lock_guard lock(mutex_);
  faults_.add(std::move(rule));
}

void QboMock::Impl::expire_access_tokens() {
  std::lock_guard lock(mutex_);
  tokens_.expire_access_tokens(now_utc_ms());
}

void QboMock::Impl::revoke_refresh_tokens() {
  std::lock_guard lock(mutex_);
  tokens_.revoke_refresh_tokens();
}

void QboMock::Impl::mutate_ids(const std::string& entity, const std::vector<std::string>& ids,
                               bool (Dataset::*mutation)(EntityKind, int, std::int64_t)) {
  auto kind = Dataset::kind_of(entity);
  if (!kind) throw std::invalid_argument("unknown entity '" + entity + "'");
  std::lock_guard lock(mutex_);
  for (const auto& id : ids) {
    try {
      (data_.*mutation)(*kind, std::stoi(id), now_utc_ms() / 1000);
    } catch (const std::logic_error&) {
      // not a numeric id: no such record, ignored as documented
    }
  }
}

void QboMock::Impl::touch(const std::string& entity, const std::vector<std::string>& ids) {
  mutate_ids(entity, ids, &Dataset::touch);
}

void QboMock::Impl::mutate_during_paging(const std::string& entity, int on_query_request, int count) {
  if (!Dataset::kind_of(entity)) throw std::invalid_argument("unknown entity '" + entity + "'");
  std::lock_guard lock(mutex_);
  paging_mutations_[entity] = PagingMutation{on_query_request, count, 0};
}

QboMockStats QboMock::Impl::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

QboMock::QboMock(QboMockOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
QboMock::~QboMock() = default;
int QboMock::start(const std::string& host, int port) { return impl_->start(host, port); }
void QboMock::stop() { impl_->stop(); }
std::string QboMock::base_url() const { return impl_->base_url(); }
std::string QboMock::token_url() const { return base_url() + "/oauth2/v1/tokens/bearer"; }
std::string QboMock::current_refresh_token() const { return impl_->current_refresh_token(); }
std::vector<MockRecord> QboMock::records(const std::string& entity) const { return impl_->records(entity); }
void QboMock::add_fault(FaultRule rule) { impl_->add_fault(std::move(rule)); }
void QboMock::expire_access_tokens() { impl_->expire_access_tokens(); }
void QboMock::revoke_refresh_tokens() { impl_->revoke_refresh_tokens(); }
void QboMock::touch(const std::string& entity, const std::vector<std::string>& ids) { impl_->touch(entity, ids); }
void QboMock::mutate_during_paging(const std::string& entity, int on_query_request, int count) {
  impl_->mutate_during_paging(entity, on_query_request, count);
}
QboMockStats QboMock::stats() const { return impl_->stats(); }

}  // namespace tributary::mock
