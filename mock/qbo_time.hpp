// Calendar arithmetic for the mock: QBO renders every timestamp in the company's time zone,
// and the mock's company lives in America/Los_Angeles. The US DST rule is computed here so the
// mock does not depend on the tz database being installed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mock/common/civil_time.hpp"

namespace tributary::mock {

// Seconds east of UTC for America/Los_Angeles at that instant: -25200 (PDT) or -28800 (PST).
int pacific_offset_seconds(std::int64_t utc_seconds);

// "2024-03-12T09:15:02-07:00"
std::string format_pacific(std::int64_t utc_seconds);
// "2024-03-12T09:15:02.123-07:00" (the "time" field of QBO envelopes)
std::string format_pacific_ms(std::int64_t utc_ms);
// "2024-03-12" as seen in the company's zone (TxnDate, DueDate)
std::string format_pacific_date(std::int64_t utc_seconds);
// "2024-03-12T16:15:02Z"
std::string format_utc(std::int64_t utc_seconds);

// Strict "YYYY-MM-DDTHH:MM:SSZ" (the mock's own options). nullopt when malformed.
std::optional<std::int64_t> parse_utc_option(const std::string& text);

// Timestamps accepted inside a query literal, in UTC milliseconds:
//   YYYY-MM-DD                      midnight in the company's zone
//   YYYY-MM-DDTHH:MM:SS[.fff]       company's zone
//   ...followed by Z, +HH:MM, -HH:MM, +HHMM or -HHMM
// Anything else (including "00:00:00 00:00", a '+' decoded to a space) is nullopt.
std::optional<std::int64_t> parse_query_timestamp_ms(const std::string& text);

std::int64_t now_utc_ms();

}  // namespace tributary::mock
