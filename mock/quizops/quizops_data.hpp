// QuizOps' records: generated deterministically from a seed, then changed by touch(). The
// three resources are kept both as typed rows (to change them) and as rendered payloads in a
// KeysetTable (to page them). Not thread-safe; the server guards it with its mutex.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mock/common/keyset.hpp"
#include "mock/quizops/quizops_mock.hpp"

namespace tributary::mock {

enum class QuizopsKind { Quizzes = 0, Attempts = 1, Answers = 2 };

// "quizzes" | "attempts" | "answers"
std::optional<QuizopsKind> quizops_kind(std::string_view name);

struct Quiz {
  std::string id, title, topic, difficulty;
  int question_count = 0;
  std::int64_t created_us = 0, updated_us = 0;
  int revision = 0;  // bumps on touch; shows in the title
  std::vector<std::string> question_ids;
  std::vector<int> correct_index;  // by question
};

struct Attempt {
  std::string id, quiz_id, user_id;
  std::optional<std::string> username;
  std::int64_t started_us = 0;
  std::optional<std::int64_t> submitted_us;
  std::optional<int> score;  // null until submitted
  int max_score = 0;
  std::int64_t updated_us = 0;
  std::size_t quiz = 0;  // index into the quizzes
};

// Keyed by (attempt_id, question_id): one answer per question of an attempt, as the service
// upserts them.
struct Answer {
  std::string attempt_id, question_id;
  int chosen_index = 0, correct_index = 0;
  bool is_correct = false;
  std::int64_t answered_us = 0, updated_us = 0;
};

using TimestampFormatter = std::string (*)(std::int64_t us);

class QuizopsData {
 public:
  // Throws std::invalid_argument when the options cannot describe a data set.
  explicit QuizopsData(const QuizopsMockOptions& options);

  const KeysetTable& table(QuizopsKind kind) const { return tables_[static_cast<int>(kind)]; }
  // updated_at = now_us and the payload changes; false when the key is unknown.
  bool touch(QuizopsKind kind, const std::string& key, std::int64_t now_us);

 private:
  void generate_quizzes(int count);
  void generate_attempts(int count);
  void generate_answers(int count);
  void score_attempts();
  void render(QuizopsKind kind, std::size_t index);

  std::uint64_t seed_;
  std::int64_t start_us_, end_us_;
  TimestampFormatter format_;
  std::vector<Quiz> quizzes_;
  std::vector<Attempt> attempts_;
  std::vector<Answer> answers_;
  std::map<std::string, std::size_t> index_[3];  // key -> position in its vector, by kind
  KeysetTable tables_[3];
};

// Payloads (quizops_payloads.cpp), field order as the service's response models declare them.
std::string render_quiz(const Quiz& q, TimestampFormatter ts);
std::string render_attempt(const Attempt& a, TimestampFormatter ts);
std::string render_answer(const Answer& a, TimestampFormatter ts);
std::string answer_key(const Answer& a);  // "attempt_id|question_id"

}  // namespace tributary::mock
