#include "mock/quizops/quizops_data.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "mock/common/record_times.hpp"
#include "mock/common/rfc3339.hpp"
#include "mock/common/rng.hpp"

namespace tributary::mock {
namespace {

constexpr std::int64_t kMinute = 60 * kMicrosPerSecond;
constexpr std::int64_t kDayUs = kSecondsPerDay * kMicrosPerSecond;
// The first and every Nth attempt's answers were saved together at submit time: they share
// the attempt's updated_at exactly, so pages must break ties on the key. N divides the midnight
// stride (50), so the answers of attempts on the range start and on midnights sit there too.
constexpr std::size_t kBulkSavedEvery = 10;

bool saved_in_bulk(std::size_t attempt_index) {
  return attempt_index == 0 || (attempt_index + 1) % kBulkSavedEvery == 0;
}

// Titles with an apostrophe, quotes and non-ASCII letters: they exercise escaping and UTF-8.
const char* const kTopics[] = {"sql", "python", "statistics", "networking", "linux", "dbt"};
const char* const kSubjects[] = {"Joins & Window Functions", "Comprehensions", "Probabilidad básica",
                                 "TCP/IP \"Fundamentals\"", "Shell Pipes", "Modelos incrementales",
                                 "L'indexation", "Zoë's Regex Drills"};
const char* const kDifficulties[] = {"easy", "medium", "hard"};
const char* const kUsernames[] = {"ana", "josé", "maría", "zoë", "liam", "priya", "chen", "o'neil"};

// A version 4 UUID drawn from the stream, lowercase like Python's str(uuid).
std::string uuid_v4(Rng& rng) {
  std::uint64_t hi = rng.next(), lo = rng.next();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32), static_cast<unsigned long long>((hi >> 16) & 0xffff),
                static_cast<unsigned long long>(hi & 0xffff), static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

TimestampFormatter formatter(bool python_isoformat) {
  return python_isoformat ? &format_python_isoformat : &format_rfc3339_us;
}

void require_counts(const QuizopsMockOptions& o) {
  if (o.quizzes < 0 || o.attempts < 0 || o.answers < 0) {
    throw std::invalid_argument("record counts must not be negative");
  }
  if (o.attempts > 0 && o.quizzes == 0) throw std::invalid_argument("attempts need at least one quiz");
  if (o.answers > 0 && o.attempts == 0) throw std::invalid_argument("answers need at least one attempt");
}

}  // namespace

std::optional<QuizopsKind> quizops_kind(std::string_view name) {
  if (name == "quizzes") return QuizopsKind::Quizzes;
  if (name == "attempts") return QuizopsKind::Attempts;
  if (name == "answers") return QuizopsKind::Answers;
  return std::nullopt;
}

QuizopsData::QuizopsData(const QuizopsMockOptions& o)
    : seed_(o.seed),
      start_us_(require_time_option_us(o.data_start_utc, "data_start_utc")),
      end_us_(require_time_option_us(o.data_end_utc, "data_end_utc")),
      format_(formatter(o.python_isoformat)) {
  if (end_us_ <= start_us_) throw std::invalid_argument("data_end_utc must be after data_start_utc");
  require_counts(o);
  generate_quizzes(o.quizzes);
  generate_attempts(o.attempts);
  generate_answers(o.answers);
  score_attempts();
  for (std::size_t i = 0; i < quizzes_.size(); ++i) render(QuizopsKind::Quizzes, i);
  for (std::size_t i = 0; i < attempts_.size(); ++i) render(QuizopsKind::Attempts, i);
  for (std::size_t i = 0; i < answers_.size(); ++i) render(QuizopsKind::Answers, i);
}

void QuizopsData::generate_quizzes(int count) {
  TimeSpread spread{start_us_, end_us_, kMicrosPerSecond};
  for (int i = 0; i < count; ++i) {
    Rng rng(mix_seed(seed_, 1, i, 0));
    Quiz q;
    q.id = uuid_v4(rng);
    q.topic = rng.pick(kTopics);
    q.title = std::string(rng.pick(kSubjects)) + " " + std::to_string(i + 1);
    q.difficulty = rng.pick(kDifficulties);
    q.question_count = 5 + static_cast<int>(rng.below(11));
    q.updated_us = spread_timestamp(spread, i + 1, rng);
    q.created_us = q.updated_us - rng.below(30 * kDayUs);
    for (int n = 0; n < q.question_count; ++n) {
      Rng question(mix_seed(seed_, 2, i, n));
      q.question_ids.push_back(uuid_v4(question));
      q.correct_index.push_back(static_cast<int>(question.below(4)));
    }
    quizzes_.push_back(std::move(q));
  }
}

void QuizopsData::generate_attempts(int count) {
  TimeSpread spread{start_us_, end_us_, kMicrosPerSecond};
  std::int64_t users = std::max(1, count / 8);
  for (int j = 0; j < count; ++j) {
    Rng rng(mix_seed(seed_, 4, j, 0));
    Attempt a;
    a.id = uuid_v4(rng);
    a.quiz = static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(quizzes_.size())));
    a.quiz_id = quizzes_[a.quiz].id;
    a.max_score = quizzes_[a.quiz].question_count;
    std::int64_t user = rng.below(users);
    Rng user_rng(mix_seed(seed_, 3, user, 0));
    a.user_id = uuid_v4(user_rng);
    // The service creates users on the fly; an attempt without a username stays anonymous.
    if (user_rng.below(5) != 0) a.username = std::string(user_rng.pick(kUsernames)) + "_" + std::to_string(user);
    a.updated_us = spread_timestamp(spread, j + 1, rng);
    a.started_us = a.updated_us - kMinute - rng.below(120 * kMinute);
    if (j == 0 || rng.below(100) >= 15) a.submitted_us = a.updated_us;
    attempts_.push_back(std::move(a));
  }
}

// Answer slot s of every attempt that has an s-th question, round after round, so the count
// spreads evenly; the question answered in a slot is rotated per attempt.
void QuizopsData::generate_answers(int count) {
  std::size_t capacity = 0;
  for (const auto& a : attempts_) capacity += static_cast<std::size_t>(a.max_score);
  if (static_cast<std::size_t>(count) > capacity) {
    throw std::invalid_argument("answers must not exceed the questions of all attempts (" +
                                std::to_string(capacity) + ")");
  }
  answers_.reserve(count);
  for (int slot = 0; answers_.size() < static_cast<std::size_t>(count); ++slot) {
    for (std::size_t i = 0; i < attempts_.size() && answers_.size() < static_cast<std::size_t>(count); ++i) {
      const Attempt& at = attempts_[i];
      if (slot >= at.max_score) continue;
      const Quiz& quiz = quizzes_[at.quiz];
      Rng rng(mix_seed(seed_, 5, i, slot));
      int question = static_cast<int>((slot + mix_seed(seed_, 6, i, 0)) % at.max_score);
      Answer ans;
      ans.attempt_id = at.id;
      ans.question_id = quiz.question_ids[question];
      ans.correct_index = quiz.correct_index[question];
      ans.chosen_index = rng.below(100) < 60 ? ans.correct_index : static_cast<int>(rng.below(4));
      ans.is_correct = ans.chosen_index == ans.correct_index;
      ans.answered_us = at.started_us + (slot + 1) * ((at.updated_us - at.started_us) / (at.max_score + 1));
      ans.updated_us = saved_in_bulk(i) ? at.updated_us : ans.answered_us;
      answers_.push_back(std::move(ans));
    }
  }
}

void QuizopsData::score_attempts() {
  std::map<std::string, int> correct;
  for (const auto& ans : answers_) correct[ans.attempt_id] += ans.is_correct ? 1 : 0;
  for (auto& a : attempts_) {
    if (a.submitted_us) a.score = correct[a.id];
  }
}

void QuizopsData::render(QuizopsKind kind, std::size_t i) {
  TableRow row;
  switch (kind) {
    case QuizopsKind::Quizzes:
      row = {quizzes_[i].id, quizzes_[i].updated_us, render_quiz(quizzes_[i], format_)};
      break;
    case QuizopsKind::Attempts:
      row = {attempts_[i].id, attempts_[i].updated_us, render_attempt(attempts_[i], format_)};
      break;
    case QuizopsKind::Answers:
      row = {answer_key(answers_[i]), answers_[i].updated_us, render_answer(answers_[i], format_)};
      break;
  }
  index_[static_cast<int>(kind)][row.key] = i;
  tables_[static_cast<int>(kind)].upsert(std::move(row));
}

bool QuizopsData::touch(QuizopsKind kind, const std::string& key, std::int64_t now_us) {
  auto& index = index_[static_cast<int>(kind)];
  auto it = index.find(key);
  if (it == index.end()) return false;
  std::size_t i = it->second;
  if (kind == QuizopsKind::Quizzes) {
    quizzes_[i].revision += 1;
    quizzes_[i].updated_us = now_us;
  } else if (kind == QuizopsKind::Attempts) {
    Attempt& a = attempts_[i];
    // Submitting an open attempt, or regrading a submitted one.
    a.score = a.submitted_us ? (a.score.value_or(0) + 1) % (a.max_score + 1) : a.score.value_or(0);
    if (!a.submitted_us) a.submitted_us = now_us;
    a.updated_us = now_us;
  } else {
    Answer& ans = answers_[i];
    ans.chosen_index = (ans.chosen_index + 1) % 4;
    ans.is_correct = ans.chosen_index == ans.correct_index;
    ans.answered_us = ans.updated_us = now_us;
  }
  render(kind, i);
  return true;
}

}  // namespace tributary::mock
