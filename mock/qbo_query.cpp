#include "mock/qbo_query.hpp"

#include <cctype>

#include "mock/qbo_time.hpp"

namespace tributary::mock {
namespace {

struct Token {
  enum class Kind { Ident, Number, String, Symbol, End } kind = Kind::End;
  std::string text;  // identifier / number / unescaped string / symbol
  std::size_t column = 0;  // 1-based, as QBO's parser reports it
};

// Splits the statement; a lexical error stops at the offending character.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::variant<std::vector<Token>, QueryError> run() {
    std::vector<Token> out;
    while (true) {
      while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ >= s_.size()) break;
      auto tok = next();
      if (!tok) return lexical_error();
      out.push_back(std::move(*tok));
    }
    out.push_back(Token{Token::Kind::End, "<EOF>", s_.size() + 1});
    return out;
  }

 private:
  std::optional<Token> next() {
    Token t;
    t.column = pos_ + 1;
    char c = s_[pos_];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      t.kind = Token::Kind::Ident;
      while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                  s_[pos_] == '_' || s_[pos_] == '.')) {
        t.text.push_back(s_[pos_++]);
      }
      return t;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      t.kind = Token::Kind::Number;
      while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.')) {
        t.text.push_back(s_[pos_++]);
      }
      return t;
    }
    if (c == '\'') return string_literal(t);
    return symbol(t);
  }

  // 'text' where \' is a quote and \\ a backslash.
  std::optional<Token> string_literal(Token t) {
    t.kind = Token::Kind::String;
    for (++pos_; pos_ < s_.size(); ++pos_) {
      char c = s_[pos_];
      if (c == '\\' && pos_ + 1 < s_.size()) {
        t.text.push_back(s_[++pos_]);
      } else if (c == '\'') {
        ++pos_;
        return t;
      } else {
        t.text.push_back(c);
      }
    }
    return std::nullopt;  // unterminated
  }

  std::optional<Token> symbol(Token t) {
    t.kind = Token::Kind::Symbol;
    char c = s_[pos_];
    if ((c == '<' || c == '>') && pos_ + 1 < s_.size() && s_[pos_ + 1] == '=') {
      t.text = std::string{c, '='};
      pos_ += 2;
      return t;
    }
    if (std::string_view("*(),=<>").find(c) == std::string_view::npos) return std::nullopt;
    t.text = std::string(1, c);
    ++pos_;
    return t;
  }

  QueryError lexical_error() const {
    std::string seen = pos_ < s_.size() ? std::string(1, s_[pos_]) : "<EOF>";
    return parser_error("QueryParserError: Invalid content. Lexical error at line 1, column " +
                        std::to_string(pos_ + 1) + ".  Encountered: \"" + seen + "\"");
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

  std::variant<Query, QueryError> run() {
    Query q;
    if (!keyword("SELECT")) return unexpected();
    if (auto err = select_list(q)) return *err;
    if (!keyword("FROM")) return unexpected();
    if (peek().kind != Token::Kind::Ident) return unexpected();
    q.entity = take().text;
    if (keyword("WHERE")) {
      if (auto err = where_clause(q)) return *err;
    }
    if (keyword("ORDERBY") || (keyword("ORDER") && keyword("BY"))) {
      if (auto err = order_clause(q)) return *err;
    }
    if (auto err = paging_clauses(q)) return *err;
    if (peek().kind != Token::Kind::End) return unexpected();
    return q;
  }

 private:
  const Token& peek() const { return toks_[pos_]; }
  Token take() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  bool symbol(std::string_view s) {
    if (peek().kind != Token::Kind::Symbol || peek().text != s) return false;
    ++pos_;
    return true;
  }
  bool keyword(std::string_view k) {
    if (peek().kind != Token::Kind::Ident || !iequals(peek().text, k)) return false;
    ++pos_;
    return true;
  }

  QueryError unexpected() const {
    const Token& t = peek();
    return parser_error("QueryParserError: Encountered \"" + t.text + "\" at line 1, column " +
                        std::to_string(t.column) + ".");
  }

  std::optional<QueryError> select_list(Query& q) {
    if (symbol("*")) return std::nullopt;
    if (peek().kind == Token::Kind::Ident && iequals(peek().text, "COUNT")) {
      ++pos_;
      if (!symbol("(") || !symbol("*") || !symbol(")")) return unexpected();
      q.select = Query::Select::Count;
      return std::nullopt;
    }
    q.select = Query::Select::Properties;
    do {
      if (peek().kind != Token::Kind::Ident || iequals(peek().text, "FROM")) return unexpected();
      q.properties.push_back(take().text);
    } while (symbol(","));
    return std::nullopt;
  }

  std::optional<QueryError> where_clause(Query& q) {
    do {
      Condition c;
      if (peek().kind != Token::Kind::Ident) return unexpected();
      c.property = take().text;
      if (auto err = operator_and_values(c)) return *err;
      q.where.push_back(std::move(c));
    } while (keyword("AND"));
    if (peek().kind == Token::Kind::Ident && iequals(peek().text, "OR")) return unexpected();
    return std::nullopt;
  }

  std::optional<QueryError> operator_and_values(Condition& c) {
    static const std::pair<const char*, CmpOp> kOps[] = {
        {"=", CmpOp::Eq}, {"<", CmpOp::Lt}, {"<=", CmpOp::Le}, {">", CmpOp::Gt}, {">=", CmpOp::Ge}};
    for (const auto& [text, op] : kOps) {
      if (symbol(text)) {
        c.op = op;
        return value(c);
      }
    }
    if (keyword("LIKE")) {
      c.op = CmpOp::Like;
      if (peek().kind != Token::Kind::String) return unexpected();
      return value(c);
    }
    if (!keyword("IN")) return unexpected();
    c.op = CmpOp::In;
    if (!symbol("(")) return unexpected();
    do {
      if (auto err = value(c)) return err;
    } while (symbol(","));
    if (!symbol(")")) return unexpected();
    return std::nullopt;
  }

  std::optional<QueryError> value(Condition& c) {
    const Token& t = peek();
    Literal lit;
    lit.text = t.text;
    if (t.kind == Token::Kind::String) {
      lit.kind = Literal::Kind::String;
    } else if (t.kind == Token::Kind::Number) {
      lit.kind = Literal::Kind::Number;
    } else if (t.kind == Token::Kind::Ident && (iequals(t.text, "true") || iequals(t.text, "false"))) {
      lit.kind = Literal::Kind::Bool;
    } else {
      return unexpected();
    }
    if (!metadata_field(c.property).empty()) {
      // A time that does not parse (e.g. an unencoded '+' that arrived as a space) fails the
      // whole statement like any other syntax error.
      lit.timestamp_ms = lit.kind == Literal::Kind::String ? parse_query_timestamp_ms(lit.text) : std::nullopt;
      if (!lit.timestamp_ms) {
        return parser_error("QueryParserError: Invalid date/time value '" + t.text +
                            "' at line 1, column " + std::to_string(t.column) + ".");
      }
    }
    ++pos_;
    c.values.push_back(std::move(lit));
    return std::nullopt;
  }

  std::optional<QueryError> order_clause(Query& q) {
    do {
      if (peek().kind != Token::Kind::Ident) return unexpected();
      OrderKey k{take().text, false};
      if (keyword("DESC")) {
        k.descending = true;
      } else {
        keyword("ASC");
      }
      q.order_by.push_back(std::move(k));
    } while (symbol(","));
    return std::nullopt;
  }

  // STARTPOSITION and MAXRESULTS, each at most once, in either order.
  std::optional<QueryError> paging_clauses(Query& q) {
    for (int i = 0; i < 2; ++i) {
      std::optional<std::int64_t>* slot = nullptr;
      if (!q.start_position && keyword("STARTPOSITION")) slot = &q.start_position;
      else if (!q.max_results && keyword("MAXRESULTS")) slot = &q.max_results;
      if (!slot) break;
      const Token& t = peek();
      if (t.kind != Token::Kind::Number || t.text.find('.') != std::string::npos || t.text.size() > 9) {
        return unexpected();
      }
      *slot = std::stoll(take().text);
    }
    if (q.max_results && *q.max_results > kMaxResultsLimit) {
      return validation_error("QueryValidationError: value " + std::to_string(*q.max_results) +
                              " is too large. Max allowed value is " + std::to_string(kMaxResultsLimit));
    }
    return std::nullopt;
  }

  std::vector<Token> toks_;
  std::size_t pos_ = 0;
};

}  // namespace

QueryError parser_error(std::string detail) {
  return QueryError{"4000", "Error parsing query", std::move(detail)};
}

QueryError validation_error(std::string detail) {
  return QueryError{"4001", "Invalid query", std::move(detail)};
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string metadata_field(std::string_view property) {
  constexpr std::string_view kPrefix = "metadata.";
  if (property.size() <= kPrefix.size() || !iequals(property.substr(0, kPrefix.size()), kPrefix)) {
    return "";
  }
  std::string_view field = property.substr(kPrefix.size());
  if (iequals(field, "LastUpdatedTime")) return "LastUpdatedTime";
  if (iequals(field, "CreateTime")) return "CreateTime";
  return "";
}

std::variant<Query, QueryError> parse_query(std::string_view text) {
  bool blank = true;
  for (char c : text) blank = blank && std::isspace(static_cast<unsigned char>(c));
  if (blank) return parser_error("QueryParserError: The query provided was empty");
  auto lexed = Lexer(text).run();
  if (auto* err = std::get_if<QueryError>(&lexed)) return *err;
  return Parser(std::get<std::vector<Token>>(std::move(lexed))).run();
}

}  // namespace tributary::mock
