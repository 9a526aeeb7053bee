#include "pg/pg.hpp"

#include <libpq-fe.h>

#include "core/text.hpp"

namespace tributary::pg {
namespace {

constexpr const char* kSessionSettings = "SET TIME ZONE 'UTC'; SET DateStyle TO ISO";

}  // namespace

std::string redact_url(const std::string& url) {
  // Described from libpq's own parse, never echoed: a password may hide in a URL's userinfo, its
  // query string (?password=) or a key=value string, in forms no pattern reliably catches.
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "(unreadable connection string)";
  }
  std::string host, port, dbname, user;
  for (auto* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string key = o->keyword;
    if (key == "host" || key == "hostaddr") host = host.empty() ? o->val : host;
    else if (key == "port") port = o->val;
    else if (key == "dbname") dbname = o->val;
    else if (key == "user") user = o->val;
  }
  PQconninfoFree(options);
  std::string out = (user.empty() ? "" : user + "@") + (host.empty() ? "localhost" : host);
  if (!port.empty()) out += ":" + port;
  return out + "/" + dbname;
}

std::unique_ptr<pqxx::connection> connect(const std::string& url) {
  try {
    auto conn = std::make_unique<pqxx::connection>(url);
    // A dropped connection is re-established by the engine, which knows what to redo. libpqxx 6
    // would otherwise reconnect silently on next use, without this session's settings (UTC,
    // ISO dates) and temp staging table. Deprecated only because libpqxx 7 never reactivates.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    conn->inhibit_reactivation(true);
#pragma GCC diagnostic pop
    // Timestamps are read back as text and parsed as ISO 8601 in UTC; PGTZ, PGDATESTYLE or a
    // role's settings may say otherwise ("SQL, DMY" prints 04/03/2024 05:06:07 UTC).
    pqxx::nontransaction(*conn).exec(kSessionSettings);
    return conn;
  } catch (const std::exception& e) {
    std::string reason = one_line(e.what(), 1000);
    std::string target = url.empty() ? "(PG* environment defaults)" : redact_url(url);
    throw Error(ErrorKind::database, "cannot connect to PostgreSQL " + target + ": " + reason);
  }
}

std::string quote_qualified(pqxx::connection_base& conn, std::string_view qualified) {
  // Quoting alone keeps a name from being read as SQL; refusing anything but identifier
  // characters as well means a name from a file can only ever name a table.
  auto plain = [](std::string_view part) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (part.empty() || part.size() > 63 || digit(part[0])) return false;
    for (char c : part) {
      if (!digit(c) && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && c != '_') return false;
    }
    return true;
  };
  auto dot = qualified.find('.');
  std::string schema = dot == std::string_view::npos ? "public" : std::string(qualified.substr(0, dot));
  std::string table = std::string(dot == std::string_view::npos ? qualified : qualified.substr(dot + 1));
  if (!plain(schema) || !plain(table)) {
    throw Error(ErrorKind::config, "'" + std::string(qualified) +
                                       "' is not a table name (schema.table, letters, digits and _ only)");
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

bool connection_lost(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) return true;  // the commit's fate went with it
  auto state = sqlstate_of(e);
  // 08xxx connection exceptions; 57P01-57P03 the server is shutting down, crashed or starting.
  return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03";
}

void rethrow_as_database_error(const std::exception& e, const std::string& context) {
  std::string msg = one_line(e.what(), 1000);
  auto state = sqlstate_of(e);
  throw Error(connection_lost(e) ? ErrorKind::database_lost : ErrorKind::database,
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
