#pragma once
#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <vector>

namespace tributary::state {

// Applies the embedded sql/migrations/*.sql not yet recorded in state.schema_migrations,
// each in its own transaction, under an advisory lock (concurrent callers wait, then no-op).
// Returns how many were applied. Throws Error(database), also when the database records a
// version this binary does not know (a newer tributary migrated it): nothing is applied then.
int migrate(pqxx::connection_base& conn);

// Whether every embedded migration is recorded: a read, no DDL. Throws Error(database) as
// migrate() does for a schema newer than this binary.
bool schema_is_current(pqxx::connection_base& conn);

// The version number of a migration name ("migrations/003_x.sql" -> 3); nullopt without digits.
std::optional<long long> migration_number(const std::string& name);

// Pure: what is wrong when `applied` (state.schema_migrations) holds versions `known` (this
// binary's, in order) lacks, e.g. "the database's schema is version 3, newer than this
// tributary (knows up to 2): upgrade tributary"; nullopt when every applied version is known.
std::optional<std::string> newer_schema_problem(const std::vector<std::string>& applied,
                                                const std::vector<std::string>& known);

}  // namespace tributary::state
