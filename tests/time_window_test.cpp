// Timestamps (parsing, UTC formatting) and the window plan that cuts a range into [start, end).
#include <gtest/gtest.h>

#include <boost/date_time/posix_time/posix_time.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "core/window.hpp"

namespace tributary {
namespace {

namespace pt = boost::posix_time;
namespace gr = boost::gregorian;

Timestamp at(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, long us = 0) {
  return Timestamp(gr::date(y, mo, d), pt::hours(h) + pt::minutes(mi) + pt::seconds(s) +
                                           pt::microseconds(us));
}

// ---------------------------------------------------------------------------------------------
// try_parse_timestamp

struct ParseCase {
  const char* text;
  Timestamp expected;
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.text; }

class ParseValid : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseValid, ParsesToUtc) {
  const auto& c = GetParam();
  auto t = try_parse_timestamp(c.text);
  ASSERT_TRUE(t.has_value()) << c.text;
  EXPECT_EQ(*t, c.expected) << c.text << " parsed as " << pt::to_iso_extended_string(*t);
}

INSTANTIATE_TEST_SUITE_P(
    Time, ParseValid,
    ::testing::Values(
        ParseCase{"2024-01-01", at(2024, 1, 1)},
        ParseCase{"2024-02-29", at(2024, 2, 29)},
        ParseCase{"2024-01-01T00:00:00Z", at(2024, 1, 1)},
        ParseCase{"2024-01-01T12:34:56z", at(2024, 1, 1, 12, 34, 56)},
        ParseCase{"2024-01-01T12:34:56", at(2024, 1, 1, 12, 34, 56)},  // no offset: UTC
        ParseCase{"2024-01-01 12:34:56Z", at(2024, 1, 1, 12, 34, 56)},  // PostgreSQL's separator
        // Offsets are converted to UTC: local time minus offset.
        ParseCase{"2024-03-10T01:30:00-08:00", at(2024, 3, 10, 9, 30)},
        ParseCase{"2024-07-01T10:15:00-07:00", at(2024, 7, 1, 17, 15)},
        ParseCase{"2024-01-01T09:00:00+02:00", at(2024, 1, 1, 7, 0)},
        ParseCase{"2024-01-01T05:30:00+0530", at(2024, 1, 1, 0, 0)},
        ParseCase{"2024-01-01T01:00:00+02:00", at(2023, 12, 31, 23, 0)},  // crosses the year
        ParseCase{"2024-02-28T20:00:00-05:00", at(2024, 2, 29, 1, 0)},   // into a leap day
        // PostgreSQL prints whole-hour offsets as "+00" / "+05".
        ParseCase{"2024-01-01 00:00:00+00", at(2024, 1, 1)},
        ParseCase{"2024-01-01 05:00:00+05", at(2024, 1, 1)},
        ParseCase{"2024-01-01 00:00:00.5+00", at(2024, 1, 1, 0, 0, 0, 500000)},
        // Fractions: padded to microseconds, extra digits dropped.
        ParseCase{"2024-01-01T00:00:00.123456Z", at(2024, 1, 1, 0, 0, 0, 123456)},
        ParseCase{"2024-01-01T00:00:00.1Z", at(2024, 1, 1, 0, 0, 0, 100000)},
        ParseCase{"2024-01-01T00:00:00,25Z", at(2024, 1, 1, 0, 0, 0, 250000)},
        ParseCase{"2024-01-01T00:00:00.123456789Z", at(2024, 1, 1, 0, 0, 0, 123456)},
        ParseCase{"2024-01-01T00:00:00.250-01:00", at(2024, 1, 1, 1, 0, 0, 250000)}));

class ParseInvalid : public ::testing::TestWithParam<const char*> {};

TEST_P(ParseInvalid, IsRejected) {
  auto t = try_parse_timestamp(GetParam());
  EXPECT_FALSE(t.has_value()) << "'" << GetParam() << "' parsed as "
                              << (t ? pt::to_iso_extended_string(*t) : "");
}

INSTANTIATE_TEST_SUITE_P(
    Time, ParseInvalid,
    ::testing::Values("", "garbage", "2024", "2024-01", "2024-1-01", "24-01-01",
                      "2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31",
                      "2024-01-01T", "2024-01-01X00:00:00Z", "2024-01-01T24:00:00Z",
                      "2024-01-01T12:60:00Z", "2024-01-01T12:00:00.Z", "2024-01-01T12:00:00ZZ",
                      "2024-01-01T00:00:00+25:00", "2024-01-01T00:00:00+01:99",
                      "2024-01-01T00:00:00+1", "2024-01-01T00:00:00 trailing",
                      // A '+' that went through form decoding arrives as a space.
                      "2024-01-01T00:00:00 00:00",
                      // Signs are not digits: from_chars would happily read "-1".
                      "2024-01-01T-1:00:00Z", "2024-01-01T00:-1:00Z"));

TEST(Time, ParseTimestampReturnsTheSameInstantAsTryParse) {
  EXPECT_EQ(parse_timestamp("2024-03-10T01:30:00-08:00", "--start"),
            parse_timestamp("2024-03-10T09:30:00Z", "--start"));
}

TEST(Time, ParseTimestampErrorIsUsageAndNamesTheOption) {
  try {
    parse_timestamp("2024-02-30", "--end");
    FAIL() << "2024-02-30 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind("--end", 0), 0u) << msg;
    EXPECT_NE(msg.find("2024-02-30"), std::string::npos) << msg;
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

TEST(Time, FormatsUtcInThreeShapes) {
  const auto t = at(2024, 3, 10, 9, 30, 5, 42);
  EXPECT_EQ(format_utc(t), "2024-03-10T09:30:05Z");
  EXPECT_EQ(format_utc_offset(t), "2024-03-10T09:30:05+00:00");
  EXPECT_EQ(format_utc_micros(t), "2024-03-10T09:30:05.000042Z");
  EXPECT_EQ(format_utc_micros(at(2024, 1, 1)), "2024-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_utc_micros(at(2024, 1, 1, 23, 59, 59, 999999)), "2024-01-01T23:59:59.999999Z");
}

TEST(Time, FormatsRoundTripThroughTheParser) {
  const std::vector<Timestamp> instants = {at(2024, 1, 1), at(2024, 2, 29, 23, 59, 59, 999999),
                                           at(1999, 12, 31, 12, 0, 0, 1)};
  for (const auto& t : instants) {
    EXPECT_EQ(try_parse_timestamp(format_utc_micros(t)), t) << format_utc_micros(t);
    // The second-resolution forms drop the fraction.
    const auto whole = t - pt::microseconds(t.time_of_day().fractional_seconds());
    EXPECT_EQ(try_parse_timestamp(format_utc(t)), whole) << format_utc(t);
    EXPECT_EQ(try_parse_timestamp(format_utc_offset(t)), whole) << format_utc_offset(t);
  }
}

// ---------------------------------------------------------------------------------------------
// WindowPlan

void expect_contiguous(const WindowPlan& plan, const std::vector<Window>& ws) {
  ASSERT_FALSE(ws.empty());
  EXPECT_EQ(ws.front().start, plan.start);
  EXPECT_EQ(ws.back().end, plan.end);
  for (size_t i = 0; i < ws.size(); ++i) {
    EXPECT_LT(ws[i].start, ws[i].end) << ws[i];
    EXPECT_LE(ws[i].end - ws[i].start, plan.chunk) << ws[i];
    if (i + 1 < ws.size()) {
      EXPECT_EQ(ws[i].end, ws[i + 1].start) << "gap or overlap after " << ws[i];
    }
  }
}

TEST(WindowPlan, SplitsFourWeeksIntoFourWeeks) {
  WindowPlan plan{at(2024, 1, 1), at(2024, 1, 29), pt::hours(24 * 7)};
  auto ws = plan.windows();
  ASSERT_EQ(ws.size(), 4u);
  EXPECT_EQ(ws[0], (Window{at(2024, 1, 1), at(2024, 1, 8)}));
  EXPECT_EQ(ws[1], (Window{at(2024, 1, 8), at(2024, 1, 15)}));
  EXPECT_EQ(ws[2], (Window{at(2024, 1, 15), at(2024, 1, 22)}));
  EXPECT_EQ(ws[3], (Window{at(2024, 1, 22), at(2024, 1, 29)}));
  expect_contiguous(plan, ws);
}

TEST(WindowPlan, ClipsTheLastWindowToTheEnd) {
  WindowPlan plan{at(2024, 1, 1), at(2024, 1, 10, 6), pt::hours(24 * 7)};
  auto ws = plan.windows();
  ASSERT_EQ(ws.size(), 2u);
  EXPECT_EQ(ws[1], (Window{at(2024, 1, 8), at(2024, 1, 10, 6)}));
  expect_contiguous(plan, ws);
}

struct SizeCase {
  Timestamp start;
  Timestamp end;
  Duration chunk;
  size_t windows;
};

void PrintTo(const SizeCase& c, std::ostream* os) {
  *os << WindowPlan{c.start, c.end, c.chunk};
}

class WindowCount : public ::testing::TestWithParam<SizeCase> {};

TEST_P(WindowCount, CoversTheRangeExactly) {
  const auto& c = GetParam();
  WindowPlan plan{c.start, c.end, c.chunk};
  auto ws = plan.windows();
  EXPECT_EQ(ws.size(), c.windows) << plan;
  expect_contiguous(plan, ws);
}

INSTANTIATE_TEST_SUITE_P(
    WindowPlan, WindowCount,
    ::testing::Values(
        SizeCase{at(2024, 1, 1), at(2024, 1, 2), pt::hours(24 * 7), 1},         // one day
        SizeCase{at(2024, 1, 1, 6), at(2024, 1, 1, 12), pt::hours(24 * 7), 1},  // six hours
        SizeCase{at(2024, 1, 1), at(2024, 1, 1, 0, 0, 0, 1), pt::hours(24), 1},  // one microsecond
        SizeCase{at(2024, 1, 1), at(2024, 1, 8), pt::hours(24 * 7), 1},          // exactly one chunk
        SizeCase{at(2024, 1, 1), at(2024, 1, 8, 0, 0, 1), pt::hours(24 * 7), 2}, // one second over
        SizeCase{at(2024, 1, 1), at(2024, 1, 2), pt::hours(1), 24},
        SizeCase{at(2023, 1, 1), at(2024, 1, 1), pt::hours(24 * 7), 53}));

TEST(WindowPlan, LeapYearFebruaryEndsOnTheTwentyNinth) {
  WindowPlan plan{at(2024, 2, 1), at(2024, 3, 1), pt::hours(24 * 7)};
  auto ws = plan.windows();
  ASSERT_EQ(ws.size(), 5u);
  EXPECT_EQ(ws[4], (Window{at(2024, 2, 29), at(2024, 3, 1)}));
  EXPECT_TRUE(ws[4].contains(at(2024, 2, 29, 23, 59, 59, 999999)));
  expect_contiguous(plan, ws);
}

TEST(WindowPlan, WindowsAreHalfOpen) {
  WindowPlan plan{at(2024, 1, 1), at(2024, 1, 15), pt::hours(24 * 7)};
  auto ws = plan.windows();
  ASSERT_EQ(ws.size(), 2u);
  EXPECT_TRUE(ws[0].contains(ws[0].start));
  EXPECT_FALSE(ws[0].contains(ws[0].end));
  EXPECT_TRUE(ws[0].contains(ws[0].end - pt::microseconds(1)));
  EXPECT_FALSE(ws[0].contains(ws[0].start - pt::microseconds(1)));
}

TEST(WindowPlan, EveryInstantBelongsToExactlyOneWindow) {
  WindowPlan plan{at(2024, 1, 1), at(2024, 1, 20), pt::hours(24 * 7)};
  auto ws = plan.windows();
  const std::vector<Timestamp> probes = {at(2024, 1, 1), at(2024, 1, 8), at(2024, 1, 15),
                                         at(2024, 1, 8) - pt::microseconds(1), at(2024, 1, 19, 23)};
  for (const auto& t : probes) {
    int owners = 0;
    for (const auto& w : ws) owners += w.contains(t) ? 1 : 0;
    EXPECT_EQ(owners, 1) << format_utc_micros(t);
  }
  // The plan's end is outside every window.
  for (const auto& w : ws) EXPECT_FALSE(w.contains(plan.end)) << w;
}

TEST(WindowPlan, RejectsEmptyOrBackwardRangesAndBadChunks) {
  const std::vector<WindowPlan> bad = {
      {at(2024, 1, 2), at(2024, 1, 1), pt::hours(24)},  // end before start
      {at(2024, 1, 1), at(2024, 1, 1), pt::hours(24)},  // end == start
      {at(2024, 1, 1), at(2024, 1, 2), pt::hours(0)},   // zero chunk
      {at(2024, 1, 1), at(2024, 1, 2), -pt::hours(1)},  // negative chunk
      {Timestamp(), at(2024, 1, 2), pt::hours(24)},     // no start
  };
  for (const auto& plan : bad) {
    try {
      auto ws = plan.windows();
      ADD_FAILURE() << "accepted a plan with " << ws.size() << " windows";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
    }
  }
}

TEST(WindowPlan, PrintsReadably) {
  std::ostringstream os;
  os << Window{at(2024, 1, 1), at(2024, 1, 8)};
  EXPECT_EQ(os.str(), "[2024-01-01T00:00:00Z, 2024-01-08T00:00:00Z)");
}

}  // namespace
}  // namespace tributary
