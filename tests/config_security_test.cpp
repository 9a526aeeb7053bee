// What a connector file may name and what it marks secret: table names that can only ever name
// a table (an injection attempt is a FILE:LINE:COL problem for `check`), and params whose values
// request_payload shows as *** while the request still carries them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cli/inspect.hpp"
#include "connectors/config.hpp"
#include "connectors/connector.hpp"
#include "core/env.hpp"

namespace tributary::connectors {
namespace {

namespace fs = std::filesystem;
using Vars = std::map<std::string, std::string>;

EnvLookup fake_env(Vars vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A file with one stream `s`; `stream` lines are indented under it, `top` goes at the top level.
std::string write_file(const std::string& top, const std::string& stream) {
  static int n = 0;
  auto path = fs::temp_directory_path() /
              ("tributary-config-security-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".yaml");
  std::ofstream(path) << "kind: rest\n"
                         "base_url: http://localhost:9\n"
                         "auth: {kind: bearer, token: \"${API_TOKEN}\"}\n"
                      << top << "streams:\n  s:\n    path: /s\n    primary_key: /id\n" << stream;
  return path.string();
}

std::vector<std::string> problems_of(const std::string& path, const Vars& vars = {{"API_TOKEN", "t0k3n"}}) {
  auto checked = check_connector_config(path, fake_env(vars));
  fs::remove(path);
  return checked.problems;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

struct TableCase {
  std::string table;
  bool ok;
};

TEST(TableNames, OnlyPlainSchemaQualifiedIdentifiersOutsideStateAreAccepted) {
  const std::vector<TableCase> cases = {
      {"raw.acme_orders", true},
      {"raw.x_1", true},
      {"analytics.orders2", true},
      {"\"raw.x; DROP TABLE y\"", false},
      {"\"raw.x\\\"; DROP TABLE y; --\"", false},
      {"raw.\\\"x\\\"", false},
      {"raw.Orders", false},  // quoted it would not be raw.orders
      {"raw.1orders", false},
      {"raw.", false},
      {".orders", false},
      {"raw.a.b", false},
      {"raw.orders-2024", false},
      {"raw." + std::string(64, 'a'), false},
      {"raw." + std::string(63, 'a'), true},
      {"state.windows", false},
      {"pg_catalog.pg_class", false},
      {"information_schema.tables", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.table);
    auto problems = problems_of(write_file("", "    table: " + c.table + "\n"));
    if (c.ok) {
      EXPECT_TRUE(problems.empty()) << joined(problems);
      continue;
    }
    ASSERT_EQ(problems.size(), 1u) << joined(problems);
    EXPECT_NE(problems[0].find(".yaml:8:12: 'table' "), std::string::npos) << problems[0];
  }
}

TEST(TableNames, CheckRejectsAnInjectionAttemptWithItsPosition) {
  auto path = write_file("", "    table: raw.x; DROP TABLE y\n");
  std::ostringstream out, err;
  int code = cli::check_connector(path, false, "", std::nullopt, out, err);
  fs::remove(path);
  EXPECT_EQ(code, 3);
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(err.str().find(path + ":8:12: 'table' must be schema.table"), std::string::npos) << err.str();
}

// ---------------------------------------------------------------------------------------------
// Secret params

const std::string kParams =
    "    params:\n"
    "      since: \"{window_start}\"\n"
    "      sig: \"${API_SIG}\"\n"
    "      tenant: \"tk-${TENANT_KEY}\"\n"
    "      copy: \"${API_TOKEN}\"\n"
    "      plain: \"${REGION}\"\n"
    "    table: raw.s\n";
const Vars kVars = {{"API_TOKEN", "t0k3n/+"}, {"API_SIG", "s1g"}, {"TENANT_KEY", "k3y"}, {"REGION", "eu"}};

ConnectorConfig load(const std::string& top, const std::string& stream, const Vars& vars = kVars) {
  auto path = write_file(top, stream);
  auto config = load_connector_config(path, fake_env(vars));
  fs::remove(path);
  return config;
}

TEST(SecretParams, ListedParamsAndParamsReadingSecretVariablesAreSecret) {
  auto c = load("secret_variables: [TENANT_KEY]\n", kParams + "    secret_params: [sig]\n");
  EXPECT_EQ(c.secret_variables, (std::vector<std::string>{"API_TOKEN", "TENANT_KEY"}));
  // sig: listed; tenant: reads a secret variable; copy: reads the auth token's variable.
  EXPECT_EQ(c.streams[0].secret_params, (std::vector<std::string>{"copy", "sig", "tenant"}));
  std::vector<std::string> secrets;
  for (const auto& s : c.secrets) secrets.push_back(s.reveal());
  for (const auto* v : {"t0k3n/+", "t0k3n%2F%2B", "s1g", "k3y", "tk-k3y"}) {
    EXPECT_NE(std::find(secrets.begin(), secrets.end(), v), secrets.end()) << v;
  }
  EXPECT_EQ(std::find(secrets.begin(), secrets.end(), "eu"), secrets.end());
}

TEST(SecretParams, FileWideSecretParamsApplyToEveryStreamThatHasThem) {
  auto c = load("secret_params: [sig, absent_elsewhere]\n", kParams);
  EXPECT_EQ(c.streams[0].secret_params, (std::vector<std::string>{"absent_elsewhere", "copy", "sig"}));
}

TEST(SecretParams, RequestPayloadShowsThemAsStarsAndTheRequestCarriesThem) {
  auto c = load("secret_variables: [TENANT_KEY]\n", kParams + "    secret_params: [sig]\n");
  auto connector = make_connector(std::move(c));
  auto request = connector->stream("s").page_request(Window{parse_timestamp("2024-01-01", "s"), parse_timestamp("2024-01-02", "e")}, "");
  EXPECT_EQ(request.http.url,
            "http://localhost:9/s?since=2024-01-01T00%3A00%3A00Z&sig=s1g&tenant=tk-k3y&copy=t0k3n%2F%2B&plain=eu");
  EXPECT_EQ(request.request_payload,
            "{\"method\":\"GET\",\"url\":\"http://localhost:9/s\",\"params\":{\"since\":\"2024-01-01T00:00:00Z\","
            "\"sig\":\"***\",\"tenant\":\"***\",\"copy\":\"***\",\"plain\":\"eu\"}}");
}

TEST(SecretParams, AFollowedNextUrlIsStoredWithoutSecretValues) {
  auto c = load("", "    params: {sig: \"${API_SIG}\"}\n    secret_params: [sig]\n"
                    "    paginator: {kind: next_url, next: /next}\n    table: raw.s\n");
  auto connector = make_connector(std::move(c));
  auto request = connector->stream("s").page_request(Window{}, "http://localhost:9/s?after=2&sig=s1g");
  EXPECT_EQ(request.http.url, "http://localhost:9/s?after=2&sig=s1g");  // followed verbatim
  EXPECT_EQ(request.request_payload.find("s1g"), std::string::npos) << request.request_payload;
  EXPECT_NE(request.request_payload.find("after=2&sig=***"), std::string::npos) << request.request_payload;
}

TEST(SecretParams, BadListsArePointedAt) {
  auto unknown = problems_of(write_file("", kParams + "    secret_params: [sig, nope]\n"), kVars);
  ASSERT_EQ(unknown.size(), 1u) << joined(unknown);
  EXPECT_NE(unknown[0].find(":15:26: secret_params names 'nope', which is not a param of stream 's'"), std::string::npos)
      << unknown[0];
  auto not_a_list = problems_of(write_file("", kParams + "    secret_params: sig\n"), kVars);
  ASSERT_EQ(not_a_list.size(), 1u) << joined(not_a_list);
  EXPECT_NE(not_a_list[0].find(":15:20: 'secret_params' must be a list of names"), std::string::npos) << not_a_list[0];
  auto bad_variable = problems_of(write_file("secret_variables: [OK, 9bad]\n", kParams), kVars);
  ASSERT_EQ(bad_variable.size(), 1u) << joined(bad_variable);
  EXPECT_NE(bad_variable[0].find(":4:24: '9bad' is not a variable name"), std::string::npos) << bad_variable[0];
}

}  // namespace
}  // namespace tributary::connectors
