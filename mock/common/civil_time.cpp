#include "mock/common/civil_time.hpp"

namespace tributary::mock {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(y, 400);
  const int yoe = static_cast<int>(y - era * 400);
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const int doe = static_cast<int>(z - era * 146097);
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yoe + era * 400) + (m <= 2 ? 1 : 0);
}

bool valid_date(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1) return false;
  std::int64_t next = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
  return d <= next - days_from_civil(y, m, 1);
}

bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<int> parse_utc_offset(std::string_view s, std::size_t pos) {
  if (pos == s.size() - 1 && s[pos] == 'Z') return 0;
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return std::nullopt;
  int hh = 0, mm = 0;
  std::size_t rest = s.size() - pos - 1;
  bool ok = false;
  if (rest == 5 && s[pos + 3] == ':') {
    ok = read_digits(s, pos + 1, 2, hh) && read_digits(s, pos + 4, 2, mm);
  } else if (rest == 4) {
    ok = read_digits(s, pos + 1, 2, hh) && read_digits(s, pos + 3, 2, mm);
  }
  if (!ok || hh > 14 || mm > 59) return std::nullopt;
  int sign = s[pos] == '-' ? -1 : 1;
  return sign * (hh * 3600 + mm * 60);
}

}  // namespace tributary::mock
