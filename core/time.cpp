#include "core/time.hpp"

#include <boost/date_time/gregorian/gregorian.hpp>
#include <boost/date_time/posix_time/posix_time.hpp>
#include <cctype>
#include <charconv>

#include "core/error.hpp"

namespace tributary {
namespace {

namespace pt = boost::posix_time;
namespace gr = boost::gregorian;

// A tiny cursor over the text; each reader consumes exactly what it recognises.
struct Scanner {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  bool eat(char c) {
    if (!done() && s[i] == c) { ++i; return true; }
    return false;
  }
  std::optional<int> digits(size_t n) {
    if (i + n > s.size()) return std::nullopt;
    for (size_t k = i; k < i + n; ++k) {
      if (!std::isdigit(static_cast<unsigned char>(s[k]))) return std::nullopt;  // from_chars takes '-'
    }
    int v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + i + n, v);
    if (ec != std::errc{} || p != s.data() + i + n) return std::nullopt;
    i += n;
    return v;
  }
};

std::optional<gr::date> read_date(Scanner& sc) {
  auto y = sc.digits(4);
  if (!y || !sc.eat('-')) return std::nullopt;
  auto m = sc.digits(2);
  if (!m || !sc.eat('-')) return std::nullopt;
  auto d = sc.digits(2);
  if (!d) return std::nullopt;
  try {
    return gr::date(static_cast<unsigned short>(*y), static_cast<unsigned short>(*m),
                    static_cast<unsigned short>(*d));
  } catch (const std::exception&) {
    return std::nullopt;  // 2024-02-30 and friends
  }
}

std::optional<pt::time_duration> read_clock(Scanner& sc) {
  auto h = sc.digits(2);
  if (!h || !sc.eat(':')) return std::nullopt;
  auto m = sc.digits(2);
  if (!m) return std::nullopt;
  int sec = 0;
  long micros = 0;
  if (sc.eat(':')) {
    auto s = sc.digits(2);
    if (!s) return std::nullopt;
    sec = *s;
    if (sc.eat('.') || sc.eat(',')) {
      int n = 0;
      long frac = 0;
      while (!sc.done() && std::isdigit(static_cast<unsigned char>(sc.s[sc.i]))) {
        if (n < 6) { frac = frac * 10 + (sc.s[sc.i] - '0'); ++n; }
        ++sc.i;
      }
      if (n == 0) return std::nullopt;
      while (n++ < 6) frac *= 10;
      micros = frac;
    }
  }
  if (*h > 23 || *m > 59 || sec > 60) return std::nullopt;
  return pt::hours(*h) + pt::minutes(*m) + pt::seconds(sec) + pt::microseconds(micros);
}

// Offset east of UTC; nullopt when malformed.
std::optional<pt::time_duration> read_offset(Scanner& sc) {
  if (sc.done() || sc.eat('Z') || sc.eat('z')) return pt::time_duration(0, 0, 0);
  int sign = 0;
  if (sc.eat('+')) sign = 1;
  else if (sc.eat('-')) sign = -1;
  else return std::nullopt;
  auto h = sc.digits(2);
  if (!h) return std::nullopt;
  int minutes = 0;
  if (!sc.done()) {  // "+05" alone is how PostgreSQL prints whole-hour offsets
    sc.eat(':');
    auto m = sc.digits(2);
    if (!m) return std::nullopt;
    minutes = *m;
  }
  if (*h > 23 || minutes > 59) return std::nullopt;
  auto off = pt::hours(*h) + pt::minutes(minutes);
  return sign > 0 ? off : -off;
}

}  // namespace

std::optional<Timestamp> try_parse_timestamp(std::string_view text) {
  Scanner sc{text};
  auto date = read_date(sc);
  if (!date) return std::nullopt;
  if (sc.done()) return Timestamp(*date);
  if (!sc.eat('T') && !sc.eat('t') && !sc.eat(' ')) return std::nullopt;
  auto clock = read_clock(sc);
  if (!clock) return std::nullopt;
  auto offset = read_offset(sc);
  if (!offset || !sc.done()) return std::nullopt;
  try {
    Timestamp t = Timestamp(*date, *clock) - *offset;
    if (within_calendar(t)) return t;
  } catch (const std::exception&) {
  }
  return std::nullopt;  // 9999-12-31T23:00:00-05:00 would leave the calendar
}

Timestamp parse_timestamp(std::string_view text, std::string_view what) {
  if (auto t = try_parse_timestamp(text)) return *t;
  throw Error(ErrorKind::usage, std::string(what) + ": cannot parse '" + std::string(text) +
                                    "' as a date (YYYY-MM-DD) or ISO-8601 date-time "
                                    "(e.g. 2024-01-01T00:00:00Z or 2024-01-01T09:00:00+02:00)");
}

std::string format_utc(const Timestamp& t) {
  auto s = pt::to_iso_extended_string(t);
  return s.substr(0, 19) + "Z";
}

std::string format_utc_offset(const Timestamp& t) {
  return pt::to_iso_extended_string(t).substr(0, 19) + "+00:00";
}

std::string format_utc_micros(const Timestamp& t) {
  auto base = pt::to_iso_extended_string(t).substr(0, 19);
  char frac[24];
  std::snprintf(frac, sizeof frac, ".%06ld",
                static_cast<long>(t.time_of_day().fractional_seconds()));
  return base + frac + "Z";
}

Timestamp now_utc() { return pt::microsec_clock::universal_time(); }

std::optional<Duration> try_parse_duration(std::string_view text) {
  long long n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || n < 0 || p == text.data()) return std::nullopt;
  std::string_view unit = text.substr(static_cast<size_t>(p - text.data()));
  constexpr long long kMaxDays = 3660LL * 10;  // ten years: far beyond any lookback
  if (unit == "ms" && n <= kMaxDays * 86'400'000) return pt::milliseconds(n);
  if (unit == "s" && n <= kMaxDays * 86'400) return pt::seconds(n);
  if (unit == "m" && n <= kMaxDays * 1'440) return pt::minutes(n);
  if (unit == "h" && n <= kMaxDays * 24) return pt::hours(n);
  if (unit == "d" && n <= kMaxDays) return pt::hours(24 * n);
  return std::nullopt;
}

Duration parse_duration(std::string_view text, std::string_view what) {
  if (auto d = try_parse_duration(text)) return *d;
  throw Error(ErrorKind::usage, std::string(what) + ": expected an amount with a unit (ms, s, m, h, d) such as 5m or 1h, got '" +
                                    std::string(text) + "'");
}

std::string format_duration(const Duration& d) {
  const long long ms = d.total_milliseconds();
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  const long long s = ms / 1000;
  if (s != 0 && s % 86'400 == 0) return std::to_string(s / 86'400) + "d";
  if (s != 0 && s % 3'600 == 0) return std::to_string(s / 3'600) + "h";
  if (s != 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

Timestamp floor_to(const Timestamp& t, const Duration& step) {
  static const Timestamp epoch(gr::date(1970, 1, 1));
  const long long us = (t - epoch).total_microseconds();
  const long long unit = step.total_microseconds();
  long long floored = us - ((us % unit) + unit) % unit;
  return epoch + pt::microseconds(floored);
}

bool within_calendar(const Timestamp& t) {
  if (t.is_special()) return false;
  auto year = t.date().year();
  return year >= 1400 && year <= 9999;
}

}  // namespace tributary
