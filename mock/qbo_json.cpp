#include "mock/qbo_json.hpp"

#include <cstdio>

namespace tributary::mock {

std::string money(std::int64_t cents) {
  const char* sign = cents < 0 ? "-" : "";
  std::int64_t abs = cents < 0 ? -cents : cents;
  char buf[32];
  if (abs % 10 == 0) {
    std::snprintf(buf, sizeof buf, "%s%lld.%lld", sign, static_cast<long long>(abs / 100),
                  static_cast<long long>(abs % 100 / 10));
  } else {
    std::snprintf(buf, sizeof buf, "%s%lld.%02lld", sign, static_cast<long long>(abs / 100),
                  static_cast<long long>(abs % 100));
  }
  return buf;
}

}  // namespace tributary::mock
