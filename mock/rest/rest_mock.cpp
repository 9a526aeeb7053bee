#include "mock/rest/rest_mock.hpp"

#include <algorithm>
#include <stdexcept>

#include "mock/common/json_writer.hpp"
#include "mock/common/rfc3339.hpp"
#include "mock/rest/rest_mock_impl.hpp"
#include "mock/rest/rest_pages.hpp"
#include "mock/rest/rest_params.hpp"

namespace tributary::mock {
namespace {

constexpr std::size_t kWorkerThreads = 16;

HttpAnswer error_answer(int status, const std::string& error) {
  return plain_answer(status, "application/json", "{\"error\":" + json_quote(error) + "}");
}

HttpAnswer unauthorized(RestAuth auth) {
  HttpAnswer a = error_answer(401, "unauthorized");
  if (auth == RestAuth::Bearer) a.headers.emplace_back("WWW-Authenticate", "Bearer");
  if (auth == RestAuth::Basic) a.headers.emplace_back("WWW-Authenticate", "Basic realm=\"tributary-mock-rest\"");
  return a;
}

HttpAnswer injected_answer(int status) {
  switch (status) {
    case 429: return error_answer(429, "rate_limited");
    case 500: return error_answer(500, "internal_error");
    case 502: return error_answer(502, "bad_gateway");
    case 503: return error_answer(503, "service_unavailable");
    case 504: return error_answer(504, "gateway_timeout");
    case 401: return error_answer(401, "unauthorized");
    default: return error_answer(status, "error_" + std::to_string(status));
  }
}

}  // namespace

RestMock::Impl::Impl(RestMockOptions options)
    : options_(std::move(options)),
      data_(options_),
      traffic_(injected_answer),
      server_("RestMock", "rest-mock", kWorkerThreads) {
  if (options_.default_limit < 1 || options_.max_limit < 1) throw std::invalid_argument("limits must be at least 1");
  server_.answer_unknown_paths("{\"error\":\"not_found\"}");
}

RestMock::Impl::~Impl() { stop(); }

int RestMock::Impl::start(const std::string& host, int port) {
  return server_.start(host, port, [this](httplib::Server& svr) {
    register_routes(svr);
    register_admin_routes(svr);
  });
}

void RestMock::Impl::stop() { server_.stop(); }

void RestMock::Impl::register_routes(httplib::Server& svr) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  svr.Get("/items", [this](Req req, Res res) {
    arrive_items();
    traffic_.serve(req, res, [&] { return answer_items(req); });
  });
  svr.Get("/items/count", [this](Req req, Res res) { traffic_.serve(req, res, [&] { return answer_count(req); }); });
  // Not an /items arrival: touch_on_request hooks count page requests only.
  svr.Get("/items/deleted", [this](Req req, Res res) {
    traffic_.serve(req, res, [&] { return answer_deleted(req); });
  });
}

template <typename Window, typename Fn>
HttpAnswer RestMock::Impl::guarded(const httplib::Request& req, Window window, Fn answer) {
  if (!authorized(options_, req)) return unauthorized(options_.auth);
  try {
    TimeRange range = window(req);
    std::lock_guard lock(mutex_);
    return answer(range);
  } catch (const BadRequest& e) {
    return error_answer(400, e.what());
  }
}

std::string RestMock::Impl::origin_of(const httplib::Request& req) const {
  std::string host = req.get_header_value("Host");
  return host.empty() ? base_url() : "http://" + host;
}

HttpAnswer RestMock::Impl::answer_items(const httplib::Request& req) {
  return guarded(req, time_filter, [&](const TimeRange& range) {
    return answer_items_page(PageRequest{data_.table(), range, req, options_, origin_of(req)});
  });
}

HttpAnswer RestMock::Impl::answer_deleted(const httplib::Request& req) {
  return guarded(req, deleted_window, [&](const TimeRange& range) {
    return answer_deleted_page(PageRequest{data_.deleted(), range, req, options_, origin_of(req)});
  });
}

HttpAnswer RestMock::Impl::answer_count(const httplib::Request& req) {
  return guarded(req, time_filter, [&](const TimeRange& range) {
    auto count = static_cast<std::int64_t>(data_.table().count(range)) + options_.total_lies_by;
    std::string body = "{\"count\":" + std::to_string(std::max<std::int64_t>(count, 0)) + "}";
    return plain_answer(200, "application/json", body);
  });
}

// --- public API -------------------------------------------------------------------------

std::vector<RestRecord> RestMock::Impl::records() const {
  std::lock_guard lock(mutex_);
  std::vector<RestRecord> out;
  for (const TableRow* row : data_.table().by_key()) {
    out.push_back(RestRecord{std::stoi(row->key), row->json, format_rfc3339_ms(row->updated_us)});
  }
  return out;
}

void RestMock::Impl::touch(const std::vector<int>& ids) {
  std::int64_t now = now_utc_us();
  std::lock_guard lock(mutex_);
  for (int id : ids) data_.touch(id, now);
}

void RestMock::Impl::remove(const std::vector<int>& ids) {
  std::int64_t now = now_utc_us();
  std::lock_guard lock(mutex_);
  data_.remove(ids, now);
}

void RestMock::Impl::restore(const std::vector<int>& ids) {
  std::int64_t now = now_utc_us();
  std::lock_guard lock(mutex_);
  data_.restore(ids, now);
}

std::vector<RestRecord> RestMock::Impl::deleted() const {
  std::lock_guard lock(mutex_);
  std::vector<RestRecord> out;
  for (const TableRow* row : data_.deleted().by_key()) {
    out.push_back(RestRecord{std::stoi(row->key), row->json, format_rfc3339_ms(row->updated_us)});
  }
  return out;
}

void RestMock::Impl::set_payload(int id, std::string raw) {
  std::lock_guard lock(mutex_);
  if (!data_.set_payload(id, std::move(raw))) throw std::invalid_argument("unknown id " + std::to_string(id));
}

void RestMock::Impl::touch_on_request(int nth, std::vector<int> ids) {
  if (nth < 1) throw std::invalid_argument("nth must be at least 1");
  std::lock_guard lock(mutex_);
  touch_hooks_.push_back(TouchHook{items_requests_ + static_cast<std::uint64_t>(nth), std::move(ids)});
}

void RestMock::Impl::arrive_items() {
  std::int64_t now = now_utc_us();
  std::lock_guard lock(mutex_);
  items_requests_ += 1;
  auto due = [&](const TouchHook& h) { return h.at_request == items_requests_; };
  for (const TouchHook& hook : touch_hooks_) {
    if (!due(hook)) continue;
    for (int id : hook.ids) data_.touch(id, now);
  }
  std::erase_if(touch_hooks_, due);
}

RestMock::RestMock(RestMockOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
RestMock::~RestMock() = default;
int RestMock::start(const std::string& host, int port) { return impl_->start(host, port); }
void RestMock::stop() { impl_->stop(); }
std::string RestMock::base_url() const { return impl_->base_url(); }
std::vector<RestRecord> RestMock::records() const { return impl_->records(); }
void RestMock::add_fault(HttpFaultRule rule) { impl_->add_fault(std::move(rule)); }
void RestMock::touch(const std::vector<int>& ids) { impl_->touch(ids); }
void RestMock::set_payload(int id, std::string raw) { impl_->set_payload(id, std::move(raw)); }
void RestMock::touch_on_request(int nth, std::vector<int> ids) { impl_->touch_on_request(nth, std::move(ids)); }
void RestMock::remove(const std::vector<int>& ids) { impl_->remove(ids); }
void RestMock::restore(const std::vector<int>& ids) { impl_->restore(ids); }
std::vector<RestRecord> RestMock::deleted() const { return impl_->deleted(); }
MockStats RestMock::stats() const { return impl_->stats(); }

}  // namespace tributary::mock
