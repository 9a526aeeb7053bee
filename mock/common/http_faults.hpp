// The part of fault injection every mock shares: a queue of rules per path prefix, applying a
// rule to an answer, and writing an answer that may be cut short. Each mock supplies its own
// body shapes for injected statuses.
#pragma once

#include <httplib.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace tributary::mock {

struct HttpAnswer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

HttpAnswer plain_answer(int status, std::string content_type, std::string body);

// Rule is HttpFaultRule or a mock's own extension of the same fields (the QBO FaultRule).
// Not thread-safe; callers hold their state mutex.
template <typename Rule>
class FaultQueue {
 public:
  void add(Rule rule) {
    if (rule.times > 0) rules_.push_back(std::move(rule));
  }

  std::optional<Rule> take(std::string_view path) {
    for (auto it = rules_.begin(); it != rules_.end(); ++it) {
      if (path.rfind(it->path_prefix, 0) != 0) continue;
      if (it->skip > 0) {
        it->skip -= 1;
        return std::nullopt;  // rules form a queue: a later rule waits for this one
      }
      Rule hit = *it;
      if (--it->times <= 0) rules_.erase(it);
      return hit;
    }
    return std::nullopt;
  }

 private:
  std::vector<Rule> rules_;
};

// Half of the JSON body under a 200, so the client must fail to parse it.
void corrupt_json(HttpAnswer& answer, std::string_view json_content_type);

// Sleeps `delay_ms`, answers `injected(rule)` for a status fault and `normal()` otherwise, then
// applies malformed_json and retry_after_seconds. The caller sends it, honouring drop_connection.
template <typename Rule, typename Normal, typename Injected>
HttpAnswer answer_with_fault(const std::optional<Rule>& fault, std::string_view json_content_type,
                             Normal&& normal, Injected&& injected) {
  if (fault && fault->delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
  HttpAnswer a = (fault && fault->status != 0) ? injected(*fault) : normal();
  if (fault && fault->malformed_json) corrupt_json(a, json_content_type);
  if (fault && fault->retry_after_seconds) {
    a.headers.emplace_back("Retry-After", std::to_string(*fault->retry_after_seconds));
  }
  return a;
}

// Status, headers and body; with drop_connection, Content-Length promises the whole body but
// only half is sent before the socket closes, so the client sees a short read.
void write_answer(httplib::Response& res, HttpAnswer answer, bool drop_connection);

}  // namespace tributary::mock
