#include "mock/common/base64.hpp"

#include <cstring>

namespace tributary::mock {
namespace {

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  int bits = 0, value = 0;
  for (unsigned char c : in) {
    value = (value << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(value >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(value << (6 - bits)) & 0x3f]);
  while (pad && out.size() % 4 != 0) out.push_back('=');
  return out;
}

}  // namespace

std::string base64_encode(const std::string& in) { return encode(in, kAlphabet, true); }

std::optional<std::string> base64_decode(const std::string& in) {
  std::string out;
  int bits = 0, value = 0;
  for (char c : in) {
    if (c == '=') break;
    const char* p = std::strchr(kAlphabet, c);
    if (c == '\0' || p == nullptr) return std::nullopt;
    value = (value << 6) | static_cast<int>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xff));
    }
  }
  return out;
}

std::string base64url_encode(std::string_view in) { return encode(in, kUrlAlphabet, false); }

std::optional<std::string> base64url_decode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;  // no byte string encodes to that length
  std::string out;
  int bits = 0, value = 0;
  for (char c : in) {
    const char* p = c == '\0' ? nullptr : std::strchr(kUrlAlphabet, c);
    if (p == nullptr) return std::nullopt;
    value = ((value << 6) | static_cast<int>(p - kUrlAlphabet)) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero, so each token has exactly one spelling.
  if ((value & ((1 << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace tributary::mock
