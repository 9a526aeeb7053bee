// Parser for the subset of the QBO query language the mock serves:
//   SELECT * | COUNT(*) | prop[, prop...] FROM Entity
//     [WHERE cond [AND cond]...] [ORDERBY prop [ASC|DESC][, ...]]
//     [STARTPOSITION n] [MAXRESULTS n]
//   cond = prop (= | < | <= | > | >= | LIKE) value | prop IN (value[, value...])
// Keywords and property names are case-insensitive; entity names are case-sensitive, as
// Intuit's "Query operations and syntax" page states. OR is rejected (not supported by QBO).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tributary::mock {

// A 400 answer of the query endpoint: code 4000 "Error parsing query" (QueryParserError) or
// 4001 "Invalid query" (QueryValidationError).
struct QueryError {
  std::string code;
  std::string message;
  std::string detail;
};

QueryError parser_error(std::string detail);
QueryError validation_error(std::string detail);

enum class CmpOp { Eq, Lt, Le, Gt, Ge, In, Like };

struct Literal {
  enum class Kind { String, Number, Bool } kind = Kind::String;
  std::string text;                        // unescaped string, number text, "true"/"false"
  std::optional<std::int64_t> timestamp_ms;  // set when compared with a MetaData time
};

struct Condition {
  std::string property;  // as written
  CmpOp op = CmpOp::Eq;
  std::vector<Literal> values;  // one, or several for IN
};

struct OrderKey {
  std::string property;
  bool descending = false;
};

struct Query {
  enum class Select { All, Count, Properties } select = Select::All;
  std::vector<std::string> properties;  // Select::Properties
  std::string entity;
  std::vector<Condition> where;
  std::vector<OrderKey> order_by;
  std::optional<std::int64_t> start_position;  // 1-based
  std::optional<std::int64_t> max_results;
};

constexpr std::int64_t kDefaultMaxResults = 100;
constexpr std::int64_t kMaxResultsLimit = 1000;

std::variant<Query, QueryError> parse_query(std::string_view text);

// Case-insensitive ASCII comparison, for keywords and property names.
bool iequals(std::string_view a, std::string_view b);

// MetaData.LastUpdatedTime / Metadata.CreateTime ... -> "LastUpdatedTime" / "CreateTime"; else "".
std::string metadata_field(std::string_view property);

}  // namespace tributary::mock
