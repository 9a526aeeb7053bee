#pragma once
// Parsing the declarative parts of a `kind: rest` connector file.
#include <functional>

#include "connectors/rest/rest_spec.hpp"
#include "connectors/yaml_reader.hpp"

namespace tributary::connectors {

// Runs one part of a file's reading, recording its problem instead of stopping, so `check` can
// list every problem.
using Section = std::function<void(const std::function<void()>& read)>;

// The stream mapping's rest-specific keys (path, params, records, primary_key, cursor, window,
// paginator, volume, ...), each part read as its own section.
RestStreamSpec read_rest_stream(const YamlReader& r, const YAML::Node& stream, const std::string& name,
                                const Section& section);

// A stream's `deletions:` feed; nullopt when absent or `none`.
std::optional<DeletionSpec> read_deletions(const YamlReader& r, const YAML::Node& node, const RestStreamSpec& stream);

// A mapping of strings, e.g. params or headers, values ${VAR}-expanded.
std::vector<std::pair<std::string, std::string>> read_string_map(const YamlReader& r, const YAML::Node& node,
                                                                 const std::string& what);

}  // namespace tributary::connectors
