#include "core/text.hpp"

#include <cctype>
#include <cstdint>
#include <cstring>

namespace tributary {

std::string to_lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  if (from.empty()) return text;
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string one_line(std::string text, std::size_t max) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() > max) text = text.substr(0, max - 3) + "...";
  return text;
}

// "Some byte of w is below n" is (w - n*ones) & ~w & highs for n <= 0x80, and a backslash is a
// zero byte of w ^ '\\'*ones: exact as a yes/no for the word (a borrow can only flag bytes after
// a real match), so a flagged word is then looked at byte by byte.
std::size_t find_control_or_backslash(std::string_view text, std::size_t from) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  auto special = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == '\\'; };
  std::size_t i = from;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    std::uint64_t b = w ^ (ones * static_cast<unsigned char>('\\'));
    if ((((w - ones * 0x20) & ~w) | ((b - ones) & ~b)) & highs) break;
  }
  for (; i < text.size(); ++i) {
    if (special(text[i])) return i;
  }
  return std::string_view::npos;
}

}  // namespace tributary
