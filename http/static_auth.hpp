#pragma once
// Credentials that never change during a run: bearer token, API key (header or query), basic.
#include <string>

#include "core/env.hpp"
#include "http/auth.hpp"

namespace tributary::http {

std::string base64_encode(const std::string& in);

class StaticAuth final : public Authenticator {
 public:
  enum class Kind { bearer, api_key_header, api_key_query, basic };
  // bearer: value = token; api_key_*: name + value; basic: name = user, value = password.
  StaticAuth(Kind kind, std::string name, Secret value) : kind_(kind), name_(std::move(name)), value_(std::move(value)) {}

  std::string apply(HttpRequest& request, HttpClient& client) override;
  bool invalidate(const std::string&) override { return false; }  // nothing fresher to try

 private:
  Kind kind_;
  std::string name_;
  Secret value_;
};

}  // namespace tributary::http
