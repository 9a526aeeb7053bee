#pragma once
// How a request gets its credentials. Implementations: none, static headers, OAuth 2.0 refresh.
#include <string>

#include "http/curl_client.hpp"

namespace tributary::http {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Adds credentials to `request` (may fetch a token through `client`). Returns a tag naming
  // the credential used, handed back to invalidate() when the source answers 401.
  virtual std::string apply(HttpRequest& request, HttpClient& client) = 0;
  // The credential tagged `tag` was refused; the next apply() must obtain a fresh one.
  // Returns false when there is nothing fresher to try (static credentials).
  virtual bool invalidate(const std::string& tag) = 0;
};

class NoAuth final : public Authenticator {
 public:
  std::string apply(HttpRequest&, HttpClient&) override { return {}; }
  bool invalidate(const std::string&) override { return false; }
};

}  // namespace tributary::http
