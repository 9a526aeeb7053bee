#include "connectors/yaml_reader.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"

namespace tributary::connectors {

namespace {

template <typename Load>
YAML::Node parse_yaml(const std::string& path, Load&& load) {
  try {
    return load();
  } catch (const YAML::Exception& e) {
    throw Error(ErrorKind::config, path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                       std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
}

}  // namespace

YAML::Node YamlReader::load_file() const {
  if (!std::filesystem::exists(path_)) {
    throw Error(ErrorKind::config, path_ + ": connector file not found");
  }
  if (std::filesystem::is_directory(path_)) {
    throw Error(ErrorKind::config, path_ + ": is a directory, not a connector file");
  }
  if (std::ifstream probe(path_); !probe) {
    throw Error(ErrorKind::config, path_ + ": cannot read the connector file: " + std::strerror(errno));
  }
  return parse_yaml(path_, [&] { return YAML::LoadFile(path_); });
}

YAML::Node YamlReader::load_text(const std::string& text) const {
  return parse_yaml(path_, [&] { return YAML::Load(text); });
}

std::string YamlReader::where(const YAML::Node& node) const {
  if (!node.IsDefined()) return path_;  // a missing key has no position (and Mark() would throw)
  auto mark = node.Mark();
  if (mark.line < 0) return path_;
  return path_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

void YamlReader::fail(const YAML::Node& node, const std::string& message) const {
  throw Error(ErrorKind::config, where(node) + ": " + message);
}

void YamlReader::require_map(const YAML::Node& node, const std::string& what) const {
  if (!node.IsMap()) fail(node, what + " must be a mapping of keys to values");
}

void YamlReader::allow_keys(const YAML::Node& map, const std::vector<std::string>& keys,
                            const std::string& what) const {
  for (const auto& kv : map) {
    auto key = plain(kv.first);
    bool known = false;
    std::string expected;
    for (const auto& k : keys) {
      known = known || key == k;
      expected += expected.empty() ? k : std::string(", ") + k;
    }
    if (!known) fail(kv.first, "unknown key '" + key + "' in " + what + " (expected one of: " + expected + ")");
  }
}

std::string YamlReader::scalar(const YAML::Node& node, const char* key) const {
  if (!node.IsScalar()) fail(node, std::string("'") + key + "' must be a single value");
  return expand_env(node.Scalar(), where(node), env_);
}

std::string YamlReader::text(const YAML::Node& map, const char* key,
                             std::optional<std::string> fallback) const {
  auto node = map[key];
  if (!node || node.IsNull()) {
    if (fallback) return *fallback;
    fail(map, std::string("missing required key '") + key + "'");
  }
  return scalar(node, key);
}

Secret YamlReader::secret(const YAML::Node& map, const char* key) const {
  return Secret(text(map, key, std::string()));
}

long long YamlReader::integer(const YAML::Node& map, const char* key, long long fallback,
                              long long min, long long max) const {
  auto node = map[key];
  if (!node || node.IsNull()) return fallback;
  auto s = scalar(node, key);
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) {
    // Quote the text as written, not as expanded: an expanded value may be a secret.
    fail(node, std::string("'") + key + "' must be a whole number, got '" + node.Scalar() + "'");
  }
  if (v < min || v > max) {
    fail(node, std::string("'") + key + "' must be between " + std::to_string(min) + " and " +
                   std::to_string(max) + ", got " + node.Scalar());
  }
  return v;
}

bool YamlReader::boolean(const YAML::Node& map, const char* key, bool fallback) const {
  auto node = map[key];
  if (!node || node.IsNull()) return fallback;
  auto s = scalar(node, key);
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  fail(node, std::string("'") + key + "' must be true or false, got '" + node.Scalar() + "'");
}

std::string YamlReader::plain(const YAML::Node& node) const {
  if (!node.IsScalar()) fail(node, "expected a single value here, not a list, a mapping or nothing");
  return node.Scalar();
}

std::vector<std::string> YamlReader::names(const YAML::Node& map, const char* key) const {
  auto node = map[key];
  std::vector<std::string> out;
  if (!node || node.IsNull()) return out;
  if (!node.IsSequence()) fail(node, std::string("'") + key + "' must be a list of names, e.g. [api_sig]");
  for (const auto& item : node) {
    if (!item.IsScalar() || item.Scalar().empty()) fail(item, std::string("each entry of '") + key + "' must be a name");
    out.push_back(item.Scalar());
  }
  return out;
}

}  // namespace tributary::connectors
