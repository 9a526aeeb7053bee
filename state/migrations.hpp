#pragma once
#include <pqxx/pqxx>

namespace tributary::state {

// Applies the embedded sql/migrations/*.sql not yet recorded in state.schema_migrations,
// each in its own transaction, under an advisory lock (concurrent callers wait, then no-op).
// Returns how many were applied. Throws Error(database).
int migrate(pqxx::connection_base& conn);

}  // namespace tributary::state
