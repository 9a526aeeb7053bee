#pragma once
// Reading YAML with positions: every error names FILE:LINE:COL. Keys are declared as data;
// unknown keys are rejected.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "core/env.hpp"

namespace tributary::connectors {

class YamlReader {
 public:
  YamlReader(std::string path, EnvLookup env) : path_(std::move(path)), env_(std::move(env)) {}

  YAML::Node load_file() const;  // Error(config) on a missing file or a syntax error
  YAML::Node load_text(const std::string& text) const;  // the same, for a file's text in memory
  std::string where(const YAML::Node& node) const;
  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const;

  void require_map(const YAML::Node& node, const std::string& what) const;
  void allow_keys(const YAML::Node& map, const std::vector<std::string>& keys, const std::string& what) const;

  // Scalars, with ${VAR} / ${VAR:-default} expanded. Absent key: `fallback`, or an error if none.
  std::string text(const YAML::Node& map, const char* key,
                   std::optional<std::string> fallback = std::nullopt) const;
  Secret secret(const YAML::Node& map, const char* key) const;
  long long integer(const YAML::Node& map, const char* key, long long fallback, long long min,
                    long long max) const;
  bool boolean(const YAML::Node& map, const char* key, bool fallback) const;
  // A list of names (`secret_params: [api_sig, token]`), taken as written: names are not
  // ${VAR}-expanded, like keys. Absent key: empty.
  std::vector<std::string> names(const YAML::Node& map, const char* key) const;
  // A mapping key or a list entry as written; Error(config) at its position when it is a list,
  // a mapping or empty (YAML allows `? [a, b]: x`; yaml-cpp's as<std::string>() would throw its own).
  std::string plain(const YAML::Node& node) const;

  const EnvLookup& env() const { return env_; }

 private:
  std::string scalar(const YAML::Node& node, const char* key) const;

  std::string path_;
  EnvLookup env_;
};

}  // namespace tributary::connectors
