#include "http/static_auth.hpp"

namespace tributary::http {

std::string base64_encode(const std::string& in) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (unsigned char c : in) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += table[(bits >> count) & 63];
    }
  }
  if (count > 0) out += table[(bits << (6 - count)) & 63];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

std::string StaticAuth::apply(HttpRequest& request, HttpClient&) {
  switch (kind_) {
    case Kind::bearer:
      request.headers.emplace_back("Authorization", "Bearer " + value_.reveal());
      break;
    case Kind::api_key_header:
      request.headers.emplace_back(name_, value_.reveal());
      break;
    case Kind::api_key_query:
      // Added only here, at send time, so the key never reaches a label, a position or a row.
      request.url += (request.url.find('?') == std::string::npos ? "?" : "&") + url_encode(name_) + "=" +
                     url_encode(value_.reveal());
      break;
    case Kind::basic:
      request.headers.emplace_back("Authorization", "Basic " + base64_encode(name_ + ":" + value_.reveal()));
      break;
  }
  return "static";
}

}  // namespace tributary::http
