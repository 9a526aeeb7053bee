#pragma once
// ${VAR} and ${VAR:-default} substitution from the environment, and secrets that never print.
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace tributary {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

EnvLookup process_env();

// Expands ${VAR} and ${VAR:-default}; "$$" is a literal "$". Throws Error(config) naming the
// variable and `where` (e.g. "config/quickbooks.yaml:7:14") when a variable without default is unset.
std::string expand_env(std::string_view text, const std::string& where, const EnvLookup& env);

// The names of the variables `text` references (${VAR}, ${VAR:-default}), in order; "$$" is not
// a reference. Malformed references are skipped: expand_env reports them.
std::vector<std::string> referenced_variables(std::string_view text);

// A value that must never reach a log, an error message or a table other than its own store.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

inline std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "***"; }

// `text` with every non-empty secret replaced by ***: for text that came from outside (an
// error body may echo the request, API key included).
std::string scrub(std::string text, const std::vector<Secret>& secrets);

}  // namespace tributary
