#include "mock/quizops/quizops_mock.hpp"

#include <algorithm>
#include <stdexcept>
#include <variant>

#include "mock/common/http_auth.hpp"
#include "mock/common/json_writer.hpp"
#include "mock/common/rfc3339.hpp"
#include "mock/quizops/quizops_mock_impl.hpp"
#include "mock/quizops/quizops_params.hpp"

namespace tributary::mock {
namespace {

// Enough that a client's parallel window workers never queue inside the HTTP library.
constexpr std::size_t kWorkerThreads = 16;

HttpAnswer json_answer(int status, std::string body) { return plain_answer(status, "application/json", std::move(body)); }

HttpAnswer detail_answer(int status, const std::string& detail) {
  return json_answer(status, "{\"detail\":" + json_quote(detail) + "}");
}

// FastAPI's HTTPBearer: the same body whether the header is missing or the token is wrong.
HttpAnswer not_authenticated() {
  HttpAnswer a = detail_answer(401, "Not authenticated");
  a.headers.emplace_back("WWW-Authenticate", "Bearer");
  return a;
}

// What uvicorn/FastAPI and a proxy in front of it answer for each injected status.
HttpAnswer injected_answer(int status) {
  switch (status) {
    case 429: return detail_answer(429, "Too Many Requests");
    case 500: return plain_answer(500, "text/plain; charset=utf-8", "Internal Server Error");
    case 502: return plain_answer(502, "text/plain; charset=utf-8", "Bad Gateway");
    case 503: return plain_answer(503, "text/plain; charset=utf-8", "Service Unavailable");
    case 504: return plain_answer(504, "text/plain; charset=utf-8", "Gateway Timeout");
    case 401: return not_authenticated();
    default: return detail_answer(status, "Error " + std::to_string(status));
  }
}

std::string json_array(const std::vector<const TableRow*>& rows) {
  return join_json_array(rows, [](const TableRow* row) -> const std::string& { return row->json; });
}

}  // namespace

QuizopsKind require_quizops_kind(const std::string& kind) {
  auto k = quizops_kind(kind);
  if (!k) throw std::invalid_argument("unknown kind '" + kind + "' (quizzes, attempts, answers)");
  return *k;
}

QuizopsMock::Impl::Impl(QuizopsMockOptions options)
    : options_(std::move(options)),
      data_(options_),
      traffic_(injected_answer),
      server_("QuizopsMock", "quizops-mock", kWorkerThreads) {
  server_.answer_unknown_paths("{\"detail\":\"Not Found\"}");
}

QuizopsMock::Impl::~Impl() { stop(); }

int QuizopsMock::Impl::start(const std::string& host, int port) {
  return server_.start(host, port, [this](httplib::Server& svr) {
    register_routes(svr);
    register_admin_routes(svr);
  });
}

void QuizopsMock::Impl::stop() { server_.stop(); }

void QuizopsMock::Impl::register_routes(httplib::Server& svr) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  svr.Get("/health", [this](Req req, Res res) {
    traffic_.serve(req, res, [] { return json_answer(200, "{\"status\":\"ok\"}"); });
  });
  svr.Get("/quizzes", [this](Req req, Res res) { traffic_.serve(req, res, [&] { return answer_quizzes(req); }); });
  svr.Get("/attempts", [this](Req req, Res res) {
    traffic_.serve(req, res, [&] { return answer_changes(QuizopsKind::Attempts, req); });
  });
  svr.Get("/answers", [this](Req req, Res res) {
    traffic_.serve(req, res, [&] { return answer_changes(QuizopsKind::Answers, req); });
  });
}

bool QuizopsMock::Impl::authorized(const httplib::Request& req) const {
  auto token = credentials_for_scheme(req.get_header_value("Authorization"), "Bearer");
  return token && *token == options_.token;
}

HttpAnswer QuizopsMock::Impl::answer_quizzes(const httplib::Request& req) {
  if (!authorized(req)) return not_authenticated();
  auto parsed = parse_quiz_list_query(req.params);
  if (auto* issues = std::get_if<ValidationIssues>(&parsed)) return json_answer(422, validation_body(*issues));
  const QuizListQuery& q = std::get<QuizListQuery>(parsed);
  std::lock_guard lock(mutex_);
  auto all = data_.table(QuizopsKind::Quizzes).by_key();  // ordered by id
  std::size_t from = std::min(all.size(), static_cast<std::size_t>(q.offset));
  std::size_t to = std::min(all.size(), from + static_cast<std::size_t>(q.limit));
  return json_answer(200, json_array({all.begin() + from, all.begin() + to}));
}

HttpAnswer QuizopsMock::Impl::answer_changes(QuizopsKind kind, const httplib::Request& req) {
  if (!authorized(req)) return not_authenticated();
  auto parsed = parse_changes_query(req.params);
  if (auto* issues = std::get_if<ValidationIssues>(&parsed)) return json_answer(422, validation_body(*issues));
  const ChangesQuery& q = std::get<ChangesQuery>(parsed);
  std::optional<KeysetPosition> after;
  if (q.cursor) {
    after = decode_keyset_cursor(*q.cursor);
    if (!after) return detail_answer(400, "invalid cursor");
  }
  std::lock_guard lock(mutex_);
  KeysetSlice page = data_.table(kind).after(q.range, after, static_cast<std::size_t>(q.limit));
  std::string next = "null";
  if (page.more) next = json_quote(encode_keyset_cursor(KeysetTable::position_of(*page.rows.back())));
  if (q.cursor && repeat_cursor_once_) {
    repeat_cursor_once_ = false;
    next = json_quote(*q.cursor);
  }
  return json_answer(200, "{\"data\":" + json_array(page.rows) + ",\"next_cursor\":" + next + "}");
}

// --- public API -------------------------------------------------------------------------

std::vector<QuizopsRecord> QuizopsMock::Impl::records(const std::string& kind) const {
  QuizopsKind k = require_quizops_kind(kind);
  std::lock_guard lock(mutex_);
  std::vector<QuizopsRecord> out;
  for (const TableRow* row : data_.table(k).by_key()) {
    out.push_back(QuizopsRecord{row->key, row->json, format_rfc3339_us(row->updated_us)});
  }
  return out;
}

void QuizopsMock::Impl::touch(const std::string& kind, const std::vector<std::string>& keys) {
  QuizopsKind k = require_quizops_kind(kind);
  std::int64_t now = now_utc_us();
  std::lock_guard lock(mutex_);
  for (const auto& key : keys) data_.touch(k, key, now);
}

void QuizopsMock::Impl::repeat_cursor_once() {
  std::lock_guard lock(mutex_);
  repeat_cursor_once_ = true;
}

QuizopsMock::QuizopsMock(QuizopsMockOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
QuizopsMock::~QuizopsMock() = default;
int QuizopsMock::start(const std::string& host, int port) { return impl_->start(host, port); }
void QuizopsMock::stop() { impl_->stop(); }
std::string QuizopsMock::base_url() const { return impl_->base_url(); }
std::vector<QuizopsRecord> QuizopsMock::records(const std::string& kind) const { return impl_->records(kind); }
void QuizopsMock::add_fault(HttpFaultRule rule) { impl_->add_fault(std::move(rule)); }
void QuizopsMock::touch(const std::string& kind, const std::vector<std::string>& keys) { impl_->touch(kind, keys); }
void QuizopsMock::repeat_cursor_once() { impl_->repeat_cursor_once(); }
MockStats QuizopsMock::stats() const { return impl_->stats(); }

}  // namespace tributary::mock
