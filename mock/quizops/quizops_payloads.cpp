#include "mock/common/json_writer.hpp"
#include "mock/quizops/quizops_data.hpp"

namespace tributary::mock {
namespace {

template <typename T>
void nullable(JsonWriter& w, std::string_view key, const std::optional<T>& value) {
  if (!value) {
    w.field_raw(key, "null");
  } else {
    w.field(key, *value);
  }
}

}  // namespace

std::string render_quiz(const Quiz& q, TimestampFormatter ts) {
  JsonWriter w;
  std::string title = q.revision == 0 ? q.title : q.title + " (rev " + std::to_string(q.revision) + ")";
  w.begin_object().field("id", q.id).field("title", title).field("topic", q.topic);
  w.field("difficulty", q.difficulty).field("question_count", q.question_count);
  w.field("created_at", ts(q.created_us)).field("updated_at", ts(q.updated_us)).end_object();
  return w.take();
}

std::string render_attempt(const Attempt& a, TimestampFormatter ts) {
  JsonWriter w;
  w.begin_object().field("id", a.id).field("quiz_id", a.quiz_id).field("user_id", a.user_id);
  nullable(w, "username", a.username);
  w.field("started_at", ts(a.started_us));
  nullable(w, "submitted_at", a.submitted_us ? std::optional<std::string>(ts(*a.submitted_us)) : std::nullopt);
  nullable(w, "score", a.score);
  w.field("max_score", a.max_score).field("updated_at", ts(a.updated_us)).end_object();
  return w.take();
}

std::string render_answer(const Answer& a, TimestampFormatter ts) {
  JsonWriter w;
  w.begin_object().field("attempt_id", a.attempt_id).field("question_id", a.question_id);
  w.field("chosen_index", a.chosen_index).field("is_correct", a.is_correct);
  w.field("answered_at", ts(a.answered_us)).field("updated_at", ts(a.updated_us)).end_object();
  return w.take();
}

std::string answer_key(const Answer& a) { return a.attempt_id + "|" + a.question_id; }

}  // namespace tributary::mock
