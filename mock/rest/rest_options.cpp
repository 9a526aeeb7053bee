#include "mock/rest/rest_mock.hpp"

namespace tributary::mock {
namespace {

struct AuthName {
  RestAuth auth;
  const char* name;
};
const AuthName kAuthNames[] = {{RestAuth::None, "none"},
                               {RestAuth::Bearer, "bearer"},
                               {RestAuth::ApiKeyHeader, "api_key_header"},
                               {RestAuth::ApiKeyQuery, "api_key_query"},
                               {RestAuth::Basic, "basic"}};

struct StyleName {
  PageStyle style;
  const char* name;
};
const StyleName kStyleNames[] = {{PageStyle::Offset, "offset"},
                                 {PageStyle::Page, "page"},
                                 {PageStyle::Cursor, "cursor"},
                                 {PageStyle::NextUrl, "next_url"},
                                 {PageStyle::PageJson, "page_json"}};

}  // namespace

std::optional<RestAuth> parse_rest_auth(std::string_view name) {
  for (const auto& a : kAuthNames) {
    if (name == a.name) return a.auth;
  }
  return std::nullopt;
}

std::optional<PageStyle> parse_page_style(std::string_view name) {
  for (const auto& s : kStyleNames) {
    if (name == s.name) return s.style;
  }
  return std::nullopt;
}

const char* to_string(RestAuth auth) {
  for (const auto& a : kAuthNames) {
    if (a.auth == auth) return a.name;
  }
  return "?";
}

const char* to_string(PageStyle style) {
  for (const auto& s : kStyleNames) {
    if (s.style == style) return s.name;
  }
  return "?";
}

}  // namespace tributary::mock
