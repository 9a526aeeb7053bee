#include "mock/quizops/quizops_params.hpp"

#include <charconv>

#include "mock/common/json_writer.hpp"
#include "mock/common/rfc3339.hpp"

namespace tributary::mock {
namespace {

const std::string* param(const httplib::Params& params, const char* name) {
  auto it = params.find(name);
  return it == params.end() ? nullptr : &it->second;
}

// Query(default, ge=min, le=max) of type int; pydantic v1's messages.
int int_param(const httplib::Params& params, const char* name, int fallback, int min, int max,
              ValidationIssues& issues) {
  const std::string* text = param(params, name);
  if (!text) return fallback;
  long long value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size()) {
    issues.push_back({name, "value is not a valid integer", "type_error.integer"});
    return fallback;
  }
  if (value < min) {
    issues.push_back({name, "ensure this value is greater than or equal to " + std::to_string(min),
                      "value_error.number.not_ge"});
  } else if (value > max) {
    issues.push_back({name, "ensure this value is less than or equal to " + std::to_string(max),
                      "value_error.number.not_le"});
  }
  return static_cast<int>(value);
}

std::optional<std::int64_t> time_param(const httplib::Params& params, const char* name, ValidationIssues& issues) {
  const std::string* text = param(params, name);
  if (!text) return std::nullopt;
  auto us = parse_rfc3339_us(*text);
  if (!us) issues.push_back({name, "invalid datetime format", "value_error.datetime"});
  return us;
}

}  // namespace

std::variant<QuizListQuery, ValidationIssues> parse_quiz_list_query(const httplib::Params& params) {
  ValidationIssues issues;
  QuizListQuery q;
  q.limit = int_param(params, "limit", q.limit, 1, 200, issues);
  q.offset = int_param(params, "offset", q.offset, 0, 1 << 30, issues);
  if (!issues.empty()) return issues;
  return q;
}

std::variant<ChangesQuery, ValidationIssues> parse_changes_query(const httplib::Params& params) {
  ValidationIssues issues;
  ChangesQuery q;
  if (auto since = time_param(params, "updated_since", issues)) q.range.at_least(*since);
  if (auto before = time_param(params, "updated_before", issues)) q.range.below(*before);
  if (const std::string* cursor = param(params, "cursor")) q.cursor = *cursor;
  q.limit = int_param(params, "limit", q.limit, 1, 500, issues);
  if (!issues.empty()) return issues;
  return q;
}

std::string validation_body(const ValidationIssues& issues) {
  JsonWriter w;
  w.begin_object().key("detail").begin_array();
  for (const auto& i : issues) {
    w.begin_object().key("loc").begin_array().str("query").str(i.param).end_array();
    w.field("msg", i.msg).field("type", i.type).end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace tributary::mock
