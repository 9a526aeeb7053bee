#pragma once
// A dbt sources.yml (version 2) for a connector file's raw tables, so a dbt project can model
// raw right away: one source per schema, each table described column by column, with freshness
// measured on ingested_at_utc.
#include <string>

#include "connectors/config.hpp"

namespace tributary::cli {

struct Freshness {
  Duration warn_after = boost::posix_time::hours(6);
  Duration error_after = boost::posix_time::hours(24);
};

std::string dbt_sources_yaml(const connectors::ConnectorConfig& config, const Freshness& freshness);

}  // namespace tributary::cli
