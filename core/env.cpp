#include "core/env.hpp"

#include <cstdlib>

#include "core/error.hpp"

namespace tributary {

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

namespace {

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return !std::isdigit(static_cast<unsigned char>(name[0]));
}

std::string resolve(std::string_view expr, const std::string& where, const EnvLookup& env) {
  std::string_view name = expr;
  std::optional<std::string_view> fallback;
  if (auto pos = expr.find(":-"); pos != std::string_view::npos) {
    name = expr.substr(0, pos);
    fallback = expr.substr(pos + 2);
  }
  if (!valid_name(name)) {
    throw Error(ErrorKind::config, where + ": '${" + std::string(expr) + "}' is not a valid variable reference");
  }
  auto value = env(std::string(name));
  // Like the shell's ":-", an empty variable counts as unset when a default is given.
  if (value && !(value->empty() && fallback)) return *value;
  if (fallback) return std::string(*fallback);
  throw Error(ErrorKind::config,
              where + ": environment variable " + std::string(name) + " is not set");
}

}  // namespace

std::string scrub(std::string text, const std::vector<Secret>& secrets) {
  for (const auto& secret : secrets) {
    const auto& value = secret.reveal();
    if (value.empty()) continue;
    for (auto pos = text.find(value); pos != std::string::npos; pos = text.find(value, pos + 3)) {
      text.replace(pos, value.size(), "***");
    }
  }
  return text;
}

std::vector<std::string> referenced_variables(std::string_view text) {
  std::vector<std::string> names;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '$') continue;
    if (text[i + 1] == '$') { ++i; continue; }
    if (text[i + 1] != '{') continue;
    auto close = text.find('}', i + 2);
    if (close == std::string_view::npos) break;
    auto expr = text.substr(i + 2, close - i - 2);
    auto name = expr.substr(0, expr.find(":-"));
    if (valid_name(name)) names.emplace_back(name);
    i = close;
  }
  return names;
}

std::string expand_env(std::string_view text, const std::string& where, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) { out += text[i]; continue; }
    if (text[i + 1] == '$') { out += '$'; ++i; continue; }
    if (text[i + 1] != '{') { out += text[i]; continue; }
    auto close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      throw Error(ErrorKind::config, where + ": unterminated '${' in '" + std::string(text) + "'");
    }
    out += resolve(text.substr(i + 2, close - i - 2), where, env);
    i = close;
  }
  return out;
}

}  // namespace tributary
