// `tributary dbt-sources`: the sources.yml read back as YAML, shaped as dbt's version 2 expects.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "cli/dbt_sources.hpp"
#include "connectors/config.hpp"

namespace tributary::cli {
namespace {

connectors::ConnectorConfig two_schemas() {
  const char* text =
      "kind: rest\nname: acme\naccount: tenant-1\nbase_url: https://api.acme.example\n"
      "streams:\n"
      "  orders:\n    path: /orders\n    records: /data\n    primary_key: /id\n"
      "    cursor: {field: /updated_at}\n    table: raw.acme_orders\n"
      "  plans:\n    path: /plans\n    records: /data\n    primary_key: /id\n    table: raw.acme_plans\n"
      "  audit:\n    path: /audit\n    records: \"\"\n    primary_key: [/day, /seq]\n"
      "    cursor: {field: /at}\n    table: archive.acme_audit\n";
  auto checked = connectors::check_connector_text(text, "acme.yaml", [](const std::string&) { return std::nullopt; });
  EXPECT_TRUE(checked.ok()) << (checked.problems.empty() ? "" : checked.problems.front());
  return checked.config;
}

TEST(DbtSources, ReadBackAsVersionTwoSourcesOnePerSchema) {
  auto yaml = dbt_sources_yaml(two_schemas(), {boost::posix_time::hours(6), boost::posix_time::hours(48)});
  auto doc = YAML::Load(yaml);
  EXPECT_EQ(doc["version"].as<int>(), 2);
  ASSERT_EQ(doc["sources"].size(), 2u) << yaml;
  const auto archive = doc["sources"][0];
  const auto raw = doc["sources"][1];
  EXPECT_EQ(archive["name"].as<std::string>(), "acme_archive");
  EXPECT_EQ(raw["name"].as<std::string>(), "acme_raw");
  EXPECT_EQ(raw["schema"].as<std::string>(), "raw");
  EXPECT_EQ(raw["loaded_at_field"].as<std::string>(), "ingested_at_utc");
  EXPECT_EQ(raw["freshness"]["warn_after"]["count"].as<int>(), 6);
  EXPECT_EQ(raw["freshness"]["warn_after"]["period"].as<std::string>(), "hour");
  EXPECT_EQ(raw["freshness"]["error_after"]["count"].as<int>(), 2);
  EXPECT_EQ(raw["freshness"]["error_after"]["period"].as<std::string>(), "day");
  ASSERT_EQ(raw["tables"].size(), 2u);
  EXPECT_EQ(raw["tables"][0]["name"].as<std::string>(), "acme_orders");
  EXPECT_NE(raw["tables"][0]["description"].as<std::string>().find("Incremental on /updated_at"), std::string::npos);
  EXPECT_NE(raw["tables"][1]["description"].as<std::string>().find("Reloaded in full"), std::string::npos);
  EXPECT_EQ(archive["tables"][0]["name"].as<std::string>(), "acme_audit");
  std::vector<std::string> columns;
  for (const auto& c : raw["tables"][0]["columns"]) {
    columns.push_back(c["name"].as<std::string>());
    EXPECT_FALSE(c["description"].as<std::string>().empty());
  }
  EXPECT_EQ(columns, (std::vector<std::string>{"account", "id", "payload", "payload_hash", "source_updated_at", "ingested_at_utc",
                                               "extract_window_start_utc", "extract_window_end_utc", "page_number",
                                               "page_size", "request_payload", "run_id", "deleted_at_utc"}));
  EXPECT_EQ(raw["tables"][0]["columns"][1]["tests"][0].as<std::string>(), "not_null");
}

TEST(DbtSources, OneSchemaIsOneSourceNamedForTheConnector) {
  auto config = two_schemas();
  config.streams.pop_back();
  auto doc = YAML::Load(dbt_sources_yaml(config, {boost::posix_time::minutes(90), boost::posix_time::hours(5)}));
  ASSERT_EQ(doc["sources"].size(), 1u);
  EXPECT_EQ(doc["sources"][0]["name"].as<std::string>(), "acme");
  EXPECT_EQ(doc["sources"][0]["freshness"]["warn_after"]["count"].as<int>(), 90);
  EXPECT_EQ(doc["sources"][0]["freshness"]["warn_after"]["period"].as<std::string>(), "minute");
}

}  // namespace
}  // namespace tributary::cli
