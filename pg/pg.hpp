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
std::unique_ptr<pqxx::connection> connect(const std::string& url);

// user@host:port/dbname for messages: never the string itself, which may hold a password.
std::string redact_url(const std::string& url);

// "raw.qbo_invoices" -> "raw"."qbo_invoices". Throws Error(config) on an empty part.
std::string quote_qualified(pqxx::connection_base& conn, std::string_view qualified);

// Transient failures may be retried as a whole transaction: a broken connection before commit,
// serialization failure, deadlock. Never an in-doubt commit or a constraint violation.
bool is_transient(const std::exception& e);

// The SQLSTATE of a libpqxx error, or "" when it has none.
std::string sqlstate_of(const std::exception& e);

// Wraps any libpqxx exception as Error(database) with `context` and the SQLSTATE.
[[noreturn]] void rethrow_as_database_error(const std::exception& e, const std::string& context);

// {"a","b"} as a PostgreSQL array literal, each element double-quoted.
std::string array_literal(const std::vector<std::string>& items);

}  // namespace tributary::pg
