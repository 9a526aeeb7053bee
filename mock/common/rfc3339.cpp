#include "mock/common/rfc3339.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "mock/common/civil_time.hpp"

namespace tributary::mock {
namespace {

// Seconds since the epoch of the "YYYY-MM-DD" at the start of s, or nullopt.
std::optional<std::int64_t> date_seconds(std::string_view s) {
  int y = 0, mo = 0, d = 0;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-' || !read_digits(s, 0, 4, y) ||
      !read_digits(s, 5, 2, mo) || !read_digits(s, 8, 2, d) || !valid_date(y, mo, d)) {
    return std::nullopt;
  }
  return days_from_civil(y, mo, d) * kSecondsPerDay;
}

// Digits after the '.' at pos, as microseconds; advances pos past them.
std::optional<std::int64_t> fraction_us(std::string_view s, std::size_t& pos) {
  std::int64_t us = 0;
  std::size_t digits = 0;
  for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++digits) {
    if (digits < 6) us = us * 10 + (s[pos] - '0');
  }
  if (digits == 0 || digits > 9) return std::nullopt;
  for (; digits < 6; ++digits) us *= 10;
  return us;
}

// "YYYY-MM-DDTHH:MM:SS" and the civil parts of a UTC instant, for the formatters.
std::string civil_utc(std::int64_t us, std::int64_t& micros) {
  std::int64_t secs = floor_div(us, kMicrosPerSecond);
  micros = us - secs * kMicrosPerSecond;
  std::int64_t days = floor_div(secs, kSecondsPerDay);
  std::int64_t sod = secs - days * kSecondsPerDay;
  int y = 0, mo = 0, d = 0;
  civil_from_days(days, y, mo, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  return buf;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_us(std::string_view s) {
  auto day = date_seconds(s);
  int hh = 0, mi = 0, ss = 0;
  if (!day || s.size() < 20 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' ||
      !read_digits(s, 11, 2, hh) || !read_digits(s, 14, 2, mi) || !read_digits(s, 17, 2, ss) ||
      hh > 23 || mi > 59 || ss > 59) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (s[pos] == '.') {
    auto f = fraction_us(s, pos);
    if (!f) return std::nullopt;
    micros = *f;
  }
  std::optional<int> offset;
  if (pos + 1 == s.size() && s[pos] == 'z') {
    offset = 0;
  } else if (pos < s.size()) {
    offset = parse_utc_offset(s, pos);
  }
  if (!offset) return std::nullopt;
  std::int64_t secs = *day + hh * 3600 + mi * 60 + ss - *offset;
  return secs * kMicrosPerSecond + micros;
}

std::optional<std::int64_t> parse_time_option_us(std::string_view text) {
  if (text.size() == 10) {
    auto day = date_seconds(text);
    if (day) return *day * kMicrosPerSecond;
    return std::nullopt;
  }
  return parse_rfc3339_us(text);
}

std::int64_t require_time_option_us(const std::string& text, const char* what) {
  auto t = parse_time_option_us(text);
  if (!t) throw std::invalid_argument(std::string(what) + " must be RFC 3339 or YYYY-MM-DD, got '" + text + "'");
  return *t;
}

std::string format_rfc3339_us(std::int64_t us) {
  std::int64_t micros = 0;
  std::string out = civil_utc(us, micros);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06dZ", static_cast<int>(micros));
  return out + frac;
}

std::string format_rfc3339_ms(std::int64_t us) {
  std::int64_t micros = 0;
  std::string out = civil_utc(us, micros);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(micros / 1000));
  return out + frac;
}

std::string format_python_isoformat(std::int64_t us) {
  std::int64_t micros = 0;
  std::string out = civil_utc(us, micros);
  if (micros != 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%06d", static_cast<int>(micros));
    out += frac;
  }
  return out + "+00:00";
}

std::int64_t now_utc_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace tributary::mock
