// RFC 3339 timestamps in and out of the JSON API mocks, in UTC microseconds since the epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tributary::mock {

constexpr std::int64_t kMicrosPerSecond = 1000000;

// "2024-03-01T10:00:00Z", "2024-03-01T10:00:00.123456+01:00": 'T' (or 't'), an optional
// fraction of 1 to 9 digits (truncated to the microsecond), then 'Z'/'z' or +-HH:MM (+-HHMM
// too). An offset is required: a zone-less time is ambiguous. nullopt when malformed,
// including an unencoded '+' that a query string decoded to a space.
std::optional<std::int64_t> parse_rfc3339_us(std::string_view text);

// Options and flags: RFC 3339 as above, or a bare date "2024-01-01" meaning UTC midnight.
std::optional<std::int64_t> parse_time_option_us(std::string_view text);
// The same, throwing std::invalid_argument that names the option `what` when malformed.
std::int64_t require_time_option_us(const std::string& text, const char* what);

std::string format_rfc3339_us(std::int64_t us);  // "2024-03-01T10:00:00.123456Z"
std::string format_rfc3339_ms(std::int64_t us);  // "2024-03-01T10:00:00.123Z", JS toISOString
// Python's datetime.isoformat() of an aware UTC value, as FastAPI renders it:
// "2024-03-01T10:00:00.123456+00:00", and "2024-03-01T10:00:00+00:00" on a whole second.
std::string format_python_isoformat(std::int64_t us);

std::int64_t now_utc_us();

}  // namespace tributary::mock
