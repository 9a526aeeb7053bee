#include "sql/sql.hpp"

#include "core/error.hpp"

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
  std::string out(text);
  std::string needle = "{{" + std::string(key) + "}}";
  for (size_t pos = out.find(needle); pos != std::string::npos; pos = out.find(needle, pos + value.size())) {
    out.replace(pos, needle.size(), value);
  }
  return out;
}

}  // namespace tributary::sql
