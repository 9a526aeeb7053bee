#pragma once
// One libcurl easy handle: reuses its connection across requests. Not thread-safe;
// each worker thread owns one.
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "http/types.hpp"

namespace tributary::http {

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{120'000};
  std::string user_agent = "tributary/0.2";
  // An answer's body (as decoded) may hold at most this many bytes; the transfer stops there
  // and the request fails as data, so one runaway answer cannot exhaust memory.
  long long max_body_bytes = 256LL << 20;
};

// A request that never produced an HTTP answer. `retryable` is false for failures that
// another attempt cannot fix (bad URL, TLS verification).
class TransportError : public Error {
 public:
  TransportError(ErrorKind kind, const std::string& message, bool retryable)
      : Error(kind, message), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Returns any HTTP answer (including 4xx/5xx); throws TransportError when there is none, and
  // a non-retryable TransportError(data) when the body exceeds max_body_bytes.
  // Header names are lower-cased; a field sent on several lines is one value joined by ", ".
  HttpResponse perform(const HttpRequest& request);

  // Runs before every request this handle sends (each attempt of a retried one); what it throws
  // leaves perform() before anything is sent. The engine checks there that it still holds the
  // window the request is for (a process frozen past its lease must not ask again).
  void set_before_request(std::function<void()> check) { before_request_ = std::move(check); }
  // Names the worker and window in the User-Agent, so the source's logs can tell workers apart.
  void set_user_agent(std::string user_agent) { options_.user_agent = std::move(user_agent); }
  const HttpOptions& options() const { return options_; }

  // A body the caller is done with (its page read and written): the next answer is read into its
  // allocation. A fresh buffer for every page of 1.5 MB cost page faults and copies as it grew,
  // a fifth of a re-run's CPU, and spread the heap. Any thread; the largest one is kept.
  void give_back(std::string body);

 private:
  HttpOptions options_;
  std::function<void()> before_request_;
  std::mutex spare_body_mutex_;
  std::string spare_body_;
  void* handle_;  // CURL*
};

// Percent-encodes everything but RFC 3986 unreserved characters (so '+' becomes %2B).
std::string url_encode(std::string_view text);
// application/x-www-form-urlencoded pairs, each encoded once.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace tributary::http
