#include "http/curl_client.hpp"

#include "core/text.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <utility>

namespace tributary::http {
namespace {

std::once_flag curl_init_once;

// JSON readers read past the end of a body (simdjson: 64 bytes). The room is kept free as the
// body grows (by the announced length, else by doubling), so the reader never copies the body to
// find it; a body given back (give_back) usually has it all already.
constexpr size_t kReaderPadding = 64;

struct BodySink {
  std::string* body;
  long long max_bytes;
  CURL* handle;
  bool over = false;
};

// Returning less than it was given makes libcurl abort the transfer (CURLE_WRITE_ERROR).
size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (sink->body->empty()) {
    curl_off_t announced = -1;  // Content-Length (of the encoded body, when it is compressed)
    curl_easy_getinfo(sink->handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
    if (announced > 0 && announced <= sink->max_bytes) {
      sink->body->reserve(static_cast<size_t>(announced) + kReaderPadding);
    }
  }
  if (static_cast<long long>(sink->body->size() + size * n) > sink->max_bytes) {
    sink->over = true;
    return 0;
  }
  const size_t needed = sink->body->size() + size * n + kReaderPadding;
  if (needed > sink->body->capacity()) sink->body->reserve(std::max(needed, 2 * sink->body->capacity()));
  sink->body->append(data, size * n);
  return size * n;
}

// Repeated fields are combined as RFC 9110 §5.3 allows: one value, the lines joined by ", " in
// the order received (an API may send rel="next" and rel="last" as two Link lines). Set-Cookie
// is the one field whose values cannot be joined by commas (RFC 6265), so its lines are kept
// apart by newlines. Every response of the exchange (a 100 Continue, a proxy's CONNECT answer)
// starts with a status line; only the last response's fields are kept.
size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;  // blank line ending the fields
  std::string name = to_lower(std::string(line.substr(0, colon)));
  auto value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
  auto [it, inserted] = headers->try_emplace(std::move(name), value);
  if (!inserted) it->second.append(it->first == "set-cookie" ? "\n" : ", ").append(value);
  return size * n;
}

TransportError transport_error(CURLcode code, const HttpRequest& req, const char* detail) {
  std::string msg = std::string("no answer to ") + req.label + ": " + curl_easy_strerror(code);
  if (detail != nullptr && *detail != '\0') msg += " (" + std::string(detail) + ")";
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError(ErrorKind::timeout, msg, true);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return TransportError(ErrorKind::network, msg, false);
    default:
      return TransportError(ErrorKind::network, msg, true);
  }
}

}  // namespace

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)) {
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  handle_ = curl_easy_init();
  if (handle_ == nullptr) throw Error(ErrorKind::internal, "curl_easy_init failed");
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(handle_)); }

void HttpClient::give_back(std::string body) {
  std::lock_guard lock(spare_body_mutex_);
  if (body.capacity() > spare_body_.capacity()) spare_body_ = std::move(body);
}

HttpResponse HttpClient::perform(const HttpRequest& req) {
  if (before_request_) before_request_();
  CURL* h = static_cast<CURL*>(handle_);
  curl_easy_reset(h);  // keeps the connection cache, forgets the previous request's options
  HttpResponse res;
  {
    std::lock_guard lock(spare_body_mutex_);
    res.body = std::exchange(spare_body_, std::string());
  }
  res.body.clear();
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : req.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());

  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  if (req.method == "POST" || !req.body.empty()) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  BodySink sink{&res.body, options_.max_body_bytes, h};
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &res.headers);

  CURLcode code = curl_easy_perform(h);
  curl_slist_free_all(headers);
  if (sink.over) {
    throw TransportError(ErrorKind::data, "the answer to " + req.label + " is larger than http.max_body_bytes (" +
                                              std::to_string(options_.max_body_bytes) + " bytes); stopped reading it",
                         false);
  }
  if (code != CURLE_OK) throw transport_error(code, req, errbuf);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  res.status = static_cast<int>(status);
  return res;
}

std::string url_encode(std::string_view text) {
  if (text.empty()) return "";  // curl_easy_escape reads a length of 0 as "use strlen"
  // libcurl ignores the handle argument since 7.82; it escapes all but unreserved characters.
  char* escaped = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  if (escaped == nullptr) throw Error(ErrorKind::internal, "curl_easy_escape failed");
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

}  // namespace tributary::http
