// Base64 for Basic credentials (RFC 4648 section 4) and its URL-safe, unpadded form for opaque
// pagination tokens (section 5).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tributary::mock {

std::string base64_encode(const std::string& in);
// Decodes standard base64; nullopt on malformed input.
std::optional<std::string> base64_decode(const std::string& in);

std::string base64url_encode(std::string_view in);  // '-' and '_', no '=' padding
// Strict: only the URL-safe alphabet, no padding, no stray trailing bits.
std::optional<std::string> base64url_decode(std::string_view in);

}  // namespace tributary::mock
