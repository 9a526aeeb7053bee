#pragma once
// The two things the load path does to every record's text before PostgreSQL sees it: its hash
// (compared with raw's payload_hash to skip unchanged records without sending them) and its
// escaping as a field of COPY's text format.
#include <pqxx/pqxx>

namespace pqxx {
class tablewriter;
}

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::warehouse {

// The change test's fingerprint of a record's text: XXH3-128 of the bytes as 32 lower-case hex
// digits. It only has to tell one version of a record from the next, so it need not resist a
// forger; md5 did the same job at a twentieth of the speed, a tenth of a re-run's CPU.
std::string payload_hash(std::string_view bytes);

// Appends `field` to `line` as one COPY text-format column: backslash, tab, newline and carriage
// return escaped; every other byte (UTF-8 included) as it is.
void append_copy_field(std::string& line, std::string_view field);

// COPY's NULL in text format.
inline void append_copy_null(std::string& line) { line += "\\N"; }

// A COPY into `table` fed rows as ready lines (escaped fields separated by tabs, no newline):
// nothing is converted or escaped again on the way, and no more than a row is held at once.
class CopyLines {
 public:
  CopyLines(pqxx::transaction_base& txn, const std::string& table, const std::vector<std::string>& columns);
  ~CopyLines();
  CopyLines(const CopyLines&) = delete;
  CopyLines& operator=(const CopyLines&) = delete;
  void write(const std::string& line);
  void complete();

 private:
  std::unique_ptr<pqxx::tablewriter> copy_;
};

}  // namespace tributary::warehouse
