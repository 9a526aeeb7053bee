// Proleptic Gregorian calendar arithmetic and the small lexical pieces every mock's timestamp
// parser needs. Pure functions, no time zone database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tributary::mock {

constexpr std::int64_t kSecondsPerDay = 86400;

// Rounds toward negative infinity, so times before 1970 land on the right day.
std::int64_t floor_div(std::int64_t a, std::int64_t b);

std::int64_t days_from_civil(int y, int m, int d);
void civil_from_days(std::int64_t days, int& y, int& m, int& d);
bool valid_date(int y, int m, int d);

// Exactly `n` ASCII digits at `pos`; false when short or not digits.
bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out);

// Parses "Z", "+HH:MM", "-HH:MM", "+HHMM", "-HHMM" at pos, consuming the rest of the string.
// Seconds east of UTC; nullopt when malformed.
std::optional<int> parse_utc_offset(std::string_view s, std::size_t pos);

}  // namespace tributary::mock
