// Reading the Authorization header the way servers do: the scheme is case-insensitive
// (RFC 9110 section 11.1), the credentials follow one space.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tributary::mock {

// The credentials of "Scheme credentials" when the header uses `scheme`; nullopt otherwise or
// when they are empty.
std::optional<std::string> credentials_for_scheme(std::string_view authorization, std::string_view scheme);

// user and password of "Basic base64(user:password)"; nullopt when absent or malformed.
std::optional<std::pair<std::string, std::string>> basic_credentials(std::string_view authorization);

}  // namespace tributary::mock
