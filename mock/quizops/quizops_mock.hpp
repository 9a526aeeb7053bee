// A local stand-in for QuizOps, the internal FastAPI service (quizzes, attempts, answers) that
// tributary extracts from. It follows FastAPI's conventions (HTTPBearer 401s, 422 validation
// bodies, {"detail": ...} errors) so a connector that passes against it handles the real one.
// docs/mock-quizops.md lists every behaviour.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mock/common/mock_controls.hpp"

namespace tributary::mock {

struct QuizopsMockOptions {
  std::string token = "quizops-dev-token";  // the one bearer token accepted
  std::uint64_t seed = 42;                  // deterministic data
  int quizzes = 20, attempts = 2000, answers = 10000;
  // updated_at of generated records lies in [start, end); RFC 3339 or a bare date (UTC).
  std::string data_start_utc = "2024-01-01T00:00:00Z";
  std::string data_end_utc = "2024-04-01T00:00:00Z";
  // false: "2024-03-01T10:00:00.123456Z" everywhere. true: what FastAPI itself emits for an
  // aware datetime, Python's isoformat(): "+00:00", and no fraction on a whole second.
  bool python_isoformat = false;
};

// kind: "quizzes" | "attempts" | "answers"
struct QuizopsRecord {
  std::string key;             // id; for answers "attempt_id|question_id"
  std::string json;            // exact payload the API returns
  std::string updated_at_utc;  // "2024-03-01T10:00:00.123456Z" whatever python_isoformat says
};

class QuizopsMock {
 public:
  // Throws std::invalid_argument when the options cannot describe a data set.
  explicit QuizopsMock(QuizopsMockOptions options = {});
  ~QuizopsMock();  // stops
  QuizopsMock(const QuizopsMock&) = delete;
  QuizopsMock& operator=(const QuizopsMock&) = delete;

  // Binds (0 = free port), serves on background threads and returns the port; the socket
  // already accepts connections when this returns. Throws std::runtime_error on bind failure.
  int start(const std::string& host = "127.0.0.1", int port = 0);
  void stop();
  std::string base_url() const;  // "http://127.0.0.1:PORT"

  // Ordered by key. Throws std::invalid_argument on an unknown kind.
  std::vector<QuizopsRecord> records(const std::string& kind) const;

  void add_fault(HttpFaultRule rule);  // path_prefix "/" (default) matches every API path
  // updated_at = now (the same instant for every key of the call) and the payload changes.
  // Unknown keys are ignored; an unknown kind throws std::invalid_argument.
  void touch(const std::string& kind, const std::vector<std::string>& keys);
  // The next /attempts or /answers request that carries a cursor answers with that same
  // cursor as next_cursor (its data is the normal page), once.
  void repeat_cursor_once();
  MockStats stats() const;

 private:
  class Impl;  // mock/quizops/quizops_mock_impl.hpp
  std::unique_ptr<Impl> impl_;
};

}  // namespace tributary::mock
