#pragma once
// Internal to state/: reading window rows.
#include <pqxx/pqxx>

#include <string>

#include "state/types.hpp"

namespace tributary::state {
std::string window_columns();
WindowRow read_window(const pqxx::row& r);
}  // namespace tributary::state
