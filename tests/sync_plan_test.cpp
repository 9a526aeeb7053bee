// Sync arithmetic as tables: the range from the high-water mark (lookback, lag, first start,
// rounding to what requests can express), windows sized by what the source holds, and the
// durations connector files and the command line are written in.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.hpp"
#include "engine/progress.hpp"
#include "engine/sync_plan.hpp"
#include "engine/window_sizing.hpp"

namespace tributary::engine {
namespace {

using boost::posix_time::hours;
using boost::posix_time::milliseconds;
using boost::posix_time::minutes;
using boost::posix_time::seconds;

Timestamp at(const char* text) { return parse_timestamp(text, "test"); }

TEST(SyncRange, FromTheMarkMinusTheLookbackToNowMinusTheLag) {
  struct Case {
    const char* name;
    std::optional<const char*> mark, start;
    Duration lookback, lag, step;
    const char* now;
    std::optional<std::pair<const char*, const char*>> expected;
  };
  const std::vector<Case> cases = {
      {"the usual hourly sync", "2026-03-01T10:00:00Z", {}, hours(1), minutes(5), seconds(1), "2026-03-01T11:07:30.5Z",
       std::pair{"2026-03-01T09:00:00Z", "2026-03-01T11:02:30Z"}},
      {"no lookback", "2026-03-01T10:00:00Z", {}, seconds(0), seconds(0), seconds(1), "2026-03-01T10:00:01Z",
       std::pair{"2026-03-01T10:00:00Z", "2026-03-01T10:00:01Z"}},
      {"the mark at now minus the lag: up to date", "2026-03-01T11:00:00Z", {}, hours(1), minutes(5), seconds(1),
       "2026-03-01T11:05:00Z", std::nullopt},
      {"the mark past it (a backfill ran ahead): up to date", "2026-04-01T00:00:00Z", {}, hours(1), minutes(5),
       seconds(1), "2026-03-01T11:05:00Z", std::nullopt},
      {"dates: whole days, the day in progress left out", "2026-03-01T00:00:00Z", {}, hours(1), minutes(5), hours(24),
       "2026-03-03T08:00:00Z", std::pair{"2026-02-28T00:00:00Z", "2026-03-03T00:00:00Z"}},
      {"milliseconds kept where requests carry them", "2026-03-01T10:00:00Z", {}, seconds(0), seconds(0),
       milliseconds(1), "2026-03-01T10:00:00.2506Z", std::pair{"2026-03-01T10:00:00Z", "2026-03-01T10:00:00.250Z"}},
      {"first sync from its start", std::nullopt, "2025-01-01", hours(1), minutes(5), seconds(1),
       "2026-03-01T00:00:00Z", std::pair{"2025-01-01T00:00:00Z", "2026-02-28T23:55:00Z"}},
      {"a start takes no lookback", std::nullopt, "2026-02-28T23:00:00Z", hours(6), seconds(0), seconds(1),
       "2026-03-01T00:00:00Z", std::pair{"2026-02-28T23:00:00Z", "2026-03-01T00:00:00Z"}},
  };
  for (const auto& c : cases) {
    std::optional<Timestamp> mark, start;
    if (c.mark) mark = at(*c.mark);
    if (c.start) start = at(*c.start);
    auto got = sync_range("s", mark, start, c.lookback, c.lag, at(c.now), c.step);
    if (!c.expected) {
      EXPECT_FALSE(got.has_value()) << c.name << ": got " << *got;
      continue;
    }
    ASSERT_TRUE(got.has_value()) << c.name;
    EXPECT_EQ(*got, (Window{at(c.expected->first), at(c.expected->second)})) << c.name;
  }
}

TEST(SyncRange, AFirstSyncWithoutAStartIsAUsageErrorNamingTheWayOut) {
  try {
    sync_range("invoices", std::nullopt, std::nullopt, hours(1), minutes(5), at("2026-03-01"), seconds(1));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("invoices"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--start"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sync.start"), std::string::npos) << e.what();
  }
  EXPECT_THROW(sync_range("s", std::nullopt, at("2026-03-01"), hours(1), minutes(5), at("2026-03-01T00:04:00Z"),
                          seconds(1)),
               Error)
      << "a start not before now minus the lag";
}

// A source whose records lie at the given instants; it can count, or show one page of `page`.
struct FakeSource {
  std::vector<Timestamp> records;
  bool counts = false;
  long long page = 100;
  int probes = 0;
  Density operator()(const Window& w) {
    ++probes;
    auto n = std::count_if(records.begin(), records.end(), [&](const Timestamp& t) { return w.contains(t); });
    if (counts) return {n, true, false};
    return {std::min<long long>(n, page), false, n > page};
  }
};

std::vector<Timestamp> every(const char* from, Duration step, int n) {
  std::vector<Timestamp> out;
  for (int i = 0; i < n; ++i) out.push_back(at(from) + step * i);
  return out;
}

void expect_tiling(const std::vector<Window>& windows, const Window& range, Duration step) {
  ASSERT_FALSE(windows.empty());
  EXPECT_EQ(windows.front().start, range.start);
  EXPECT_EQ(windows.back().end, range.end);
  for (size_t i = 0; i < windows.size(); ++i) {
    EXPECT_LT(windows[i].start, windows[i].end);
    if (i == 0) continue;
    EXPECT_EQ(windows[i - 1].end, windows[i].start) << "window " << i;
    EXPECT_EQ(floor_to(windows[i].start, step), windows[i].start) << "window " << i << " off the step";
  }
}

TEST(WindowSizing, AQuietMonthIsOneWindowAfterOneLook) {
  const Window month{at("2026-01-01"), at("2026-02-01")};
  const SizingPolicy policy{hours(24), 1000, seconds(1)};
  for (bool counts : {true, false}) {
    FakeSource source{every("2026-01-03", hours(50), 12), counts};
    auto windows = size_windows(month, policy, std::ref(source));
    EXPECT_EQ(windows, std::vector<Window>{month}) << (counts ? "counted" : "first page");
    EXPECT_EQ(source.probes, 1);
  }
}

TEST(WindowSizing, ACountedDenseStretchIsCutIntoPiecesOfAboutTheTarget) {
  const Window range{at("2026-01-01"), at("2026-01-11")};
  // 5,000 records spread over the ten days, half of them on the 4th.
  auto records = every("2026-01-01", minutes(6), 2400);
  auto burst = every("2026-01-04", seconds(34), 2500);
  records.insert(records.end(), burst.begin(), burst.end());
  FakeSource source{records, true};
  const SizingPolicy policy{hours(24 * 7), 500, seconds(1)};
  auto windows = size_windows(range, policy, std::ref(source));
  expect_tiling(windows, range, seconds(1));
  for (const auto& w : windows) {
    auto n = std::count_if(records.begin(), records.end(), [&](const Timestamp& t) { return w.contains(t); });
    EXPECT_LE(n, 500) << w;
  }
  EXPECT_LE(windows.size(), 20u) << "about 4,900 / 500 pieces, not one per hour";
  EXPECT_LE(source.probes, policy.max_probes);
}

TEST(WindowSizing, UncountedBusyDaysInAQuietYearAreFoundByHalving) {
  const Window year{at("2025-01-01"), at("2026-01-01")};
  FakeSource source{every("2025-06-10", minutes(1), 3000)};  // two busy days, nothing else
  const SizingPolicy policy{hours(24 * 7), 1000, seconds(1)};
  auto windows = size_windows(year, policy, std::ref(source));
  expect_tiling(windows, year, seconds(1));
  EXPECT_LE(source.probes, 20) << "a probe per halving: log2(52 weeks) levels, two each";
  EXPECT_LE(windows.size(), 20u) << "not 53 weekly windows";
  for (const auto& w : windows) {
    auto n = std::count_if(source.records.begin(), source.records.end(), [&](const Timestamp& t) { return w.contains(t); });
    if (n > 100) {
      EXPECT_LE(w.end - w.start, hours(24 * 7)) << "a busy window is at most a chunk: " << w;
    }
  }
}

TEST(WindowSizing, DatesStayWholeDaysAndProbesAreBounded) {
  const Window range{at("2025-01-01"), at("2026-01-01")};
  FakeSource source{every("2025-01-01", minutes(10), 52000), true};  // dense all year
  SizingPolicy policy{hours(24 * 7), 100, hours(24)};
  policy.max_probes = 10;
  auto windows = size_windows(range, policy, std::ref(source));
  expect_tiling(windows, range, hours(24));
  EXPECT_EQ(source.probes, 10);
  for (const auto& w : windows) EXPECT_GE(w.end - w.start, hours(24)) << w;
}

TEST(Durations, ReadAndWritten) {
  struct Case {
    const char* text;
    std::optional<Duration> expected;
  };
  for (const auto& c : std::vector<Case>{{"5m", minutes(5)},
                                         {"1h", hours(1)},
                                         {"2d", hours(48)},
                                         {"90s", seconds(90)},
                                         {"250ms", milliseconds(250)},
                                         {"0s", seconds(0)},
                                         {"", std::nullopt},
                                         {"5", std::nullopt},
                                         {"m", std::nullopt},
                                         {"-5m", std::nullopt},
                                         {"5 m", std::nullopt},
                                         {"1w", std::nullopt},
                                         {"99999999999d", std::nullopt}}) {
    EXPECT_EQ(try_parse_duration(c.text), c.expected) << "'" << c.text << "'";
  }
  EXPECT_EQ(format_duration(hours(1)), "1h");
  EXPECT_EQ(format_duration(seconds(90)), "90s");
  EXPECT_EQ(format_duration(hours(48)), "2d");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(seconds(0)), "0s");
  try {
    parse_duration("5 minutes", "--lag");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("--lag"), std::string::npos);
  }
}

}  // namespace
}  // namespace tributary::engine

namespace tributary::engine {
namespace {

TEST(ProgressLine, SaysWhatIsDoneHowFastAndWhatIsLeft) {
  using std::chrono::milliseconds;
  struct Case {
    ProgressSnapshot start, now;
    milliseconds elapsed;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {{40, 0, 0, 0}, {40, 0, 0, 0}, milliseconds(500), "windows 0/40 done | 0 records"},
      {{40, 0, 0, 0}, {40, 10, 0, 5000}, milliseconds(10'000), "windows 10/40 done | 5000 records, 500/s | ETA 30s"},
      {{40, 10, 0, 5000}, {40, 12, 1, 6000, 3, 1}, milliseconds(30'000),
       "windows 12/40 done, 1 failed | 6000 records, 33/s | ETA 4m30s | 3 retries, 1 throttled"},
      {{4, 0, 0, 0}, {4, 4, 0, 100}, milliseconds(2'000), "windows 4/4 done | 100 records, 50/s"},
      {{2, 0, 0, 0}, {2, 1, 0, 10}, milliseconds(7'200'000), "windows 1/2 done | 10 records | ETA 2h0m"},
  };
  for (const auto& c : cases) EXPECT_EQ(progress_line(c.start, c.now, c.elapsed), c.expected);
}

}  // namespace
}  // namespace tributary::engine
