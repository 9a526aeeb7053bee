#include "mock/common/http_auth.hpp"

#include <cctype>

#include "mock/common/base64.hpp"

namespace tributary::mock {

std::optional<std::string> credentials_for_scheme(std::string_view header, std::string_view scheme) {
  if (header.size() <= scheme.size() + 1 || header[scheme.size()] != ' ') return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != std::tolower(static_cast<unsigned char>(scheme[i]))) {
      return std::nullopt;
    }
  }
  return std::string(header.substr(scheme.size() + 1));
}

std::optional<std::pair<std::string, std::string>> basic_credentials(std::string_view header) {
  auto encoded = credentials_for_scheme(header, "Basic");
  if (!encoded) return std::nullopt;
  auto decoded = base64_decode(*encoded);
  if (!decoded) return std::nullopt;
  std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

}  // namespace tributary::mock
