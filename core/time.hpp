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

// Inside the calendar every part of tributary (and PostgreSQL's text form) handles: years
// 1400..9999, not a special value.
bool within_calendar(const Timestamp& t);

}  // namespace tributary
