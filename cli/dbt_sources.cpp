#include "cli/dbt_sources.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <vector>

namespace tributary::cli {
namespace {

// The raw table's columns (sql/raw_table.sql), as a dbt model author needs them explained.
struct Column {
  const char* name;
  const char* description;
  bool not_null;
};

const std::vector<Column>& raw_columns() {
  static const std::vector<Column> columns = {
      {"account", "The account the record belongs to (the connector file's `account`; QuickBooks: the realm id). "
                   "With id, the primary key.", true},
      {"id", "The record's primary key as text, as the source sent it (a JSON array of texts for a composite key).",
       true},
      {"payload", "The record exactly as the API returned it (jsonb).", true},
      {"payload_hash", "XXH3-128 of the record's text as received: a re-run skips records whose text is unchanged.", false},
      {"source_updated_at", "The record's own updated-at, read from the stream's cursor field (UTC); null for "
                            "full-refresh streams.", false},
      {"ingested_at_utc", "When tributary last wrote this row (its payload changed, or it was first loaded).", true},
      {"extract_window_start_utc", "Start of the half-open extraction window [start, end) the row was loaded in.", true},
      {"extract_window_end_utc", "End (exclusive) of that window.", true},
      {"page_number", "The page of the window the record came on.", true},
      {"page_size", "The page size asked for.", true},
      {"request_payload", "The request that returned the record: method, URL, query, parameters (never a secret).",
       true},
      {"run_id", "The tributary run that wrote the row (state.runs).", false},
      {"deleted_at_utc", "When the source deleted the record, as its deletion feed reported it (QuickBooks: CDC); "
                         "null while it exists. Rows are never removed: filter on this column.", false},
  };
  return columns;
}

// dbt freshness: {count, period} in the largest whole unit.
void emit_threshold(YAML::Emitter& out, const char* key, const Duration& d) {
  long long minutes = d.total_seconds() / 60;
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginMap;
  if (minutes % (24 * 60) == 0) {
    out << YAML::Key << "count" << YAML::Value << minutes / (24 * 60) << YAML::Key << "period" << YAML::Value << "day";
  } else if (minutes % 60 == 0) {
    out << YAML::Key << "count" << YAML::Value << minutes / 60 << YAML::Key << "period" << YAML::Value << "hour";
  } else {
    out << YAML::Key << "count" << YAML::Value << std::max(1LL, minutes) << YAML::Key << "period" << YAML::Value
        << "minute";
  }
  out << YAML::EndMap;
}

void emit_table(YAML::Emitter& out, const connectors::StreamConfig& s, const std::string& table,
                const std::string& connector) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << table;
  out << YAML::Key << "description" << YAML::Value
      << "Stream `" + s.name + "` of connector `" + connector + "`: one row per record, upserted on (account, id). " +
             (s.rest.cursor ? "Incremental on " + s.rest.cursor->field + "." : "Reloaded in full by every run.");
  out << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
  for (const auto& c : raw_columns()) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << c.name << YAML::Key << "description"
        << YAML::Value << c.description;
    if (c.not_null) out << YAML::Key << "tests" << YAML::Value << YAML::Flow << YAML::BeginSeq << "not_null" << YAML::EndSeq;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
}

}  // namespace

std::string dbt_sources_yaml(const connectors::ConnectorConfig& config, const Freshness& freshness) {
  std::map<std::string, std::vector<const connectors::StreamConfig*>> by_schema;
  for (const auto& s : config.streams) by_schema[s.table.substr(0, s.table.find('.'))].push_back(&s);
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "version" << YAML::Value << 2;
  out << YAML::Key << "sources" << YAML::Value << YAML::BeginSeq;
  for (const auto& [schema, streams] : by_schema) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << (by_schema.size() == 1 ? config.name : config.name + "_" + schema);
    out << YAML::Key << "schema" << YAML::Value << schema;
    out << YAML::Key << "description" << YAML::Value
        << "Raw records of connector `" + config.name + "` (" + std::filesystem::path(config.path).filename().string() +
               "), loaded by tributary.";
    out << YAML::Key << "loaded_at_field" << YAML::Value << "ingested_at_utc";
    out << YAML::Key << "freshness" << YAML::Value << YAML::BeginMap;
    emit_threshold(out, "warn_after", freshness.warn_after);
    emit_threshold(out, "error_after", freshness.error_after);
    out << YAML::EndMap;
    out << YAML::Key << "tables" << YAML::Value << YAML::BeginSeq;
    for (const auto* s : streams) emit_table(out, *s, s->table.substr(s->table.find('.') + 1), config.name);
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string("# Generated by `tributary dbt-sources`; regenerate after changing the connector file.\n") +
         out.c_str() + "\n";
}

}  // namespace tributary::cli
