// Rules added after review: a declared total outranks the short-page rule, and an inclusive
// window cannot use a granularity its time format cannot write.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "connectors/config.hpp"
#include "connectors/rest/paginator.hpp"
#include "core/error.hpp"

namespace tributary::connectors {
namespace {

TEST(RestPagingRules, ADeclaredTotalOutranksTheShortPageRule) {
  PaginatorSpec p;
  p.kind = PaginatorKind::offset;
  p.total = "/total";
  // The API capped the page at 50 although 100 were asked: keep going until the total.
  EXPECT_EQ(next_position(p, "0", {50, 100, {}, {}, 120}), "50");
  EXPECT_EQ(next_position(p, "50", {50, 100, {}, {}, 120}), "100");
  EXPECT_EQ(next_position(p, "100", {20, 100, {}, {}, 120}), std::nullopt);
  EXPECT_EQ(next_position(p, "100", {0, 100, {}, {}, 500}), std::nullopt);  // an empty page always ends
  // Without a total, a short page ends the walk.
  p.total.clear();
  EXPECT_EQ(next_position(p, "0", {50, 100, {}, {}, std::nullopt}), std::nullopt);
}

TEST(RestPagingRules, InclusiveWindowsNeedAGranularityTheFormatCanWrite) {
  auto path = std::filesystem::temp_directory_path() / ("tributary-granularity-" + std::to_string(getpid()) + ".yaml");
  auto write = [&](const std::string& window) {
    std::ofstream(path) << "kind: rest\nbase_url: http://api\nstreams:\n"
                           "  s: {path: /s, primary_key: /id, table: raw.s, cursor: {field: /t},\n"
                           "      window: " << window << "}\n";
  };
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  write("{format: iso8601, range: inclusive, granularity: 1ms}");
  try {
    load_connector_config(path.string(), env);
    ADD_FAILURE() << "1ms accepted with whole-second timestamps";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_NE(std::string(e.what()).find(path.string() + ":5:64: granularity is finer than format iso8601"),
              std::string::npos) << e.what();
  }
  write("{format: iso8601_millis, range: inclusive, granularity: 1ms}");
  EXPECT_NO_THROW(load_connector_config(path.string(), env));
  write("{format: iso8601, range: inclusive, granularity: 1s}");
  EXPECT_NO_THROW(load_connector_config(path.string(), env));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace tributary::connectors
