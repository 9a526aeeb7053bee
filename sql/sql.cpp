#include "sql/sql.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

namespace tributary::sql {

std::string_view text(std::string_view name) {
  for (const auto& f : all_files()) {
    if (f.name == name) return f.text;
  }
  throw Error(ErrorKind::internal, "no embedded SQL file " + std::string(name));
}

std::vector<SqlFile> migrations() {
  std::vector<SqlFile> out;
  for (const auto& f : all_files()) {
    if (f.name.rfind("migrations/", 0) == 0) out.push_back(f);
  }
  return out;  // all_files() is sorted by name, and migrations are named NNN_*.sql
}

std::string fill(std::string_view text, std::string_view key, std::string_view value) {
  return replace_all(std::string(text), "{{" + std::string(key) + "}}", value);
}

}  // namespace tributary::sql
