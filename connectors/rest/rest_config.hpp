#pragma once
// Parsing the declarative parts of a `kind: rest` connector file.
#include "connectors/rest/rest_spec.hpp"
#include "connectors/yaml_reader.hpp"

namespace tributary::connectors {

// The stream mapping's rest-specific keys (path, params, records, primary_key, cursor, window,
// paginator, volume, ...). Throws Error(config) at the offending node.
RestStreamSpec read_rest_stream(const YamlReader& r, const YAML::Node& stream, const std::string& name);

// A mapping of strings, e.g. params or headers, values ${VAR}-expanded.
std::vector<std::pair<std::string, std::string>> read_string_map(const YamlReader& r, const YAML::Node& node,
                                                                 const std::string& what);

}  // namespace tributary::connectors
