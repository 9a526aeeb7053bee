// Bad input that needs no database: a schema newer than the binary (the message), the runs
// list's window tally, `http.max_body_bytes` as a config key, and the client stopping at the
// limit while receiving (against the generic REST mock on loopback).
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "cli/status_report.hpp"
#include "connectors/config.hpp"
#include "http/curl_client.hpp"
#include "mock/rest/rest_mock.hpp"
#include "state/migrations.hpp"

namespace tributary {
namespace {

using Versions = std::vector<std::string>;

struct SchemaCase {
  const char* name;
  Versions applied;
  Versions known;
  std::optional<std::string> problem;
};

TEST(BadInputSchema, ADatabaseWithAVersionThisBinaryDoesNotKnowIsRefusedByName) {
  const Versions known{"migrations/001_init.sql", "migrations/002_verified_windows.sql"};
  const std::vector<SchemaCase> cases{
      {"empty database", {}, known, std::nullopt},
      {"partly migrated", {"migrations/001_init.sql"}, known, std::nullopt},
      {"current", known, known, std::nullopt},
      {"one newer",
       {"migrations/001_init.sql", "migrations/002_verified_windows.sql", "migrations/003_next.sql"},
       known,
       "the database's schema is version 3, newer than this tributary (knows up to 2): upgrade tributary"},
      {"the newest of several unknown names the version",
       {"migrations/001_init.sql", "migrations/012_later.sql", "migrations/003_next.sql"},
       known,
       "the database's schema is version 12, newer than this tributary (knows up to 2): upgrade tributary"},
      {"an unknown version without a number is quoted",
       {"migrations/001_init.sql", "hand-made"},
       known,
       "the database's schema is version 'hand-made', newer than this tributary (knows up to 2): upgrade tributary"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(state::newer_schema_problem(c.applied, c.known), c.problem) << c.name;
  }
  EXPECT_EQ(state::migration_number("migrations/007_x.sql"), 7);
  EXPECT_EQ(state::migration_number("migrations/x.sql"), std::nullopt);
}

TEST(BadInputStatus, TheRunsListTalliesWindowsByStatus) {
  struct Case {
    state::WindowTally tally;
    const char* text;
  };
  const std::vector<Case> cases{
      {{0, 0, 0, 0}, "-"},
      {{4, 4, 0, 0}, "4/4 done"},
      {{10, 7, 2, 1}, "9/10 done (2 with rejects), 1 failed"},
      {{3, 0, 0, 3}, "0/3 done, 3 failed"},
      {{5, 1, 0, 0}, "1/5 done"},  // the rest pending or running
  };
  for (const auto& c : cases) EXPECT_EQ(cli::tally_text(c.tally), c.text);
}

std::optional<std::string> first_problem(const connectors::ConfigCheck& check) {
  if (check.problems.empty()) return std::nullopt;
  return check.problems.front();
}

TEST(BadInputConfig, MaxBodyBytesHasADefaultAndARange) {
  auto file = [](const std::string& http) {
    return "kind: rest\nname: t\naccount: a\nbase_url: http://127.0.0.1:9\n" + http +
           "streams:\n  items:\n    path: /items\n    records: /items\n    primary_key: /id\n    table: raw.t_items\n";
  };
  auto no_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto plain = connectors::check_connector_text(file(""), "t.yaml", no_env);
  ASSERT_TRUE(plain.ok()) << plain.problems.front();
  EXPECT_EQ(plain.config.http.max_body_bytes, 256LL << 20);
  auto set = connectors::check_connector_text(file("http: {max_body_bytes: 65536}\n"), "t.yaml", no_env);
  ASSERT_TRUE(set.ok()) << set.problems.front();
  EXPECT_EQ(set.config.http.max_body_bytes, 65536);
  for (const char* bad : {"http: {max_body_bytes: 10}\n", "http: {max_body_bytes: lots}\n"}) {
    auto problem = first_problem(connectors::check_connector_text(file(bad), "t.yaml", no_env));
    ASSERT_TRUE(problem.has_value()) << bad;
    EXPECT_NE(problem->find("t.yaml:5:"), std::string::npos) << *problem;
    EXPECT_NE(problem->find("max_body_bytes"), std::string::npos) << *problem;
  }
}

TEST(BadInputHttp, ABodyOverTheLimitStopsTheTransferAndFailsAsData) {
  mock::RestMockOptions options;
  options.records = 10;
  mock::RestMock server(options);
  server.start();
  server.set_payload(1, "{\"id\":1,\"updated_at\":\"" + server.records().front().updated_at_utc + "\",\"blob\":\"" +
                            std::string(64 * 1024, 'x') + "\"}");
  http::HttpRequest request;
  request.url = server.base_url() + "/items?limit=10&offset=0";
  request.label = "GET /items";

  http::HttpOptions roomy;
  roomy.max_body_bytes = 1 << 20;
  auto whole = http::HttpClient(roomy).perform(request);
  ASSERT_EQ(whole.status, 200);
  ASSERT_GT(whole.body.size(), 64u * 1024);

  http::HttpOptions tight;
  tight.max_body_bytes = 16 * 1024;
  http::HttpClient client(tight);
  try {
    client.perform(request);
    FAIL() << "a body of " << whole.body.size() << " bytes passed a limit of 16384";
  } catch (const http::TransportError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::data);
    EXPECT_FALSE(e.retryable());
    EXPECT_EQ(std::string(e.what()),
              "the answer to GET /items is larger than http.max_body_bytes (16384 bytes); stopped reading it");
  }
  // The handle stays usable: the next answer (one record, not the large one) is read whole.
  auto records = server.records();
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return a.updated_at_utc != b.updated_at_utc ? a.updated_at_utc < b.updated_at_utc : a.id < b.id;
  });
  auto offset = records.front().id == 1 ? "1" : "0";
  request.url = server.base_url() + "/items?limit=1&offset=" + offset;
  auto small = client.perform(request);
  EXPECT_EQ(small.status, 200);
  EXPECT_LT(small.body.size(), 16u * 1024);
}

}  // namespace
}  // namespace tributary
