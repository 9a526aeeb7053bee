#pragma once
// Shared by the REST connector integration tests: stream snippets for every paginator, and
// the fixture that checks a load against the mock exactly.
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "tests/support/rest_fixture.hpp"

namespace tributary::testing {
using mock::PageStyle;
using mock::RestAuth;

inline constexpr const char* kStart = "2024-01-01";
inline constexpr const char* kEnd = "2024-01-11";
// The first request's filters for the whole range [2024-01-01, 2024-01-11), half-open RFC 3339.
inline const std::string kRange =
    "updated_since=2024-01-01T00%3A00%3A00Z&updated_before=2024-01-11T00%3A00%3A00Z";

inline const std::string kHalfOpenParams =
    "params:\n"
    "  updated_since: \"{window_start}\"\n"
    "  updated_before: \"{window_end}\"\n";
inline const std::string kCursor = "cursor: {field: /updated_at, format: iso8601}\n";

// Stream keys for each mock style (records pointer and paginator), page size 20 unless given.
inline std::string offset_stream(const std::string& extra = "", const std::string& paginator_extra = "") {
  return "path: /items\n" + kHalfOpenParams + "records: /items\nprimary_key: /id\n" + kCursor +
         "paginator: {kind: offset, total: /total" + paginator_extra + "}\n" + extra;
}
inline std::string page_number_stream(const std::string& extra = "") {
  return "path: /items\n" + kHalfOpenParams + "records: \"\"\nprimary_key: /id\n" + kCursor +
         "paginator: {kind: page_number, limit_param: per_page}\n" + extra;
}
inline std::string cursor_stream(const std::string& extra = "", const std::string& paginator_extra = "") {
  return "path: /items\n" + kHalfOpenParams + "records: /data\nprimary_key: /id\n" + kCursor +
         "paginator: {kind: cursor, next: /meta/next_cursor" + paginator_extra + "}\n" + extra;
}
inline std::string next_url_stream(const std::string& extra = "") {
  return "path: /items\n" + kHalfOpenParams + "records: /results\nprimary_key: /id\n" + kCursor +
         "paginator: {kind: next_url, next: /next}\n" + extra;
}
inline std::string link_header_stream(const std::string& extra = "") {
  return "path: /items\n" + kHalfOpenParams + "records: \"\"\nprimary_key: /id\n" + kCursor +
         "paginator: {kind: link_header, limit_param: per_page}\n" + extra;
}

inline std::vector<std::string> repeated(const std::string& prefix, const std::vector<std::string>& suffixes) {
  std::vector<std::string> out;
  for (const auto& s : suffixes) out.push_back(prefix + s);
  return out;
}

inline std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  " + l;
  return out;
}

class RestConnectors : public RestPgTest {
 protected:
  // Every record of the mock's range is in raw exactly once, payloads equal, and the
  // window(s) fetched each record once.
  // (`count_fetches` false: a window whose pages are distrusted may reset its counters.)
  void expect_exact_load(long long expected_rows, bool count_fetches = true) {
    auto expected = records_in(kStart, kEnd);
    ASSERT_EQ(static_cast<long long>(expected.size()), expected_rows);
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable), expected_rows);
    EXPECT_EQ(mismatches(kRestTable, expected), 0);
    if (count_fetches) {
      EXPECT_EQ(scalar("SELECT sum(records_loaded) FROM state.windows"), expected_rows)
          << "a record fetched twice, or one missed";
    }
    EXPECT_EQ(scalar(std::string("SELECT count(*) FROM ") + kRestTable + " WHERE account <> 'acme'"), 0);
  }
};

}  // namespace tributary::testing
