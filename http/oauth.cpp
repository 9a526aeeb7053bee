#include "http/oauth.hpp"
#include "http/static_auth.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <random>

namespace tributary::http {
namespace {

struct TokenAnswer {
  std::string access_token;
  std::string refresh_token;
  long long expires_in = 3600;
  std::string error;
};

TokenAnswer parse_token_answer(const std::string& body) {
  TokenAnswer out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS || !doc.is_object()) return out;
  std::string_view s;
  if (doc["access_token"].get(s) == simdjson::SUCCESS) out.access_token = s;
  if (doc["refresh_token"].get(s) == simdjson::SUCCESS) out.refresh_token = s;
  if (doc["error"].get(s) == simdjson::SUCCESS) out.error = s;
  int64_t n = 0;
  if (doc["expires_in"].get(n) == simdjson::SUCCESS) out.expires_in = n;
  return out;
}

// Said once per refresh, the first time an attempt times out: the token endpoint may have
// rotated the refresh token and its answer (the only copy of the new one) was lost.
void warn_rotation_window(const TransportError& e) {
  spdlog::warn("oauth: the token request timed out ({}). The endpoint may have rotated the refresh "
               "token without the answer reaching us; retrying with the same refresh token. If it was "
               "rotated, the retry is refused with invalid_grant and the app must be re-authorized "
               "(docs/reliability.md, \"OAuth rotation window\")",
               e.what());
}

void check_token_answer(int status, const TokenAnswer& answer, bool timed_out_before) {
  if (status == 400 && answer.error == "invalid_grant") {
    throw Error(ErrorKind::auth,
                std::string("oauth: the token endpoint refused the refresh token (invalid_grant): it was revoked, "
                            "expired or already rotated away") +
                    (timed_out_before ? " (likely rotated by an earlier attempt that timed out, whose answer was lost)"
                                      : "") +
                    ". Re-authorize the app, put the new refresh token in the configured environment variable "
                    "and run again; tributary will use it in place of the stored one");
  }
  if (status == 401 || answer.error == "invalid_client") {
    throw Error(ErrorKind::auth, "oauth: the token endpoint refused the client credentials (HTTP " +
                                     std::to_string(status) + " " + answer.error +
                                     "): check the configured client id and secret");
  }
  if (status != 200 || answer.access_token.empty()) {
    throw Error(status >= 500 || status == 429 ? ErrorKind::server : ErrorKind::auth,
                "oauth: token refresh failed with HTTP " + std::to_string(status) +
                    (answer.error.empty() ? "" : " (" + answer.error + ")"));
  }
}

}  // namespace

std::string fingerprint(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

OAuthRefresher::OAuthRefresher(OAuthSettings settings, TokenStore& store, const StopFlag* stop)
    : settings_(std::move(settings)), store_(store), stop_(stop) {}

std::string OAuthRefresher::apply(HttpRequest& request, HttpClient& client) {
  auto token = access_token(client);
  request.headers.emplace_back("Authorization", "Bearer " + token);
  return fingerprint(token);
}

bool OAuthRefresher::invalidate(const std::string& tag) {
  std::lock_guard lock(mutex_);
  if (!access_token_.empty() && fingerprint(access_token_.reveal()) == tag) {
    access_token_ = Secret();  // next apply() refreshes; a newer token is simply used
  }
  return true;
}

std::string OAuthRefresher::access_token(HttpClient& client) {
  std::lock_guard lock(mutex_);  // one refresher at a time; the others wait and reuse its token
  auto now = std::chrono::steady_clock::now();
  if (access_token_.empty() || now + settings_.refresh_margin >= expires_at_) refresh(client);
  return access_token_.reveal();
}

Secret OAuthRefresher::pick_refresh_token(const std::optional<StoredRefreshToken>& stored) const {
  auto configured = fingerprint(settings_.refresh_token.reveal());
  if (stored) {
    if (stored->origin_fingerprint == configured || settings_.refresh_token.empty()) {
      return stored->token;
    }
    spdlog::info("oauth: the configured refresh token differs from the one the stored token "
                 "descends from; using the configured one");
  }
  if (settings_.refresh_token.empty()) {
    throw Error(ErrorKind::config, "oauth: no refresh token configured or stored for " + settings_.store_key);
  }
  return settings_.refresh_token;
}

HttpResponse OAuthRefresher::post_refresh(HttpClient& client, const Secret& refresh_token, bool& timed_out) {
  HttpRequest req;
  req.method = "POST";
  req.url = settings_.token_url;
  req.label = "POST " + settings_.token_url;
  req.headers = {{"Accept", "application/json"},
                 {"Content-Type", "application/x-www-form-urlencoded"},
                 {"Authorization", "Basic " + base64_encode(settings_.client_id + ":" + settings_.client_secret.reveal())}};
  req.body = form_encode({{"grant_type", "refresh_token"}, {"refresh_token", refresh_token.reveal()}});
  std::mt19937_64 rng(std::random_device{}());
  for (int retry = 0;; ++retry) {
    std::optional<std::chrono::milliseconds> retry_after;
    try {
      auto res = client.perform(req);
      if (classify_status(res.status, settings_.retry) != Verdict::retry) return res;
      if (auto* h = res.header("retry-after")) retry_after = parse_retry_after(*h, now_utc());
      if (retry >= settings_.retry.max_retries) return res;
    } catch (const TransportError& e) {
      if (e.kind() == ErrorKind::timeout && !timed_out) warn_rotation_window(e);
      timed_out = timed_out || e.kind() == ErrorKind::timeout;
      if (!e.retryable() || retry >= settings_.retry.max_retries) throw;
      spdlog::warn("oauth: token endpoint: {} (retry {} of {})", e.what(), retry + 1, settings_.retry.max_retries);
    }
    auto delay = delay_before_retry(settings_.retry, retry, retry_after, rng);
    interruptible_sleep(stop_, delay);
  }
}

void OAuthRefresher::refresh(HttpClient& client) {
  TokenAnswer answer;
  store_.exchange(settings_.store_key, [&](const std::optional<StoredRefreshToken>& stored)
                                            -> std::optional<StoredRefreshToken> {
    Secret used = pick_refresh_token(stored);
    bool timed_out = false;
    auto res = post_refresh(client, used, timed_out);
    answer = parse_token_answer(res.body);
    check_token_answer(res.status, answer, timed_out);
    spdlog::info("oauth: access token refreshed for {} (expires in {} s{})", settings_.store_key,
                 answer.expires_in, answer.refresh_token != used.reveal() ? ", refresh token rotated" : "");
    if (answer.refresh_token.empty()) return std::nullopt;
    return StoredRefreshToken{Secret(answer.refresh_token), fingerprint(settings_.refresh_token.reveal())};
  });
  // Only now, with the rotated refresh token committed, is the new access token used.
  access_token_ = Secret(answer.access_token);
  expires_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(answer.expires_in);
}

}  // namespace tributary::http
