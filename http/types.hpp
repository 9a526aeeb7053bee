#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tributary::http {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // What logs and errors may show: method and URL with any secret query parameter removed.
  std::string label;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  const std::string* header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
};

}  // namespace tributary::http
