// The connector file: config/quickbooks.yaml as shipped, and every error naming FILE:LINE:COL.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "connectors/config.hpp"
#include "core/error.hpp"

namespace tributary::connectors {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

fs::path shipped_config() {
#ifdef TRIBUTARY_SOURCE_DIR
  return fs::path(TRIBUTARY_SOURCE_DIR) / "config/quickbooks.yaml";
#else
  return fs::path(__FILE__).parent_path().parent_path() / "config/quickbooks.yaml";
#endif
}

const std::string kClientSecret = "cs-SECRET-VALUE-8c1f2d";
const std::string kRefreshToken = "rt-SECRET-VALUE-AB11x9";

using Vars = std::map<std::string, std::string>;

Vars qbo_vars() {
  return {{"QBO_REALM_ID", "9130357"},
          {"QBO_CLIENT_ID", "ABclientid42"},
          {"QBO_CLIENT_SECRET", kClientSecret},
          {"QBO_REFRESH_TOKEN", kRefreshToken}};
}

EnvLookup fake_env(Vars vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

void expect_no_secret(const std::string& message) {
  EXPECT_EQ(message.find(kClientSecret), std::string::npos) << message;
  EXPECT_EQ(message.find(kRefreshToken), std::string::npos) << message;
}

// ---------------------------------------------------------------------------------------------
// The shipped file

TEST(Config, ShippedQuickBooksFileLoadsWithDefaults) {
  ASSERT_TRUE(fs::exists(shipped_config())) << shipped_config();
  auto c = load_connector_config(shipped_config().string(), fake_env(qbo_vars()));

  EXPECT_EQ(c.kind, "rest");
  EXPECT_EQ(c.name, "quickbooks");
  EXPECT_EQ(c.account, "9130357");
  EXPECT_EQ(c.base_url, "https://quickbooks.api.intuit.com");
  EXPECT_EQ(c.extension, "quickbooks");
  EXPECT_TRUE(fs::path(c.path).is_absolute()) << c.path;
  EXPECT_EQ(fs::path(c.path).filename(), "quickbooks.yaml");

  EXPECT_EQ(c.auth.kind, "oauth2_refresh");
  EXPECT_EQ(c.auth.token_url, "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer");
  EXPECT_EQ(c.auth.client_id, "ABclientid42");
  EXPECT_EQ(c.auth.client_secret.reveal(), kClientSecret);
  EXPECT_EQ(c.auth.refresh_token.reveal(), kRefreshToken);

  EXPECT_EQ(c.retry.max_retries, 5);
  EXPECT_EQ(c.retry.base_delay, milliseconds(1000));
  EXPECT_EQ(c.retry.max_delay, milliseconds(60'000));
  EXPECT_EQ(c.retry.max_retry_after, milliseconds(300'000));
  EXPECT_EQ(c.retry.retry_statuses, (std::set<int>{429, 500, 502, 503, 504}));
  EXPECT_TRUE(c.retry.honour_retry_after);

  EXPECT_EQ(c.rate_limit.requests_per_interval, 500);
  EXPECT_EQ(c.rate_limit.interval, milliseconds(60'000));
  EXPECT_EQ(c.rate_limit.max_concurrent, 10);
  EXPECT_EQ(c.http.connect_timeout, milliseconds(10'000));
  EXPECT_EQ(c.http.total_timeout, milliseconds(120'000));

  EXPECT_EQ(c.default_chunk, boost::posix_time::hours(24 * 7));
  EXPECT_EQ(c.default_page_size, 1000);
  EXPECT_EQ(c.max_page_size, 1000);

  struct Expected {
    const char* name;
    const char* entity;
    const char* table;
  };
  const std::vector<Expected> streams = {{"customers", "Customer", "raw.qbo_customers"},
                                         {"invoices", "Invoice", "raw.qbo_invoices"},
                                         {"items", "Item", "raw.qbo_items"}};
  ASSERT_EQ(c.streams.size(), streams.size());
  for (size_t i = 0; i < streams.size(); ++i) {
    EXPECT_EQ(c.streams[i].name, streams[i].name);
    const auto& rest = c.streams[i].rest;
    ASSERT_NE(c.streams[i].extension.find("entity"), nullptr);
    EXPECT_EQ(*c.streams[i].extension.find("entity"), streams[i].entity);
    EXPECT_EQ(rest.paginator.kind, PaginatorKind::none);
    EXPECT_EQ(rest.volume.kind, VolumeKind::none);
    EXPECT_EQ(rest.path, "/v3/company/9130357/query");
    EXPECT_EQ(rest.records, std::string("/QueryResponse/") + streams[i].entity);
    EXPECT_EQ(rest.primary_key, std::vector<std::string>{"/Id"});
    ASSERT_TRUE(rest.cursor.has_value());
    EXPECT_EQ(rest.cursor->field, "/MetaData/LastUpdatedTime");
    EXPECT_EQ(c.streams[i].table, streams[i].table);
    EXPECT_EQ(c.streams[i].page_size, 1000);
    ASSERT_NE(c.find_stream(streams[i].name), nullptr);
  }
  EXPECT_EQ(c.find_stream("bills"), nullptr);
}

TEST(Config, EnvironmentOverridesTheDefaults) {
  auto vars = qbo_vars();
  vars["QBO_BASE_URL"] = "http://127.0.0.1:8080/";
  vars["QBO_TOKEN_URL"] = "http://127.0.0.1:8080/oauth2/v1/tokens/bearer";
  vars["QBO_REQUESTS_PER_MINUTE"] = "120";
  vars["QBO_RETRY_BASE_MS"] = "10";
  vars["QBO_TIMEOUT_MS"] = "5000";
  auto c = load_connector_config(shipped_config().string(), fake_env(vars));
  EXPECT_EQ(c.base_url, "http://127.0.0.1:8080") << "trailing slash kept";
  EXPECT_EQ(c.auth.token_url, "http://127.0.0.1:8080/oauth2/v1/tokens/bearer");
  EXPECT_EQ(c.rate_limit.requests_per_interval, 120);
  EXPECT_EQ(c.retry.base_delay, milliseconds(10));
  EXPECT_EQ(c.http.total_timeout, milliseconds(5000));
}

TEST(Config, ShippedFileNeedsEachCredentialVariable) {
  for (const char* missing : {"QBO_REALM_ID", "QBO_CLIENT_ID", "QBO_CLIENT_SECRET", "QBO_REFRESH_TOKEN"}) {
    auto vars = qbo_vars();
    vars.erase(missing);
    try {
      load_connector_config(shipped_config().string(), fake_env(vars));
      ADD_FAILURE() << "loaded without " << missing;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::config);
      std::string msg = e.what();
      EXPECT_NE(msg.find(missing), std::string::npos) << msg;
      EXPECT_EQ(msg.rfind(shipped_config().string() + ":", 0), 0u) << msg;
      expect_no_secret(msg);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Errors in hand-written files

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("tributary-config-test-" + std::to_string(::getpid()) + "-" +
             std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A valid file; each error case replaces one line (1-based) so positions are easy to read.
const std::vector<std::string> kValid = {
    /*  1 */ "kind: rest",
    /*  2 */ "account: ${QBO_REALM_ID}",
    /*  3 */ "base_url: https://quickbooks.api.intuit.com",
    /*  4 */ "auth:",
    /*  5 */ "  kind: oauth2_refresh",
    /*  6 */ "  token_url: https://oauth.example/token",
    /*  7 */ "  client_id: ${QBO_CLIENT_ID}",
    /*  8 */ "  client_secret: ${QBO_CLIENT_SECRET}",
    /*  9 */ "  refresh_token: ${QBO_REFRESH_TOKEN}",
    /* 10 */ "defaults:",
    /* 11 */ "  page_size: 100",
    /* 12 */ "  max_page_size: 1000",
    /* 13 */ "streams:",
    /* 14 */ "  invoices:",
    /* 15 */ "    paginator: {kind: offset}",
    /* 16 */ "    table: raw.qbo_invoices",
    /* 17 */ "    path: /v3/company/1/query",
    /* 18 */ "    records: /QueryResponse/Invoice",
    /* 19 */ "    primary_key: /Id",
    /* 20 */ "    volume: {kind: total_field}",
};

std::string with_line(int line, const std::string& text) {
  std::string out;
  for (size_t i = 0; i < kValid.size(); ++i) {
    out += (static_cast<int>(i) + 1 == line ? text : kValid[i]) + "\n";
  }
  return out;
}

TEST(Config, HandWrittenValidFileLoads) {
  TempDir dir;
  auto c = load_connector_config(dir.write("valid.yaml", with_line(0, "")), fake_env(qbo_vars()));
  ASSERT_EQ(c.streams.size(), 1u);
  EXPECT_EQ(c.streams[0].page_size, 100);
  EXPECT_EQ(c.name, "rest") << "name defaults to the kind";
}

struct ErrorCase {
  const char* name;
  int line;                 // line replaced in kValid
  const char* text;         // its replacement
  const char* position;     // expected "LINE:COL" after the file name
  std::vector<std::string> mentions;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class ConfigError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigError, NamesFileLineAndColumn) {
  const auto& c = GetParam();
  TempDir dir;
  const auto path = dir.write(std::string(c.name) + ".yaml", with_line(c.line, c.text));
  try {
    load_connector_config(path, fake_env(qbo_vars()));
    FAIL() << c.name << ": loaded without error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config) << e.what();
    const std::string msg = e.what();
    const std::string prefix = path + ":" + c.position + ": ";
    EXPECT_EQ(msg.substr(0, prefix.size()), prefix) << msg;
    for (const auto& m : c.mentions) EXPECT_NE(msg.find(m), std::string::npos) << "'" << m << "' not in: " << msg;
    expect_no_secret(msg);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Config, ConfigError,
    ::testing::Values(
        ErrorCase{"unknown_top_key", 3, "base_ur1: https://quickbooks.api.intuit.com", "3:1", {"base_ur1"}},
        ErrorCase{"unknown_nested_key", 11, "  page_sise: 100", "11:3", {"page_sise", "page_size"}},
        ErrorCase{"unknown_stream_key", 15, "    entitty: Invoice", "15:5", {"entitty"}},
        ErrorCase{"qbo_query_paginator_of_old", 15, "    paginator: {kind: qbo_query, entity: Invoice}", "15:23", {"extension: quickbooks", "quickbooks: {entity: Invoice}"}},
        ErrorCase{"qbo_count_volume_of_old", 20, "    volume: {kind: qbo_count}", "20:20", {"extension: quickbooks"}},
        ErrorCase{"errors_key_of_old", 2, "errors: quickbooks_fault", "2:9", {"extension: quickbooks"}},
        ErrorCase{"wrong_type", 11, "  page_size: abc", "11:14", {"page_size", "abc"}},
        ErrorCase{"out_of_range", 11, "  page_size: 1001", "11:14", {"page_size", "1000", "1001"}},
        ErrorCase{"unknown_kind", 1, "kind: quickbooks", "1:7", {"quickbooks", "rest"}},
        ErrorCase{"unknown_auth_kind", 5, "  kind: oauth1", "5:9", {"oauth1", "oauth2_refresh"}},
        ErrorCase{"unset_variable", 7, "  client_id: ${QBO_CLIENT_ID_TYPO}", "7:14", {"QBO_CLIENT_ID_TYPO"}},
        ErrorCase{"unset_variable_in_url", 3, "base_url: https://${QBO_HOST}/v3", "3:11", {"QBO_HOST"}},
        ErrorCase{"yaml_syntax", 15, "    entity: Invoice: Bill", "15:20", {"YAML"}},
        ErrorCase{"table_without_schema", 16, "    table: qbo_invoices", "16:12", {"schema"}},
        ErrorCase{"base_url_scheme", 3, "base_url: ftp://quickbooks.api.intuit.com", "3:11", {"http"}},
        // Found by tests/fuzz/fuzz_connector_file: a key that is a list escaped as yaml-cpp's exception.
        ErrorCase{"list_as_key", 11, "  [page_size]: 100", "11:3", {"single value"}},
        ErrorCase{"list_as_stream_name", 14, "  [invoices]:", "14:3", {"single value"}},
        ErrorCase{"mapping_in_primary_key", 19, "    primary_key: [{a: 1}]", "19:19", {"single value"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Config, UnsetVariableMessageNamesTheVariableAndItsLine) {
  TempDir dir;
  const auto path = dir.write("shipped-like.yaml", with_line(0, ""));
  auto vars = qbo_vars();
  vars.erase("QBO_REALM_ID");
  try {
    load_connector_config(path, fake_env(vars));
    FAIL() << "loaded without QBO_REALM_ID";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_EQ(std::string(e.what()), path + ":2:10: environment variable QBO_REALM_ID is not set");
  }
}

TEST(Config, MissingFileIsAConfigErrorNamingIt) {
  TempDir dir;
  const auto path = (dir.path() / "nope.yaml").string();
  try {
    load_connector_config(path, fake_env(qbo_vars()));
    FAIL() << "loaded a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_EQ(std::string(e.what()).rfind(path + ":", 0), 0u) << e.what();
  }
}

TEST(Config, EmptyClientSecretIsRejectedWithoutEchoingSecrets) {
  TempDir dir;
  auto vars = qbo_vars();
  vars["QBO_CLIENT_SECRET"] = "";
  const auto path = dir.write("empty-secret.yaml", with_line(0, ""));
  try {
    load_connector_config(path, fake_env(vars));
    FAIL() << "loaded with an empty client secret";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::config);
    EXPECT_EQ(std::string(e.what()).rfind(path + ":8:18: ", 0), 0u) << e.what();
    expect_no_secret(e.what());
  }
}

}  // namespace
}  // namespace tributary::connectors
