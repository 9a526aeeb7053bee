#include "connectors/rest/rest_spec.hpp"

#include <boost/date_time/posix_time/posix_time.hpp>
#include <charconv>

namespace tributary::connectors {
namespace {

const std::vector<std::pair<TimeFormat, const char*>> kTimeFormats = {
    {TimeFormat::iso8601, "iso8601"},          {TimeFormat::iso8601_millis, "iso8601_millis"},
    {TimeFormat::iso8601_micros, "iso8601_micros"}, {TimeFormat::iso8601_offset, "iso8601_offset"},
    {TimeFormat::date, "date"},                {TimeFormat::epoch_seconds, "epoch_seconds"},
    {TimeFormat::epoch_millis, "epoch_millis"}};

const std::vector<std::pair<PaginatorKind, const char*>> kPaginators = {
    {PaginatorKind::none, "none"},         {PaginatorKind::offset, "offset"},
    {PaginatorKind::page_number, "page_number"}, {PaginatorKind::cursor, "cursor"},
    {PaginatorKind::next_url, "next_url"}, {PaginatorKind::link_header, "link_header"}};

const Timestamp kEpoch(boost::gregorian::date(1970, 1, 1));

}  // namespace

std::string to_string(TimeFormat f) {
  for (const auto& [k, name] : kTimeFormats) {
    if (k == f) return name;
  }
  return "iso8601";
}

Duration resolution(TimeFormat f) {
  using namespace boost::posix_time;
  switch (f) {
    case TimeFormat::iso8601_micros: return microseconds(1);
    case TimeFormat::iso8601_millis:
    case TimeFormat::epoch_millis: return milliseconds(1);
    case TimeFormat::date: return hours(24);
    default: return seconds(1);
  }
}

std::optional<TimeFormat> time_format_from(const std::string& name) {
  for (const auto& [k, n] : kTimeFormats) {
    if (name == n) return k;
  }
  return std::nullopt;
}

std::string to_string(PaginatorKind k) {
  for (const auto& [kind, name] : kPaginators) {
    if (kind == k) return name;
  }
  return "none";
}

std::optional<PaginatorKind> paginator_kind_from(const std::string& name) {
  for (const auto& [k, n] : kPaginators) {
    if (name == n) return k;
  }
  return std::nullopt;
}

std::string format_time(const Timestamp& t, TimeFormat format) {
  switch (format) {
    case TimeFormat::iso8601: return format_utc(t);
    case TimeFormat::iso8601_offset: return format_utc_offset(t);
    case TimeFormat::iso8601_micros: return format_utc_micros(t);
    case TimeFormat::iso8601_millis: {
      auto micros = format_utc_micros(t);  // 2024-01-01T00:00:00.123456Z
      return micros.substr(0, 23) + "Z";
    }
    case TimeFormat::date: return format_utc(t).substr(0, 10);
    case TimeFormat::epoch_seconds: return std::to_string((t - kEpoch).total_seconds());
    case TimeFormat::epoch_millis: return std::to_string((t - kEpoch).total_milliseconds());
  }
  return format_utc(t);
}

std::optional<Timestamp> parse_time(std::string_view text, TimeFormat format) {
  if (format != TimeFormat::epoch_seconds && format != TimeFormat::epoch_millis) {
    return try_parse_timestamp(text);
  }
  long long n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
  // Bounded before any arithmetic: Boost's calendar neither throws nor saturates reliably.
  constexpr long long kMinSeconds = -17987443200LL;  // 1400-01-01T00:00:00Z
  constexpr long long kMaxSeconds = 253402300799LL;  // 9999-12-31T23:59:59Z
  long long seconds = format == TimeFormat::epoch_seconds ? n : n / 1000;
  if (seconds < kMinSeconds || seconds > kMaxSeconds) return std::nullopt;
  return format == TimeFormat::epoch_seconds ? kEpoch + boost::posix_time::seconds(n)
                                             : kEpoch + boost::posix_time::milliseconds(n);
}

bool valid_json_pointer(const std::string& pointer) {
  if (pointer.empty()) return true;
  if (pointer[0] != '/') return false;
  for (size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] == '~' && (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))) {
      return false;
    }
  }
  return true;
}

}  // namespace tributary::connectors
