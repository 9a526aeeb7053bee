// Query parameters of the QuizOps list endpoints, validated the way FastAPI (pydantic v1)
// does: every problem collected into one 422 {"detail":[{"loc","msg","type"}...]}.
#pragma once

#include <httplib.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mock/common/keyset.hpp"

namespace tributary::mock {

struct ValidationIssue {
  std::string param;  // loc is ["query", param]
  std::string msg;
  std::string type;
};
using ValidationIssues = std::vector<ValidationIssue>;

// GET /quizzes?limit=L&offset=O
struct QuizListQuery {
  int limit = 50;   // 1..200
  int offset = 0;   // >= 0
};

// GET /attempts and /answers ?updated_since=&updated_before=&cursor=&limit=
struct ChangesQuery {
  TimeRange range;  // updated_since <= updated_at < updated_before
  std::optional<std::string> cursor;
  int limit = 100;  // 1..500
};

std::variant<QuizListQuery, ValidationIssues> parse_quiz_list_query(const httplib::Params& params);
std::variant<ChangesQuery, ValidationIssues> parse_changes_query(const httplib::Params& params);

std::string validation_body(const ValidationIssues& issues);

}  // namespace tributary::mock
