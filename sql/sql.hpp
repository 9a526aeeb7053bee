#pragma once
// The SQL files of sql/, embedded at build time.
#include <string>
#include <string_view>
#include <vector>

namespace tributary::sql {

struct SqlFile {
  std::string_view name;  // path below sql/, e.g. "migrations/001_init.sql"
  std::string_view text;
};

const std::vector<SqlFile>& all_files();

// The text of one file; throws Error(internal) when absent.
std::string_view text(std::string_view name);

// Files below migrations/, in version order.
std::vector<SqlFile> migrations();

// Replaces "{{key}}" with `value` everywhere in `text`.
std::string fill(std::string_view text, std::string_view key, std::string_view value);

}  // namespace tributary::sql
