#pragma once
// Internal to state/: reading window rows and the values they hold.
#include <pqxx/pqxx>

#include <optional>
#include <string>

#include "state/types.hpp"

namespace tributary::state {
std::string window_columns();
WindowRow read_window(const pqxx::row& r);
// A timestamptz column as the session's ISO text (pg::connect pins DateStyle and TimeZone).
Timestamp time_of(const pqxx::field& f);
std::optional<Timestamp> optional_time(const pqxx::field& f);  // NULL: nullopt
}  // namespace tributary::state
