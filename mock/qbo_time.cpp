#include "mock/qbo_time.hpp"

#include <chrono>
#include <cstdio>

namespace tributary::mock {
namespace {

constexpr std::int64_t kDay = kSecondsPerDay;
constexpr int kPst = -8 * 3600;
constexpr int kPdt = -7 * 3600;

// 0 = Sunday
int weekday_from_days(std::int64_t days) {
  return static_cast<int>(((days % 7) + 11) % 7);
}

// Day number of the n-th Sunday (1-based) of a month.
std::int64_t nth_sunday(int y, int m, int n) {
  std::int64_t first = days_from_civil(y, m, 1);
  int to_sunday = (7 - weekday_from_days(first)) % 7;
  return first + to_sunday + 7 * (n - 1);
}

// Local (zone-less) seconds to UTC, using the company's offset in force at that local time.
std::int64_t pacific_local_to_utc(std::int64_t local) {
  // Try standard time first; if the result is in DST, the daylight offset applies.
  std::int64_t guess = local - kPst;
  return pacific_offset_seconds(guess) == kPdt ? local - kPdt : guess;
}

}  // namespace

int pacific_offset_seconds(std::int64_t utc_seconds) {
  int y = 0, m = 0, d = 0;
  civil_from_days(floor_div(utc_seconds, kDay), y, m, d);
  // US rule since 2007: DST from the second Sunday of March, 02:00 PST (10:00 UTC),
  // to the first Sunday of November, 02:00 PDT (09:00 UTC).
  std::int64_t start = nth_sunday(y, 3, 2) * kDay + 10 * 3600;
  std::int64_t end = nth_sunday(y, 11, 1) * kDay + 9 * 3600;
  return (utc_seconds >= start && utc_seconds < end) ? kPdt : kPst;
}

std::string format_pacific(std::int64_t utc_seconds) {
  int offset = pacific_offset_seconds(utc_seconds);
  std::int64_t local = utc_seconds + offset;
  int y = 0, mo = 0, d = 0;
  civil_from_days(floor_div(local, kDay), y, mo, d);
  std::int64_t sod = local - floor_div(local, kDay) * kDay;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d-%02d:00", y, mo, d,
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60), -offset / 3600);
  return buf;
}

std::string format_pacific_ms(std::int64_t utc_ms) {
  std::string s = format_pacific(floor_div(utc_ms, 1000));
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03d", static_cast<int>(utc_ms - floor_div(utc_ms, 1000) * 1000));
  return s.insert(19, ms);
}

std::string format_pacific_date(std::int64_t utc_seconds) {
  return format_pacific(utc_seconds).substr(0, 10);
}

std::string format_utc(std::int64_t utc_seconds) {
  int y = 0, mo = 0, d = 0;
  civil_from_days(floor_div(utc_seconds, kDay), y, mo, d);
  std::int64_t sod = utc_seconds - floor_div(utc_seconds, kDay) * kDay;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d,
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  return buf;
}

std::optional<std::int64_t> parse_utc_option(const std::string& text) {
  if (text.size() != 20 || text[19] != 'Z') return std::nullopt;
  auto ms = parse_query_timestamp_ms(text);
  if (!ms) return std::nullopt;
  return *ms / 1000;
}

std::optional<std::int64_t> parse_query_timestamp_ms(const std::string& s) {
  int y = 0, mo = 0, d = 0;
  if (!read_digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || s[7] != '-' ||
      !read_digits(s, 5, 2, mo) || !read_digits(s, 8, 2, d) || !valid_date(y, mo, d)) {
    return std::nullopt;
  }
  std::int64_t day_start = days_from_civil(y, mo, d) * kDay;
  if (s.size() == 10) return pacific_local_to_utc(day_start) * 1000;
  int hh = 0, mi = 0, ss = 0;
  if (s[10] != 'T' || s.size() < 19 || s[13] != ':' || s[16] != ':' ||
      !read_digits(s, 11, 2, hh) || !read_digits(s, 14, 2, mi) || !read_digits(s, 17, 2, ss) ||
      hh > 23 || mi > 59 || ss > 59) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    std::size_t digits = 0;
    for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++digits) {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  std::int64_t local = day_start + hh * 3600 + mi * 60 + ss;
  if (pos == s.size()) return pacific_local_to_utc(local) * 1000 + millis;
  auto offset = parse_utc_offset(s, pos);
  if (!offset) return std::nullopt;
  return (local - *offset) * 1000 + millis;
}

std::int64_t now_utc_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace tributary::mock
