// Declarative REST connectors end to end, part 2: window boundaries in three filter flavours,
// stop conditions and the repeated-position guard, full refresh, and volume checks.
#include <cstdio>

#include "tests/support/rest_streams.hpp"

namespace tributary::testing {
namespace {

struct WindowCase {
  const char* name;
  PageStyle style;
  std::string stream;
  // The first request of the window starting on day D (1..10) of January 2024.
  std::function<std::string(int)> first_request;
};

std::string day(int d, const char* time_of_day = "T00:00:00") {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2024-01-%02d%s", d, time_of_day);
  return buf;
}

long long epoch_of(int d) { return 1704067200LL + 86400LL * (d - 1); }

TEST_F(RestConnectors, WindowBoundariesInEveryFilterFlavourLoadEachRecordOnce) {
  const std::vector<WindowCase> cases = {
      {"half-open RFC 3339", PageStyle::Offset,
       "path: /items\n" + kHalfOpenParams + "records: /items\nprimary_key: /id\n" + kCursor +
           "paginator: {kind: offset, total: /total}\npage_size: 50\n",
       [](int d) {
         return "/items?updated_since=" + url_encoded(day(d) + "Z") + "&updated_before=" + url_encoded(day(d + 1) + "Z") +
                "&offset=0&limit=50";
       }},
      {"inclusive RFC 3339, 1ms", PageStyle::Cursor,
       "path: /items\nparams:\n  updated_from: \"{window_start}\"\n  updated_to: \"{window_end}\"\n"
       "window: {format: iso8601_millis, range: inclusive, granularity: 1ms}\n"
       "records: /data\nprimary_key: /id\n" + kCursor + "paginator: {kind: cursor, next: /meta/next_cursor}\npage_size: 50\n",
       [](int d) {
         return "/items?updated_from=" + url_encoded(day(d) + ".000Z") + "&updated_to=" +
                url_encoded(day(d, "T23:59:59") + ".999Z") + "&limit=50";
       }},
      {"epoch seconds, half-open", PageStyle::NextUrl,
       "path: /items\nparams:\n  since_epoch: \"{window_start}\"\n  until_epoch: \"{window_end}\"\n"
       "window: {format: epoch_seconds}\n"
       "records: /results\nprimary_key: /id\n" + kCursor + "paginator: {kind: next_url, next: /next}\npage_size: 50\n",
       [](int d) {
         return "/items?since_epoch=" + std::to_string(epoch_of(d)) + "&until_epoch=" + std::to_string(epoch_of(d + 1)) +
                "&limit=50";
       }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    reset_database();
    start_mock(small_data(c.style, 100));
    // Records on a midnight after the first day sit on a window boundary: they prove the point.
    long long on_midnight = 0;
    for (const auto& rec : records_in(kStart, kEnd)) on_midnight += rec.updated_at_utc.ends_with("T00:00:00.000Z");
    ASSERT_GE(on_midnight, 3) << "the mock puts every 25th record on a midnight";

    auto config = write_config("windows.yaml", rest_connector_file("", c.stream));
    auto r = backfill(config, kStart, kEnd, {"--chunk-days", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_exact_load(100);
    EXPECT_EQ(scalar("SELECT count(*) FROM state.windows WHERE status = 'done'"), 10);
    // Each window loaded exactly the records of its day, boundary records in the later one.
    for (int d = 1; d <= 10; ++d) {
      auto in_day = static_cast<long long>(records_in(day(d) + "Z", day(d + 1) + "Z").size());
      EXPECT_EQ(scalar("SELECT records_loaded FROM state.windows WHERE window_start_utc = '" + day(d) + "Z'"), in_day)
          << day(d);
    }
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable +
                     " WHERE source_updated_at = extract_window_start_utc"),
              on_midnight);
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable +
                     " WHERE NOT (source_updated_at >= extract_window_start_utc AND source_updated_at < extract_window_end_utc)"),
              0);
    // One page per window (at most ~20 records a day, pages of 50); an offset window is swept
    // once more, a cursor walk is the API's own.
    std::vector<std::string> expected;
    for (int d = 1; d <= 10; ++d) {
      expected.push_back(c.first_request(d));
      if (c.style == PageStyle::Offset) expected.push_back(c.first_request(d));
    }
    EXPECT_EQ(targets(), expected);
  }
}

// ---------------------------------------------------------------------------------------------
// Stop conditions

TEST_F(RestConnectors, ShortPagesDoNotEndACursorWalk) {
  auto o = small_data(PageStyle::Cursor, 90);
  o.short_pages = true;  // 10 records a page although 20 are asked for
  start_mock(o);
  auto config = write_config("short.yaml", rest_connector_file("", cursor_stream()));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  auto t = targets();
  ASSERT_EQ(t.size(), 9u) << joined(t);
  EXPECT_EQ(t[0], "/items?" + kRange + "&limit=20");
  for (size_t i = 1; i < t.size(); ++i) EXPECT_NE(t[i].find("&cursor="), std::string::npos) << t[i];
  EXPECT_EQ(scalar("SELECT pages_loaded FROM state.windows"), 9);
}

TEST_F(RestConnectors, StopOnShortPageTrueEndsACursorWalkAtTheFirstShortPage) {
  auto o = small_data(PageStyle::Cursor, 90);
  o.short_pages = true;
  start_mock(o);
  auto config = write_config("short.yaml", rest_connector_file("", cursor_stream("", ", stop_on_short_page: true")));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(targets(), std::vector<std::string>{"/items?" + kRange + "&limit=20"});
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), 10);
}

TEST_F(RestConnectors, ShortPagesWithAnOffsetPaginatorAdvanceByTheRecordsReceived) {
  auto o = small_data(PageStyle::Offset, 90);
  o.short_pages = true;
  start_mock(o);
  auto config = write_config(
      "short.yaml", rest_connector_file("", "path: /items\n" + kHalfOpenParams + "records: /items\nprimary_key: /id\n" +
                                                kCursor + "paginator: {kind: offset, total: /total, stop_on_short_page: false}\n"));
  auto r = backfill(config, kStart, kEnd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  std::vector<std::string> expected;
  for (int pass = 0; pass < 2; ++pass) {  // paging, then the verification sweep
    for (int offset = 0; offset < 90; offset += 10) {
      expected.push_back("/items?" + kRange + "&offset=" + std::to_string(offset) + "&limit=20");
    }
  }
  EXPECT_EQ(targets(), expected);
}

struct RepeatCase {
  const char* name;
  PageStyle style;
  std::string stream;
};

TEST_F(RestConnectors, ARepeatedPaginationPositionFailsTheWindowInsteadOfLooping) {
  const std::vector<RepeatCase> cases = {
      {"cursor", PageStyle::Cursor, cursor_stream()},
      {"next_url", PageStyle::NextUrl, next_url_stream()},
      {"link_header", PageStyle::Page, link_header_stream()},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    reset_database();
    auto o = small_data(c.style, 90);
    o.repeat_next_token = true;  // page 2 hands back the position it was asked with, forever
    start_mock(o);
    auto config = write_config("repeat.yaml", rest_connector_file("", c.stream));
    auto r = backfill(config, kStart, kEnd, {}, {}, std::chrono::seconds(30));
    ASSERT_EQ(r.exit_code, 6) << r.err;
    // Page 1, then page 2 which names itself as next: two requests, never a third.
    EXPECT_EQ(mock_->stats().requests, 2) << joined(targets());
    EXPECT_EQ(text("SELECT status FROM state.windows"), "failed");
    auto error = text("SELECT last_error FROM state.windows");
    EXPECT_NE(error.find("page 2: the source repeated the pagination position"), std::string::npos) << error;
    // Page 1 is committed with its checkpoint; page 2's records are not.
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), 20);
    EXPECT_EQ(scalar("SELECT records_loaded FROM state.windows"), 20);
    EXPECT_NE(text("SELECT next_position FROM state.windows"), "");
    EXPECT_EQ(text("SELECT status FROM state.runs"), "failed");
    EXPECT_NE(r.err.find("1 window(s) failed"), std::string::npos) << r.err;
  }
}

// ---------------------------------------------------------------------------------------------
// Full refresh: no cursor, one window over the whole requested range, every record

TEST_F(RestConnectors, AStreamWithoutCursorIsOneFullRefreshWindow) {
  start_mock(small_data(PageStyle::Offset, 90));
  auto config = write_config("full.yaml", rest_connector_file("", "path: /items\nrecords: /items\nprimary_key: /id\n"
                                                                  "paginator: {kind: offset, total: /total}\npage_size: 50\n"));
  // Three daily windows would be planned for an incremental stream; a full refresh has one,
  // and loads records far outside the range (no filter is sent).
  auto r = backfill(config, "2024-01-03", "2024-01-06", {"--chunk-days", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_exact_load(90);
  EXPECT_EQ(scalar("SELECT count(*) FROM state.windows"), 1);
  EXPECT_EQ(text("SELECT window_start_utc::text || ' ' || window_end_utc::text FROM state.windows"),
            "2024-01-03 00:00:00+00 2024-01-06 00:00:00+00");
  EXPECT_EQ(targets(), (std::vector<std::string>{"/items?offset=0&limit=50", "/items?offset=50&limit=50",
                                                 "/items?offset=0&limit=50", "/items?offset=50&limit=50"}));
  EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable + " WHERE source_updated_at IS NOT NULL"), 0);
}

// ---------------------------------------------------------------------------------------------
// Volume: the source's count per window must match what the window loaded

struct VolumeCase {
  const char* name;
  PageStyle style;
  std::string stream;
  // Page requests of one pass over the window [from, to) holding `loaded` records. An offset
  // paginator that reads a total keeps paging past a short page while the (lying) total says
  // more follow, so it asks once more and gets an empty page.
  std::function<std::vector<std::string>(const std::string& range, long long loaded, int lie)> pages;
  std::function<std::string(const std::string& range)> count;
};

TEST_F(RestConnectors, VolumeChecksPassWhenTheSourceAgreesAndFailTheWindowWhenItLies) {
  const std::vector<VolumeCase> cases = {
      {"total_header", PageStyle::Page,
       link_header_stream("page_size: 100\nvolume: {kind: total_header, header: X-Total-Count}\n"),
       [](const std::string& range, long long, int) { return std::vector<std::string>{"/items?" + range + "&per_page=100"}; },
       [](const std::string& range) { return "/items?" + range + "&per_page=1"; }},
      {"total_field", PageStyle::Offset, offset_stream("page_size: 100\nvolume: {kind: total_field, pointer: /total}\n"),
       [](const std::string& range, long long loaded, int lie) {
         std::vector<std::string> r{"/items?" + range + "&offset=0&limit=100"};
         if (lie) r.push_back("/items?" + range + "&offset=" + std::to_string(loaded) + "&limit=100");
         return r;
       },
       [](const std::string& range) { return "/items?" + range + "&offset=0&limit=1"; }},
      {"count_request", PageStyle::Offset,
       offset_stream("page_size: 100\nvolume: {kind: count_request, path: /items/count, count: /count}\n"),
       [](const std::string& range, long long loaded, int lie) {
         std::vector<std::string> r{"/items?" + range + "&offset=0&limit=100"};
         if (lie) r.push_back("/items?" + range + "&offset=" + std::to_string(loaded) + "&limit=100");
         return r;
       },
       [](const std::string& range) { return "/items/count?" + range; }},
  };
  const std::vector<std::pair<std::string, std::string>> windows = {{day(1) + "Z", day(6) + "Z"},
                                                                    {day(6) + "Z", day(11) + "Z"}};
  for (const auto& c : cases) {
    for (int lie : {0, 3}) {
      SCOPED_TRACE(std::string(c.name) + (lie ? ", total_lies_by 3" : ", honest"));
      reset_database();
      auto o = small_data(c.style, 90);
      o.total_lies_by = lie;
      start_mock(o);
      auto config = write_config("volume.yaml", rest_connector_file("", c.stream));
      auto r = backfill(config, kStart, kEnd, {"--chunk-days", "5"});
      ASSERT_EQ(r.exit_code, lie ? 6 : 0) << r.err;
      expect_exact_load(90, lie == 0);  // the records load either way; the verdict is the window's
      std::vector<std::string> expected_requests;
      for (const auto& [from, to] : windows) {
        auto range = "updated_since=" + url_encoded(from) + "&updated_before=" + url_encoded(to);
        auto loaded = static_cast<long long>(records_in(from, to).size());
        // Paging, a sweep that agrees with it, the count; when the count disagrees with the
        // agreed set, one more sweep and count before the window fails.
        auto pass = c.pages(range, loaded, lie);
        for (int sweeps = lie ? 2 : 1, i = 0; i <= sweeps; ++i) {
          expected_requests.insert(expected_requests.end(), pass.begin(), pass.end());
          if (i > 0) expected_requests.push_back(c.count(range));
        }
        auto where = "window_start_utc = '" + from + "'";
        EXPECT_EQ(scalar("SELECT expected_count FROM state.windows WHERE " + where), loaded + lie);
        EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable + " WHERE extract_window_start_utc = '" +
                         from + "'"),
                  loaded);
        if (lie) {
          EXPECT_EQ(text("SELECT status FROM state.windows WHERE " + where), "failed");
          EXPECT_EQ(text("SELECT last_error FROM state.windows WHERE " + where),
                    "volumetry: the source counts " + std::to_string(loaded + lie) + " records in stream items, window [" +
                        from + ", " + to + "), the window holds " + std::to_string(loaded));
        } else {
          EXPECT_EQ(text("SELECT status FROM state.windows WHERE " + where), "done");
          EXPECT_EQ(scalar("SELECT records_loaded FROM state.windows WHERE " + where), loaded);
          EXPECT_EQ(scalar("SELECT verified_count FROM state.windows WHERE " + where), loaded);
        }
      }
      EXPECT_EQ(targets(), expected_requests);
      if (lie) {
        EXPECT_NE(r.err.find("2 window(s) failed"), std::string::npos) << r.err;
      }
    }
  }
}


}  // namespace
}  // namespace tributary::testing
