#pragma once
// What a connector file marks secret, and which tables it may name: read with positions like the
// rest of the file (connectors/config.cpp), so `check` points at the line.
#include <string>
#include <vector>

#include "connectors/config.hpp"
#include "connectors/yaml_reader.hpp"

namespace tributary::connectors {

// Variables the file marks secret: every one an auth secret is read from, and those listed in
// `secret_variables` (for secrets that travel outside auth, e.g. a signing key in params).
std::vector<std::string> read_secret_variables(const YamlReader& r, const YAML::Node& root);

// The stream's params shown as "***" in request_payload: the file's and the stream's
// `secret_params`, and every param whose text reads a secret variable. Sorted, unique.
std::vector<std::string> secret_params_of(const YamlReader& r, const YAML::Node& body, const StreamConfig& s,
                                          const ConnectorConfig& c);

// Every secret value of the file, raw and URL-encoded (as an API echoes it in a next link),
// longest first.
std::vector<Secret> secret_values(const YamlReader& r, const ConnectorConfig& c);

// Why `table` cannot be a stream's table, or "" when it can.
std::string table_problem(const std::string& table, const std::string& stream);

}  // namespace tributary::connectors
