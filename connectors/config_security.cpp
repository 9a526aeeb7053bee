#include "connectors/config_security.hpp"

#include <algorithm>

namespace tributary::connectors {
namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A name tributary writes to must mean the same quoted or not: lowercase letters, digits and _,
// not starting with a digit, at most 63 bytes (PostgreSQL would truncate a longer one).
bool plain_identifier(std::string_view s) {
  if (s.empty() || s.size() > 63 || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'; });
}

}  // namespace

std::vector<std::string> read_secret_variables(const YamlReader& r, const YAML::Node& root) {
  std::vector<std::string> names;
  if (auto auth = root["auth"]; auth && auth.IsMap()) {
    for (const char* key : {"token", "value", "password", "client_secret", "refresh_token"}) {
      auto node = auth[key];
      if (!node || !node.IsScalar()) continue;
      for (auto& name : referenced_variables(node.Scalar())) names.push_back(std::move(name));
    }
  }
  auto listed = r.names(root, "secret_variables");
  for (size_t i = 0; i < listed.size(); ++i) {
    if (referenced_variables("${" + listed[i] + "}").size() != 1) {
      r.fail(root["secret_variables"][i], "'" + listed[i] + "' is not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
    }
    names.push_back(listed[i]);
  }
  return names;
}

std::vector<std::string> secret_params_of(const YamlReader& r, const YAML::Node& body, const StreamConfig& s,
                                          const ConnectorConfig& c) {
  std::vector<std::string> out = c.secret_params;  // file-wide: a stream need not have them all
  auto listed = r.names(body, "secret_params");
  for (size_t i = 0; i < listed.size(); ++i) {
    bool known = std::any_of(s.rest.params.begin(), s.rest.params.end(), [&](const auto& p) { return p.first == listed[i]; });
    if (!known) r.fail(body["secret_params"][i], "secret_params names '" + listed[i] + "', which is not a param of stream '" + s.name + "'");
    out.push_back(listed[i]);
  }
  if (auto params = body["params"]; params && params.IsMap()) {
    for (const auto& kv : params) {
      if (!kv.second.IsScalar()) continue;
      for (const auto& name : referenced_variables(kv.second.Scalar())) {
        if (contains(c.secret_variables, name)) out.push_back(r.plain(kv.first));
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<Secret> secret_values(const YamlReader& r, const ConnectorConfig& c) {
  const auto& a = c.auth;
  std::vector<std::string> values{a.token.reveal(), a.api_key.reveal(), a.password.reveal(),
                                  a.client_secret.reveal(), a.refresh_token.reveal()};
  for (const auto& name : c.secret_variables) {
    if (auto v = r.env()(name)) values.push_back(*v);
  }
  for (const auto& s : c.streams) {
    for (const auto& [k, v] : s.rest.params) {
      if (contains(s.secret_params, k)) values.push_back(v);
    }
  }
  std::vector<Secret> out;
  for (const auto& v : values) {
    if (v.empty()) continue;
    out.emplace_back(v);
    if (auto encoded = http::url_encode(v); encoded != v) out.emplace_back(encoded);
  }
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(out.begin(), out.end(), [](const Secret& x, const Secret& y) {
    const auto &a = x.reveal(), &b = y.reveal();
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string table_problem(const std::string& table, const std::string& stream) {
  auto dot = table.find('.');
  if (dot == std::string::npos) return "'table' must be schema-qualified, e.g. raw." + stream;
  auto schema = table.substr(0, dot), name = table.substr(dot + 1);
  if (!plain_identifier(schema) || !plain_identifier(name)) {
    return "'table' must be schema.table, each part lowercase letters, digits and _ (not starting with a "
           "digit, at most 63), e.g. raw." + stream;
  }
  if (schema == "state" || schema == "information_schema" || schema.rfind("pg_", 0) == 0) {
    return "'table' may not be in schema " + schema + " (tributary's own state, or the system's); use raw";
  }
  return "";
}

}  // namespace tributary::connectors
