// Window bounds as text for every time format, window templates, JSON pointers, and the
// next-link checks of RestStream::parse_page.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/rest/paginator.hpp"
#include "connectors/rest/rest_spec.hpp"
#include "connectors/rest/rest_stream.hpp"
#include "core/error.hpp"

namespace tributary::connectors {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;
namespace pt = boost::posix_time;

Timestamp at(const std::string& text) { return parse_timestamp(text, "test"); }

// ---------------------------------------------------------------------------------------------
// Time formats and window bounds

TEST(RestTimeFormat, FormatsEveryFormatExactly) {
  const auto t = at("2024-03-05T07:08:09.123456Z");
  const auto whole = at("2024-03-05T07:08:09Z");
  struct Case {
    TimeFormat format;
    std::string at_micros;
    std::string at_whole_second;
  };
  const std::vector<Case> cases = {
      {TimeFormat::iso8601, "2024-03-05T07:08:09Z", "2024-03-05T07:08:09Z"},
      {TimeFormat::iso8601_millis, "2024-03-05T07:08:09.123Z", "2024-03-05T07:08:09.000Z"},
      {TimeFormat::iso8601_micros, "2024-03-05T07:08:09.123456Z", "2024-03-05T07:08:09.000000Z"},
      {TimeFormat::iso8601_offset, "2024-03-05T07:08:09+00:00", "2024-03-05T07:08:09+00:00"},
      {TimeFormat::date, "2024-03-05", "2024-03-05"},
      {TimeFormat::epoch_seconds, "1709622489", "1709622489"},
      {TimeFormat::epoch_millis, "1709622489123", "1709622489000"},
  };
  ASSERT_EQ(cases.size(), 7u) << "one case per TimeFormat";
  for (const auto& c : cases) {
    EXPECT_EQ(format_time(t, c.format), c.at_micros) << to_string(c.format);
    EXPECT_EQ(format_time(whole, c.format), c.at_whole_second) << to_string(c.format);
  }
}

TEST(RestTimeFormat, ParsesEveryFormatAndRoundTripsAtItsPrecision) {
  const auto t = at("2024-03-05T07:08:09.123456Z");
  struct Case {
    TimeFormat format;
    Timestamp kept;  // t at the format's precision
  };
  const std::vector<Case> cases = {
      {TimeFormat::iso8601, at("2024-03-05T07:08:09Z")},
      {TimeFormat::iso8601_millis, at("2024-03-05T07:08:09.123Z")},
      {TimeFormat::iso8601_micros, t},
      {TimeFormat::iso8601_offset, at("2024-03-05T07:08:09Z")},
      {TimeFormat::date, at("2024-03-05")},
      {TimeFormat::epoch_seconds, at("2024-03-05T07:08:09Z")},
      {TimeFormat::epoch_millis, at("2024-03-05T07:08:09.123Z")},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_time(format_time(t, c.format), c.format), c.kept) << to_string(c.format);
  }
}

TEST(RestTimeFormat, ParsesRecordCursorValues) {
  EXPECT_EQ(parse_time("2024-01-05T10:00:00.123Z", TimeFormat::iso8601), at("2024-01-05T10:00:00.123Z"));
  EXPECT_EQ(parse_time("2024-01-05T12:00:00+02:00", TimeFormat::iso8601_offset), at("2024-01-05T10:00:00Z"));
  EXPECT_EQ(parse_time("2024-01-05", TimeFormat::date), at("2024-01-05T00:00:00Z"));
  EXPECT_EQ(parse_time("1704067200", TimeFormat::epoch_seconds), at("2024-01-01T00:00:00Z"));
  EXPECT_EQ(parse_time("1704067200123", TimeFormat::epoch_millis), at("2024-01-01T00:00:00.123Z"));
  EXPECT_EQ(parse_time("0", TimeFormat::epoch_seconds), at("1970-01-01T00:00:00Z"));
  EXPECT_EQ(parse_time("-1", TimeFormat::epoch_seconds), at("1969-12-31T23:59:59Z"));
  // Not the format: nullopt, never a guess.
  EXPECT_EQ(parse_time("1704067200.5", TimeFormat::epoch_seconds), std::nullopt);
  EXPECT_EQ(parse_time("2024-01-01T00:00:00Z", TimeFormat::epoch_seconds), std::nullopt);
  EXPECT_EQ(parse_time("", TimeFormat::epoch_millis), std::nullopt);
  EXPECT_EQ(parse_time("17040672OO", TimeFormat::epoch_millis), std::nullopt);
  EXPECT_EQ(parse_time("1704067200", TimeFormat::iso8601), std::nullopt);
  EXPECT_EQ(parse_time("yesterday", TimeFormat::iso8601), std::nullopt);
  EXPECT_EQ(parse_time("2024-02-30T00:00:00Z", TimeFormat::iso8601), std::nullopt);
}

TEST(RestTimeFormat, NamesRoundTrip) {
  for (auto f : {TimeFormat::iso8601, TimeFormat::iso8601_millis, TimeFormat::iso8601_micros,
                 TimeFormat::iso8601_offset, TimeFormat::date, TimeFormat::epoch_seconds, TimeFormat::epoch_millis}) {
    EXPECT_EQ(time_format_from(to_string(f)), f) << to_string(f);
  }
  EXPECT_EQ(time_format_from("rfc3339"), std::nullopt);
  EXPECT_EQ(time_format_from("ISO8601"), std::nullopt);
  for (auto k : {PaginatorKind::none, PaginatorKind::offset, PaginatorKind::page_number, PaginatorKind::cursor,
                 PaginatorKind::next_url, PaginatorKind::link_header}) {
    EXPECT_EQ(paginator_kind_from(to_string(k)), k) << to_string(k);
  }
  EXPECT_EQ(paginator_kind_from("page"), std::nullopt);
}

WindowSpec window_spec(TimeFormat format, bool inclusive, Duration granularity) {
  WindowSpec w;
  w.format = format;
  w.inclusive = inclusive;
  w.granularity = granularity;
  return w;
}

TEST(RestFillWindow, HalfOpenSendsTheEndAsIsAndInclusiveSubtractsTheGranularity) {
  const Window week{at("2024-01-01T00:00:00Z"), at("2024-01-08T00:00:00Z")};
  const std::string both = "{window_start}|{window_end}";
  struct Case {
    const char* name;
    WindowSpec spec;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"half-open iso8601", window_spec(TimeFormat::iso8601, false, pt::seconds(1)),
       "2024-01-01T00:00:00Z|2024-01-08T00:00:00Z"},
      {"half-open epoch seconds", window_spec(TimeFormat::epoch_seconds, false, pt::seconds(1)),
       "1704067200|1704672000"},
      {"half-open ignores the granularity", window_spec(TimeFormat::iso8601_millis, false, pt::milliseconds(1)),
       "2024-01-01T00:00:00.000Z|2024-01-08T00:00:00.000Z"},
      {"inclusive 1ms, millis", window_spec(TimeFormat::iso8601_millis, true, pt::milliseconds(1)),
       "2024-01-01T00:00:00.000Z|2024-01-07T23:59:59.999Z"},
      {"inclusive 1ms, micros", window_spec(TimeFormat::iso8601_micros, true, pt::milliseconds(1)),
       "2024-01-01T00:00:00.000000Z|2024-01-07T23:59:59.999000Z"},
      {"inclusive 1ms, epoch millis", window_spec(TimeFormat::epoch_millis, true, pt::milliseconds(1)),
       "1704067200000|1704671999999"},
      {"inclusive 1s, iso8601", window_spec(TimeFormat::iso8601, true, pt::seconds(1)),
       "2024-01-01T00:00:00Z|2024-01-07T23:59:59Z"},
      {"inclusive 1s, offset", window_spec(TimeFormat::iso8601_offset, true, pt::seconds(1)),
       "2024-01-01T00:00:00+00:00|2024-01-07T23:59:59+00:00"},
      {"inclusive 1s, epoch seconds", window_spec(TimeFormat::epoch_seconds, true, pt::seconds(1)),
       "1704067200|1704671999"},
      {"inclusive 1d, date", window_spec(TimeFormat::date, true, pt::hours(24)), "2024-01-01|2024-01-07"},
      {"half-open date", window_spec(TimeFormat::date, false, pt::hours(24)), "2024-01-01|2024-01-08"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(fill_window(both, week, c.spec), c.expected) << c.name;
  }
}

TEST(RestFillWindow, ReplacesEveryOccurrenceAndLeavesOtherTextAlone) {
  const Window day{at("2024-02-28T00:00:00Z"), at("2024-02-29T00:00:00Z")};
  const auto spec = window_spec(TimeFormat::iso8601, false, pt::seconds(1));
  EXPECT_EQ(fill_window("open", day, spec), "open");
  EXPECT_EQ(fill_window("{window_start}", day, spec), "2024-02-28T00:00:00Z");
  EXPECT_EQ(fill_window("updated>={window_start} AND updated<{window_end} OR created>={window_start}", day, spec),
            "updated>=2024-02-28T00:00:00Z AND updated<2024-02-29T00:00:00Z OR created>=2024-02-28T00:00:00Z");
  EXPECT_EQ(fill_window("{\"since\":\"{window_start}\",\"other\":{\"x\":1}}", day, spec),
            "{\"since\":\"2024-02-28T00:00:00Z\",\"other\":{\"x\":1}}");
  EXPECT_EQ(fill_window("{window_begin}", day, spec), "{window_begin}");
}

// ---------------------------------------------------------------------------------------------
// JSON pointers

TEST(RestJsonPointer, AcceptsRfc6901AndRejectsEverythingElse) {
  for (const std::string ok : {"", "/", "/data", "/meta/next_cursor", "/a~0b", "/a~1b", "/~01", "/0", "/a/"}) {
    EXPECT_TRUE(valid_json_pointer(ok)) << "'" << ok << "'";
  }
  for (const std::string bad : {"data", "meta/next", "#/data", "/a~", "/a~2", "/~x", " /data", "~1"}) {
    EXPECT_FALSE(valid_json_pointer(bad)) << "'" << bad << "'";
  }
}

// ---------------------------------------------------------------------------------------------
// RestStream::parse_page: next links resolved against the connector, other hosts refused

struct StreamFixture {
  ConnectorConfig connector;
  StreamConfig stream;

  StreamFixture(PaginatorKind kind, std::string base_url) {
    connector.kind = "rest";
    connector.name = "test";
    connector.base_url = std::move(base_url);
    stream.name = "items";
    stream.table = "raw.items";
    stream.page_size = 2;
    stream.rest.path = "/items";
    stream.rest.primary_key = {"/id"};
    stream.rest.paginator.kind = kind;
    stream.rest.paginator.stop_on_short_page = false;
    if (kind == PaginatorKind::next_url) {
      stream.rest.records = "/results";
      stream.rest.paginator.next = "/next";
    }
  }

  Page parse(const std::string& body, std::map<std::string, std::string> headers = {},
             const std::string& position = "") const {
    RestStream s(connector, stream);
    Page page;
    page.body = body;
    page.headers = std::move(headers);
    s.parse_page(page, position);
    return page;
  }
};

std::string results_with_next(const std::string& next) {
  return R"({"results":[{"id":1},{"id":2}],"next":")" + next + R"("})";
}

TEST(RestNextLink, SameOriginLinksAreFollowedAndRelativeOnesResolved) {
  StreamFixture f(PaginatorKind::next_url, "https://api.example.com/v2");
  EXPECT_EQ(f.parse(results_with_next("https://api.example.com/v2/items?after=t2")).next_position,
            "https://api.example.com/v2/items?after=t2");
  EXPECT_EQ(f.parse(results_with_next("/v2/items?after=t2")).next_position,
            "https://api.example.com/v2/items?after=t2");
  EXPECT_EQ(f.parse(results_with_next("?after=t2")).next_position, "https://api.example.com/v2/items?after=t2");
  StreamFixture links(PaginatorKind::link_header, "https://api.example.com/v2");
  EXPECT_EQ(links.parse(R"([{"id":1},{"id":2}])", {{"link", "</v2/items?page=2>; rel=\"next\""}}).next_position,
            "https://api.example.com/v2/items?page=2");
  EXPECT_EQ(f.parse(R"({"results":[{"id":1},{"id":2}],"next":null})").next_position, std::nullopt);
  EXPECT_EQ(f.parse(R"({"results":[{"id":1},{"id":2}],"next":""})").next_position, std::nullopt);
  EXPECT_EQ(f.parse(R"({"results":[{"id":1},{"id":2}]})").next_position, std::nullopt);
}

TEST(RestNextLink, ALinkToAnotherHostIsRefusedAsADataError) {
  StreamFixture body(PaginatorKind::next_url, "https://api.example.com");
  StreamFixture header(PaginatorKind::link_header, "https://api.example.com");
  for (const std::string next : {"https://evil.example/items?after=t2", "https://api.example.com.evil.example/items",
                                 "https://api.example.com:8443/items?after=t2", "http://api.example.com/items?after=t2",
                                 "https://user@evil.example/items"}) {
    try {
      body.parse(results_with_next(next));
      ADD_FAILURE() << "followed " << next;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::data);
      EXPECT_NE(std::string(e.what()).find("refusing to follow it"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("not https://api.example.com"), std::string::npos) << e.what();
    }
    try {
      header.parse(R"([{"id":1},{"id":2}])", {{"link", "<" + next + ">; rel=\"next\""}});
      ADD_FAILURE() << "followed Link " << next;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::data);
      EXPECT_NE(std::string(e.what()).find("refusing to follow it"), std::string::npos) << e.what();
    }
  }
}

TEST(RestNextLink, AnApiKeyInTheQueryIsStrippedFromTheStoredPosition) {
  StreamFixture f(PaginatorKind::link_header, "http://127.0.0.1:8080");
  f.connector.auth.kind = "api_key";
  f.connector.auth.api_key_in = "query";
  f.connector.auth.api_key_name = "api_key";
  f.connector.auth.api_key = Secret("key-SECRET-1");
  auto page = f.parse(R"([{"id":1},{"id":2}])",
                      {{"link", "<http://127.0.0.1:8080/items?page=2&per_page=2&api_key=key-SECRET-1&since=x>; rel=\"next\", "
                                "<http://127.0.0.1:8080/items?page=9&per_page=2&api_key=key-SECRET-1>; rel=\"last\""}});
  EXPECT_EQ(page.next_position, "http://127.0.0.1:8080/items?page=2&per_page=2&since=x");
  ASSERT_EQ(page.records.size(), 2u);
  EXPECT_EQ(page.records[0].id, "1");

  // The key as the only parameter, or the last one.
  page = f.parse(R"([{"id":1},{"id":2}])", {{"link", "<http://127.0.0.1:8080/items?api_key=key-SECRET-1>; rel=\"next\""}});
  EXPECT_EQ(page.next_position, "http://127.0.0.1:8080/items");
  // A header API key leaves the link as it is.
  f.connector.auth.api_key_in = "header";
  page = f.parse(R"([{"id":1},{"id":2}])", {{"link", "<http://127.0.0.1:8080/items?page=2&api_key=x>; rel=\"next\""}});
  EXPECT_EQ(page.next_position, "http://127.0.0.1:8080/items?page=2&api_key=x");
}

TEST(RestNextLink, LinkHeaderIsReadFromTheLowerCasedHeaderMap) {
  StreamFixture f(PaginatorKind::link_header, "http://127.0.0.1:8080");
  auto page = f.parse(R"([{"id":1},{"id":2}])",
                      {{"link", "<http://127.0.0.1:8080/items?page=2&per_page=2>; rel=\"next\""},
                       {"x-total-count", "9"}});
  EXPECT_EQ(page.next_position, "http://127.0.0.1:8080/items?page=2&per_page=2");
  // The last page: no Link header at all.
  EXPECT_EQ(f.parse(R"([{"id":9}])", {{"x-total-count", "9"}}, "http://127.0.0.1:8080/items?page=5&per_page=2")
                .next_position,
            std::nullopt);
}

}  // namespace
}  // namespace tributary::connectors
