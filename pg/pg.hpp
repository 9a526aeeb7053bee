#pragma once
// The few things every PostgreSQL user in tributary shares: connecting, quoting names,
// and turning libpqxx exceptions into Errors (SQLSTATE classified in one place).
#include <pqxx/pqxx>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace tributary::pg {

// A libpq URL or key=value string; empty means libpq's defaults (PG* environment variables).
// The session is pinned to TimeZone UTC and DateStyle ISO whatever PGTZ/PGDATESTYLE say.
std::unique_ptr<pqxx::connection> connect(const std::string& url);

// user@host:port/dbname for messages: never the string itself, which may hold a password.
std::string redact_url(const std::string& url);

// "raw.qbo_invoices" -> "raw"."qbo_invoices". Throws Error(config) on an empty part or one with
// anything but ASCII letters, digits and _ (at most 63, not starting with a digit).
std::string quote_qualified(pqxx::connection_base& conn, std::string_view qualified);

// Transient failures may be retried as a whole transaction: a broken connection before commit,
// serialization failure, deadlock. Never an in-doubt commit or a constraint violation.
bool is_transient(const std::exception& e);

// The SQLSTATE of a libpqxx error, or "" when it has none.
std::string sqlstate_of(const std::exception& e);

// The connection itself is gone (server restarted, network cut, commit outcome unknown).
bool connection_lost(const std::exception& e);

// Wraps any libpqxx exception as Error(database), or Error(database_lost) when the connection
// is gone, with `context` and the SQLSTATE.
[[noreturn]] void rethrow_as_database_error(const std::exception& e, const std::string& context);

// {"a","b"} as a PostgreSQL array literal, each element double-quoted.
std::string array_literal(const std::vector<std::string>& items);

}  // namespace tributary::pg
