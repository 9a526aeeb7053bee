#include "mock/rest/rest_params.hpp"

#include <charconv>
#include <limits>

#include "mock/common/http_auth.hpp"
#include "mock/common/rfc3339.hpp"

namespace tributary::mock {
namespace {

BadRequest invalid(const char* name) { return BadRequest(std::string("invalid parameter '") + name + "'"); }

std::optional<std::int64_t> integer_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  std::string text = req.get_param_value(name);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) throw invalid(name);
  return value;
}

std::optional<std::int64_t> time_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  auto us = parse_rfc3339_us(req.get_param_value(name));
  if (!us) throw invalid(name);
  return us;
}

std::optional<std::int64_t> epoch_param(const httplib::Request& req, const char* name) {
  auto secs = integer_param(req, name);
  constexpr std::int64_t kLimit = std::numeric_limits<std::int64_t>::max() / kMicrosPerSecond;
  if (secs && (*secs > kLimit || *secs < -kLimit)) throw invalid(name);
  if (secs) return *secs * kMicrosPerSecond;
  return std::nullopt;
}

}  // namespace

bool authorized(const RestMockOptions& o, const httplib::Request& req) {
  switch (o.auth) {
    case RestAuth::None: return true;
    case RestAuth::Bearer: return credentials_for_scheme(req.get_header_value("Authorization"), "Bearer") == o.token;
    case RestAuth::ApiKeyHeader: return req.has_header("X-API-Key") && req.get_header_value("X-API-Key") == o.api_key;
    case RestAuth::ApiKeyQuery: return req.has_param("api_key") && req.get_param_value("api_key") == o.api_key;
    case RestAuth::Basic:
      return basic_credentials(req.get_header_value("Authorization")) == std::make_pair(o.user, o.password);
  }
  return false;
}

TimeRange time_filter(const httplib::Request& req) {
  TimeRange range;
  if (auto t = time_param(req, "updated_since")) range.at_least(*t);
  if (auto t = time_param(req, "updated_before")) range.below(*t);
  if (auto t = time_param(req, "updated_from")) range.at_least(*t);
  if (auto t = time_param(req, "updated_to")) range.below(*t + 1);  // inclusive, microsecond ticks
  if (auto t = epoch_param(req, "since_epoch")) range.at_least(*t);
  if (auto t = epoch_param(req, "until_epoch")) range.below(*t);
  return range;
}

TimeRange deleted_window(const httplib::Request& req) {
  // A feed without a lower bound would be a full dump; the APIs this imitates require one.
  if (!req.has_param("since")) throw BadRequest("missing parameter 'since'");
  TimeRange range;
  range.at_least(*time_param(req, "since"));
  if (auto t = time_param(req, "until")) range.below(*t);
  return range;
}

int count_param(const httplib::Request& req, const char* name, int fallback) {
  auto value = integer_param(req, name);
  if (!value) return fallback;
  if (*value < 0 || *value > std::numeric_limits<int>::max()) throw invalid(name);
  return static_cast<int>(*value);
}

int page_size_param(const httplib::Request& req, const char* name, const RestMockOptions& o) {
  auto value = integer_param(req, name);
  if (!value) return o.default_limit;
  if (*value < 1) throw invalid(name);
  return static_cast<int>(std::min<std::int64_t>(*value, o.max_limit));
}

std::optional<KeysetPosition> token_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  auto position = decode_keyset_cursor(req.get_param_value(name));
  if (!position) throw BadRequest("invalid cursor");
  return position;
}

std::vector<std::pair<std::string, std::string>> raw_query(const std::string& target) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t q = target.find('?');
  if (q == std::string::npos) return out;
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    out.emplace_back(std::string(pair.substr(0, eq)),
                     eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
  }
  return out;
}

}  // namespace tributary::mock
