#include "connectors/json_text.hpp"

#include "connectors/json_kernel.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace tributary::connectors {

namespace {

// At most `max_` parsers are lent at once and kept. A thread that already holds one (a reader
// nested in another) is lent one at once rather than wait for itself.
class ParserPool {
 public:
  std::unique_ptr<simdjson::ondemand::parser> take(bool nested) {
    std::unique_lock guard(mutex_);
    if (!nested) returned_.wait(guard, [&] { return !idle_.empty() || lent_ < max_; });
    ++lent_;
    if (idle_.empty()) return std::make_unique<simdjson::ondemand::parser>();
    auto p = std::move(idle_.back());
    idle_.pop_back();
    return p;
  }
  void give_back(std::unique_ptr<simdjson::ondemand::parser> p) {
    {
      std::lock_guard guard(mutex_);
      --lent_;
      if (static_cast<int>(idle_.size()) < max_) idle_.push_back(std::move(p));
    }
    returned_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<simdjson::ondemand::parser>> idle_;
  int lent_ = 0;
  const int max_ = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
};

thread_local int t_leases = 0;  // parsers this thread holds

ParserPool& pool() {
  static ParserPool p;
  return p;
}

}  // namespace

ParserLease::ParserLease() : parser_(pool().take(t_leases > 0)) { ++t_leases; }
ParserLease::~ParserLease() {
  if (!parser_) return;  // moved from
  pool().give_back(std::move(parser_));
  --t_leases;
}
ParserLease::ParserLease(ParserLease&& other) noexcept : parser_(std::move(other.parser_)) {}

JsonDocument iterate_json(std::string& body) {
  log_json_kernel_once();  // before the first parser allocates: a kernel that cannot run is named first
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  ParserLease lease;
  auto doc = lease.parser().iterate(simdjson::padded_string_view(body.data(), body.size(), body.capacity()));
  return JsonDocument{std::move(lease), std::move(doc).value()};
}

std::string_view trim_trailing_space(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool ends_like_json(std::string_view body) {
  auto tail = trim_trailing_space(body);
  return !tail.empty() && (tail.back() == '}' || tail.back() == ']');
}

}  // namespace tributary::connectors
