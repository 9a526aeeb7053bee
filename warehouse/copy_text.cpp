#include "warehouse/copy_text.hpp"

#include <pqxx/tablewriter>
#include <xxhash.h>

#include "core/text.hpp"

namespace tributary::warehouse {

std::string payload_hash(std::string_view bytes) {
  XXH128_canonical_t digest;
  XXH128_canonicalFromHash(&digest, XXH3_128bits(bytes.data(), bytes.size()));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * sizeof digest.digest, '0');
  for (size_t i = 0; i < sizeof digest.digest; ++i) {
    out[2 * i] = kHex[digest.digest[i] >> 4];
    out[2 * i + 1] = kHex[digest.digest[i] & 0xf];
  }
  return out;
}

void append_copy_field(std::string& line, std::string_view field) {
  line.reserve(line.size() + field.size() + field.size() / 16 + 8);
  // Copy runs between the bytes that need escaping in one append each: JSON text rarely holds
  // any (only whitespace between tokens, and backslashes inside strings), and the search for
  // them looks at 8 bytes at a time (it was a tenth of a first backfill's CPU byte by byte).
  size_t run = 0;
  for (size_t i = find_control_or_backslash(field); i != std::string_view::npos;
       i = find_control_or_backslash(field, i + 1)) {
    char escaped;
    switch (field[i]) {
      case '\\': escaped = '\\'; break;
      case '\t': escaped = 't'; break;
      case '\n': escaped = 'n'; break;
      case '\r': escaped = 'r'; break;
      default: continue;  // other control bytes go as they are
    }
    line.append(field.data() + run, i - run);
    line += '\\';
    line += escaped;
    run = i + 1;
  }
  line.append(field.data() + run, field.size() - run);
}

}  // namespace tributary::warehouse

namespace tributary::warehouse {

// libpqxx 6 takes ready COPY lines only through tablewriter, deprecated for stream_to, which
// converts, escapes and copies each field again.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
CopyLines::CopyLines(pqxx::transaction_base& txn, const std::string& table, const std::vector<std::string>& columns)
    : copy_(std::make_unique<pqxx::tablewriter>(txn, table, columns.begin(), columns.end())) {}
CopyLines::~CopyLines() = default;
void CopyLines::write(const std::string& line) { copy_->write_raw_line(line); }
void CopyLines::complete() { copy_->complete(); }
#pragma GCC diagnostic pop

}  // namespace tributary::warehouse
