// The REST paginators as pure policy: which parameters a position adds, what position follows
// a page (every kind, every stop condition), and Link headers as real APIs send them.
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

PaginatorSpec spec_of(PaginatorKind kind) {
  PaginatorSpec p;
  p.kind = kind;
  return p;
}

// ---------------------------------------------------------------------------------------------
// paginator_params

struct ParamsCase {
  const char* name;
  PaginatorSpec spec;
  std::string position;
  int page_size;
  Params expected;
};

PaginatorSpec renamed_offset() {
  auto p = spec_of(PaginatorKind::offset);
  p.offset_param = "$skip";
  p.limit_param = "$top";
  return p;
}

PaginatorSpec zero_based_pages() {
  auto p = spec_of(PaginatorKind::page_number);
  p.page_param = "p";
  p.limit_param = "per_page";
  p.first_page = 0;
  return p;
}

PaginatorSpec link_per_page() {
  auto p = spec_of(PaginatorKind::link_header);
  p.limit_param = "per_page";
  return p;
}

PaginatorSpec after_cursor() {
  auto p = spec_of(PaginatorKind::cursor);
  p.cursor_param = "after";
  return p;
}

TEST(RestPaginatorParams, EveryKindAddsExactlyItsParameters) {
  const std::vector<ParamsCase> cases = {
      {"none, first page", spec_of(PaginatorKind::none), "", 25, {}},
      {"none, any position", spec_of(PaginatorKind::none), "7", 25, {}},
      {"offset, first page", spec_of(PaginatorKind::offset), "", 25, {{"offset", "0"}, {"limit", "25"}}},
      {"offset, later page", spec_of(PaginatorKind::offset), "150", 25, {{"offset", "150"}, {"limit", "25"}}},
      {"offset, renamed", renamed_offset(), "40", 20, {{"$skip", "40"}, {"$top", "20"}}},
      {"page, first page", spec_of(PaginatorKind::page_number), "", 10, {{"page", "1"}, {"limit", "10"}}},
      {"page, later page", spec_of(PaginatorKind::page_number), "4", 10, {{"page", "4"}, {"limit", "10"}}},
      {"page, zero-based", zero_based_pages(), "", 30, {{"p", "0"}, {"per_page", "30"}}},
      {"cursor, first page", spec_of(PaginatorKind::cursor), "", 50, {{"limit", "50"}}},
      {"cursor, later page", spec_of(PaginatorKind::cursor), "eyJpZCI6NDJ9", 50,
       {{"cursor", "eyJpZCI6NDJ9"}, {"limit", "50"}}},
      {"cursor, renamed", after_cursor(), "abc", 5, {{"after", "abc"}, {"limit", "5"}}},
      {"next_url, first page", spec_of(PaginatorKind::next_url), "", 100, {{"limit", "100"}}},
      {"next_url, a URL", spec_of(PaginatorKind::next_url), "http://h/items?after=x&limit=100", 100, {}},
      {"link_header, first page", link_per_page(), "", 30, {{"per_page", "30"}}},
      {"link_header, a URL", link_per_page(), "https://api.github.com/issues?page=2&per_page=30", 30, {}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(paginator_params(c.spec, c.position, c.page_size), c.expected) << c.name;
  }
}

TEST(RestPaginatorParams, ACountedPositionThatIsNotANumberIsADataError) {
  for (auto kind : {PaginatorKind::offset, PaginatorKind::page_number}) {
    for (const std::string bad : {"abc", "-5", "12x", "1.5"}) {
      try {
        paginator_params(spec_of(kind), bad, 10);
        ADD_FAILURE() << to_string(kind) << " accepted position '" << bad << "'";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::data) << bad;
        EXPECT_NE(std::string(e.what()).find("'" + bad + "' is not a number"), std::string::npos) << e.what();
      }
    }
  }
}

TEST(RestPaginatorParams, OnlyNonEmptyPositionsOfUrlPaginatorsAreUrls) {
  EXPECT_TRUE(position_is_url(spec_of(PaginatorKind::next_url), "http://h/items?after=x"));
  EXPECT_TRUE(position_is_url(spec_of(PaginatorKind::link_header), "http://h/items?page=2"));
  EXPECT_FALSE(position_is_url(spec_of(PaginatorKind::next_url), ""));
  EXPECT_FALSE(position_is_url(spec_of(PaginatorKind::link_header), ""));
  // A cursor or an offset is never a URL, whatever it looks like.
  EXPECT_FALSE(position_is_url(spec_of(PaginatorKind::cursor), "http://h/items?after=x"));
  EXPECT_FALSE(position_is_url(spec_of(PaginatorKind::offset), "20"));
  EXPECT_FALSE(position_is_url(spec_of(PaginatorKind::page_number), "2"));
  EXPECT_FALSE(position_is_url(spec_of(PaginatorKind::none), "http://h/"));
}

// ---------------------------------------------------------------------------------------------
// next_position

struct NextCase {
  const char* name;
  PaginatorSpec spec;
  std::string position;
  PageFacts page;
  std::optional<std::string> expected;
};

PageFacts facts(size_t returned, int page_size, std::optional<std::string> token = std::nullopt,
                std::optional<std::string> link = std::nullopt, std::optional<long long> total = std::nullopt,
                long long before = 0) {
  return PageFacts{returned, page_size, std::move(token), std::move(link), total, before};
}

PaginatorSpec with_short_stop(PaginatorKind kind, bool stop) {
  auto p = spec_of(kind);
  p.stop_on_short_page = stop;
  return p;
}

PaginatorSpec zero_based(bool stop) {
  auto p = with_short_stop(PaginatorKind::page_number, stop);
  p.first_page = 0;
  return p;
}

void expect_next(const std::vector<NextCase>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(next_position(c.spec, c.position, c.page), c.expected) << c.name;
  }
}

TEST(RestNextPosition, NoneHasASinglePage) {
  expect_next({
      {"full page", spec_of(PaginatorKind::none), "", facts(100, 100, "t", "http://h/x", 1000), std::nullopt},
      {"empty page", spec_of(PaginatorKind::none), "", facts(0, 100), std::nullopt},
  });
}

TEST(RestNextPosition, OffsetAdvancesByTheRecordsReceivedAndStopsAtEmptyShortOrTotal) {
  const auto stop = with_short_stop(PaginatorKind::offset, true);
  const auto go_on = with_short_stop(PaginatorKind::offset, false);
  expect_next({
      {"first full page", stop, "", facts(25, 25), "25"},
      {"later full page", stop, "25", facts(25, 25), "50"},
      {"empty page", stop, "50", facts(0, 25), std::nullopt},
      {"empty page, short pages allowed", go_on, "50", facts(0, 25), std::nullopt},
      {"short page stops", stop, "50", facts(24, 25), std::nullopt},
      {"short page goes on by what it got", go_on, "50", facts(13, 25), "63"},
      {"total reached exactly", stop, "25", facts(25, 25, std::nullopt, std::nullopt, 50), std::nullopt},
      {"total reached, short pages allowed", go_on, "40", facts(10, 25, std::nullopt, std::nullopt, 50),
       std::nullopt},
      {"total exceeded (records added mid-walk)", stop, "25", facts(25, 25, std::nullopt, std::nullopt, 40),
       std::nullopt},
      {"total not yet reached", stop, "25", facts(25, 25, std::nullopt, std::nullopt, 51), "50"},
      {"a body token means nothing to offsets", stop, "", facts(25, 25, "tok", "http://h/x"), "25"},
  });
}

TEST(RestNextPosition, PageNumberCountsPagesFromFirstPage) {
  const auto stop = with_short_stop(PaginatorKind::page_number, true);
  const auto go_on = with_short_stop(PaginatorKind::page_number, false);
  expect_next({
      {"first page (absent position)", stop, "", facts(10, 10), "2"},
      {"page 2", stop, "2", facts(10, 10), "3"},
      {"empty page", stop, "3", facts(0, 10), std::nullopt},
      {"empty page, short pages allowed", go_on, "3", facts(0, 10), std::nullopt},
      {"short page stops", stop, "3", facts(9, 10), std::nullopt},
      {"short page goes on", go_on, "3", facts(5, 10), "4"},
      // Seen = records returned before this page + returned (not page * size: APIs cap sizes).
      {"total reached on page 2", stop, "2", facts(10, 10, std::nullopt, std::nullopt, 20, 10), std::nullopt},
      {"total not reached on page 2", stop, "2", facts(10, 10, std::nullopt, std::nullopt, 21, 10), "3"},
      {"capped page size, total not reached", stop, "2", facts(5, 10, std::nullopt, std::nullopt, 20, 5), "3"},
      {"zero-based first page", zero_based(true), "", facts(10, 10), "1"},
      {"zero-based total reached on page 1", zero_based(true), "1",
       facts(10, 10, std::nullopt, std::nullopt, 20, 10), std::nullopt},
      {"zero-based total not reached on page 1", zero_based(true), "1",
       facts(10, 10, std::nullopt, std::nullopt, 30, 10), "2"},
  });
}

TEST(RestNextPosition, CursorFollowsTheBodysTokenUntilItIsMissingOrEmpty) {
  const auto stop = with_short_stop(PaginatorKind::cursor, true);
  const auto go_on = with_short_stop(PaginatorKind::cursor, false);
  expect_next({
      {"token on a full page", go_on, "", facts(50, 50, "c2"), "c2"},
      {"token on a later page", go_on, "c2", facts(50, 50, "c3"), "c3"},
      {"no token", go_on, "c3", facts(50, 50), std::nullopt},
      {"empty token", go_on, "c3", facts(50, 50, ""), std::nullopt},
      {"empty page with a token", go_on, "c3", facts(0, 50, "c4"), std::nullopt},
      {"short page with a token, short pages allowed", go_on, "c3", facts(7, 50, "c4"), "c4"},
      {"short page with a token, stop_on_short_page", stop, "c3", facts(7, 50, "c4"), std::nullopt},
      {"a Link header means nothing to cursors", go_on, "", facts(50, 50, std::nullopt, "http://h/x"),
       std::nullopt},
      {"a total does not stop cursors", go_on, "", facts(50, 50, "c2", std::nullopt, 50), "c2"},
  });
}

TEST(RestNextPosition, NextUrlFollowsTheBodysUrlUntilItIsMissingOrEmpty) {
  const auto go_on = with_short_stop(PaginatorKind::next_url, false);
  const auto stop = with_short_stop(PaginatorKind::next_url, true);
  const std::string url = "http://h/items?after=t2&limit=50";
  expect_next({
      {"next URL", go_on, "", facts(50, 50, url), url},
      {"no next URL", go_on, url, facts(50, 50), std::nullopt},
      {"empty next URL", go_on, url, facts(50, 50, ""), std::nullopt},
      {"empty page", go_on, url, facts(0, 50, url + "x"), std::nullopt},
      {"short page, allowed", go_on, "", facts(3, 50, url), url},
      {"short page, stop_on_short_page", stop, "", facts(3, 50, url), std::nullopt},
      {"a Link header means nothing here", go_on, "", facts(50, 50, std::nullopt, url), std::nullopt},
  });
}

TEST(RestNextPosition, LinkHeaderFollowsRelNextUntilThereIsNone) {
  const auto go_on = with_short_stop(PaginatorKind::link_header, false);
  const auto stop = with_short_stop(PaginatorKind::link_header, true);
  const std::string link = "http://h/items?page=2&per_page=30";
  expect_next({
      {"rel=next", go_on, "", facts(30, 30, std::nullopt, link), link},
      {"no rel=next", go_on, link, facts(30, 30), std::nullopt},
      {"empty rel=next target", go_on, link, facts(30, 30, std::nullopt, ""), std::nullopt},
      {"empty page", go_on, link, facts(0, 30, std::nullopt, link + "0"), std::nullopt},
      {"short page, allowed", go_on, "", facts(12, 30, std::nullopt, link), link},
      {"short page, stop_on_short_page", stop, "", facts(12, 30, std::nullopt, link), std::nullopt},
      {"a body token means nothing here", go_on, "", facts(30, 30, "http://h/other"), std::nullopt},
      {"X-Total-Count does not stop it", go_on, "", facts(30, 30, std::nullopt, link, 30), link},
  });
}

// ---------------------------------------------------------------------------------------------
// link_next on Link headers as real APIs send them

TEST(RestLinkNext, RealWorldHeaders) {
  struct Case {
    const char* name;
    std::string header;
    std::optional<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"GitHub, middle page: prev, next, last, first",
       "<https://api.github.com/repositories/1300192/issues?page=2>; rel=\"prev\", "
       "<https://api.github.com/repositories/1300192/issues?page=4>; rel=\"next\", "
       "<https://api.github.com/repositories/1300192/issues?page=515>; rel=\"last\", "
       "<https://api.github.com/repositories/1300192/issues?page=1>; rel=\"first\"",
       "https://api.github.com/repositories/1300192/issues?page=4"},
      {"GitHub search, query string with encoded characters",
       "<https://api.github.com/search/code?q=addClass+user%3Amozilla&page=2&per_page=30>; rel=\"next\", "
       "<https://api.github.com/search/code?q=addClass+user%3Amozilla&page=34&per_page=30>; rel=\"last\"",
       "https://api.github.com/search/code?q=addClass+user%3Amozilla&page=2&per_page=30"},
      {"GitHub, last page: no next",
       "<https://api.github.com/repositories/1300192/issues?page=514>; rel=\"prev\", "
       "<https://api.github.com/repositories/1300192/issues?page=1>; rel=\"first\"",
       std::nullopt},
      {"GitLab, keyset with several parameters",
       "<https://gitlab.example.com/api/v4/projects?id_before=42&imports=false&order_by=id&page=1&per_page=20>; "
       "rel=\"next\"",
       "https://gitlab.example.com/api/v4/projects?id_before=42&imports=false&order_by=id&page=1&per_page=20"},
      {"rel without quotes", "<https://example.com/items?page=2>; rel=next, <https://example.com/items?page=9>; rel=last",
       "https://example.com/items?page=2"},
      {"rel without quotes, last link", "<https://example.com/items?page=1>; rel=prev, <https://example.com/items?page=3>; rel=next",
       "https://example.com/items?page=3"},
      {"no space before rel", "<https://example.com/items?page=2>;rel=\"next\"", "https://example.com/items?page=2"},
      {"Sentry: extra parameters after rel",
       "<https://sentry.io/api/0/projects/acme/web/issues/?&cursor=1420837590000:0:1>; rel=\"previous\"; "
       "results=\"false\"; cursor=\"1420837590000:0:1\", "
       "<https://sentry.io/api/0/projects/acme/web/issues/?&cursor=1420837533000:0:0>; rel=\"next\"; "
       "results=\"true\"; cursor=\"1420837533000:0:0\"",
       "https://sentry.io/api/0/projects/acme/web/issues/?&cursor=1420837533000:0:0"},
      {"several relation types in one rel", "<https://example.com/items?page=2>; rel=\"next last\"",
       "https://example.com/items?page=2"},
      {"a comma inside the URL", "<https://example.com/items?fields=a,b&page=2>; rel=\"next\"",
       "https://example.com/items?fields=a,b&page=2"},
      {"only prev and first", "<https://example.com/items?page=1>; rel=\"prev\", <https://example.com/items?page=1>; rel=\"first\"",
       std::nullopt},
      {"a rel that merely starts with next", "<https://example.com/items?page=2>; rel=\"nextpage\"", std::nullopt},
      {"empty header", "", std::nullopt},
      {"unterminated target", "<https://example.com/items?page=2; rel=\"next\"", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(link_next(c.header), c.expected) << c.name << "\n  header: " << c.header;
  }
}

// RFC 8288: `rel` holds a space-separated list of relation types, compared case-insensitively
// (§2.1.1, §3.3), with optional whitespace around "=" (BWS in the §3 grammar). A next link that
// is missed ends the walk after one page without an error.
TEST(RestLinkNext, RelIsATokenListComparedCaseInsensitively) {
  struct Case {
    const char* name;
    std::string header;
  };
  const std::vector<Case> cases = {
      {"upper-case relation type", "<https://example.com/items?page=1>; rel=\"prev\", <https://example.com/items?page=3>; rel=\"Next\""},
      {"next in the middle of a rel list", "<https://example.com/items?page=3>; rel=\"prev next last\""},
      {"whitespace around =", "<https://example.com/items?page=3>; rel = \"next\""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(link_next(c.header), std::optional<std::string>("https://example.com/items?page=3"))
        << c.name << "\n  header: " << c.header;
  }
  // And a link whose other parameters merely mention "next" is not the next link.
  EXPECT_EQ(link_next("<https://example.com/items?page=1>; rel=\"prev\"; title=\"before next\""), std::nullopt);
}

}  // namespace
}  // namespace tributary::connectors
