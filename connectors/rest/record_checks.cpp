#include "connectors/rest/record_checks.hpp"

#include <optional>

namespace tributary::connectors {
namespace {

std::optional<unsigned> hex4(std::string_view s, size_t at) {
  if (at + 4 > s.size()) return std::nullopt;
  unsigned v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
    else return std::nullopt;
  }
  return v;
}

bool high_surrogate(unsigned u) { return u >= 0xD800 && u <= 0xDBFF; }
bool low_surrogate(unsigned u) { return u >= 0xDC00 && u <= 0xDFFF; }

// Length of the well-formed UTF-8 sequence at `at`, or 0 (RFC 3629, Table 3-7 of Unicode).
size_t utf8_sequence(std::string_view s, size_t at) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b = byte(at);
  if (b < 0x80) return 1;
  size_t len = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
  if (len == 0 || at + len > s.size()) return 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range narrows for some leads
  if (b == 0xE0) lo = 0xA0;
  if (b == 0xED) hi = 0x9F;
  if (b == 0xF0) lo = 0x90;
  if (b == 0xF4) hi = 0x8F;
  if (byte(at + 1) < lo || byte(at + 1) > hi) return 0;
  for (size_t i = at + 2; i < at + len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return len;
}

}  // namespace

std::string jsonb_refusal(std::string_view json) {
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (c == '"') { in_string = !in_string; continue; }
    if (!in_string) continue;
    if (static_cast<unsigned char>(c) < 0x20) {
      return "an unescaped control character (byte " + std::to_string(static_cast<int>(c)) + ") in a string";
    }
    if (c != '\\' || i + 1 >= json.size()) continue;
    if (json[i + 1] != 'u') { ++i; continue; }  // \" \\ \n ...: skip the escaped character
    auto unit = hex4(json, i + 2);
    if (!unit) { ++i; continue; }
    if (*unit == 0) return "a \\u0000 escape (PostgreSQL jsonb cannot store NUL)";
    if (low_surrogate(*unit)) return "a \\u" + std::string(json.substr(i + 2, 4)) + " escape without its high surrogate";
    if (high_surrogate(*unit)) {
      bool escape_follows = i + 8 <= json.size() && json[i + 6] == '\\' && json[i + 7] == 'u';
      auto next = escape_follows ? hex4(json, i + 8) : std::nullopt;
      if (!next || !low_surrogate(*next)) {
        return "a \\u" + std::string(json.substr(i + 2, 4)) + " escape without its low surrogate";
      }
      i += 6;
    }
    i += 5;
  }
  return "";
}

std::vector<size_t> invalid_utf8_offsets(std::string_view text) {
  std::vector<size_t> out;
  for (size_t i = 0; i < text.size();) {
    size_t len = utf8_sequence(text, i);
    if (len == 0) {
      out.push_back(i);
      ++i;
    } else {
      i += len;
    }
  }
  return out;
}

}  // namespace tributary::connectors
