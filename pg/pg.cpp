#include "pg/pg.hpp"

namespace tributary::pg {

std::string redact_url(const std::string& url) {
  // postgresql://user:secret@host/db -> postgresql://user:***@host/db
  auto scheme = url.find("://");
  if (scheme == std::string::npos) {
    auto pw = url.find("password=");
    if (pw == std::string::npos) return url;
    auto end = url.find(' ', pw);
    return url.substr(0, pw) + "password=***" + (end == std::string::npos ? "" : url.substr(end));
  }
  auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::unique_ptr<pqxx::connection> connect(const std::string& url) {
  try {
    auto conn = std::make_unique<pqxx::connection>(url);
    pqxx::nontransaction(*conn).exec("SET TIME ZONE 'UTC'");  // timestamps read back as UTC
    return conn;
  } catch (const std::exception& e) {
    std::string reason = e.what();
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    for (auto& c : reason) if (c == '\n') c = ' ';
    std::string target = url.empty() ? "(PG* environment defaults)" : redact_url(url);
    throw Error(ErrorKind::database, "cannot connect to PostgreSQL " + target + ": " + reason);
  }
}

std::string quote_qualified(pqxx::connection_base& conn, std::string_view qualified) {
  auto dot = qualified.find('.');
  std::string schema = dot == std::string_view::npos ? "public" : std::string(qualified.substr(0, dot));
  std::string table = std::string(dot == std::string_view::npos ? qualified : qualified.substr(dot + 1));
  if (schema.empty() || table.empty() || table.find('.') != std::string::npos) {
    throw Error(ErrorKind::config, "'" + std::string(qualified) + "' is not a table name (schema.table)");
  }
  return conn.quote_name(schema) + "." + conn.quote_name(table);
}

std::string sqlstate_of(const std::exception& e) {
  if (auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) return sql->sqlstate();
  return "";
}

bool is_transient(const std::exception& e) {
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) return false;
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
  auto state = sqlstate_of(e);
  // 40001 serialization_failure, 40P01 deadlock_detected, 57P01 admin_shutdown,
  // 08xxx connection exceptions
  return state == "40001" || state == "40P01" || state == "57P01" || state.rfind("08", 0) == 0;
}

void rethrow_as_database_error(const std::exception& e, const std::string& context) {
  std::string msg = e.what();
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  for (auto& c : msg) if (c == '\n') c = ' ';
  auto state = sqlstate_of(e);
  throw Error(ErrorKind::database,
              context + ": " + msg + (state.empty() ? "" : " (SQLSTATE " + state + ")"));
}

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace tributary::pg
