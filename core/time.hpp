#pragma once
// Time is UTC inside. Every instant is a boost::posix_time::ptime holding UTC.
#include <boost/date_time/posix_time/posix_time_types.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace tributary {

using Timestamp = boost::posix_time::ptime;
using Duration = boost::posix_time::time_duration;

// Accepts YYYY-MM-DD (midnight UTC) and ISO-8601 date-times with optional fraction and
// a Z or ±HH:MM / ±HHMM offset (no offset means UTC). Returns nullopt when unparseable.
std::optional<Timestamp> try_parse_timestamp(std::string_view text);

// As try_parse_timestamp, but throws Error(usage) naming `what` ("--start") on failure.
Timestamp parse_timestamp(std::string_view text, std::string_view what);

// 2024-01-01T00:00:00Z
std::string format_utc(const Timestamp& t);
// 2024-01-01T00:00:00+00:00 (the form QuickBooks' query language expects)
std::string format_utc_offset(const Timestamp& t);
// 2024-01-01T00:00:00.123456Z, lossless, for storing positions
std::string format_utc_micros(const Timestamp& t);

Timestamp now_utc();

// "90s", "5m", "1h", "2d", "250ms": a whole amount and one unit. nullopt when unreadable or
// negative. Zero ("0s") is allowed.
std::optional<Duration> try_parse_duration(std::string_view text);
// As try_parse_duration, but throws Error(usage) naming `what` ("--lookback") on failure.
Duration parse_duration(std::string_view text, std::string_view what);
// The shortest exact form of the same units: 3600 s -> "1h", 90 s -> "90s", 0 -> "0s".
std::string format_duration(const Duration& d);

// `t` rounded down to a multiple of `step` since 1970-01-01 (a day: midnight UTC). step > 0.
Timestamp floor_to(const Timestamp& t, const Duration& step);

// Inside the calendar every part of tributary (and PostgreSQL's text form) handles: years
// 1400..9999, not a special value.
bool within_calendar(const Timestamp& t);

}  // namespace tributary
