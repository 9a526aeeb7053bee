#include <simdjson.h>

#include "connectors/qbo/qbo_response.hpp"
#include "core/text.hpp"
#include "http/executor.hpp"

namespace tributary::connectors::qbo {
namespace {

namespace dom = simdjson::dom;

// QBO's data API says Fault/Error/Message; its gateway says fault/error/message.
dom::element field_any_case(dom::element obj, const char* upper, const char* lower) {
  dom::element v;
  if (obj[upper].get(v) == simdjson::SUCCESS) return v;
  if (obj[lower].get(v) == simdjson::SUCCESS) return v;
  return dom::element();
}

std::string text_of(dom::element obj, const char* upper, const char* lower) {
  std::string_view s;
  dom::element v;
  if (obj[upper].get(v) == simdjson::SUCCESS || obj[lower].get(v) == simdjson::SUCCESS) {
    if (v.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  }
  return "";
}

std::string between(const std::string& body, const std::string& open, const std::string& close) {
  auto a = body.find(open);
  if (a == std::string::npos) return "";
  a += open.size();
  auto b = body.find(close, a);
  return b == std::string::npos ? "" : body.substr(a, std::min<size_t>(b - a, 300));
}

std::optional<std::string> describe_json_fault(const std::string& body) {
  dom::parser parser;
  dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS || !doc.is_object()) return std::nullopt;
  dom::element fault = field_any_case(doc, "Fault", "fault");
  if (!fault.is_object()) return std::nullopt;
  std::string out = text_of(fault, "type", "type");
  dom::array errors;
  if (field_any_case(fault, "Error", "error").get(errors) == simdjson::SUCCESS) {
    for (dom::element e : errors) {
      std::string code = text_of(e, "code", "code");
      out += (out.empty() ? "" : " ") + code + ": " + text_of(e, "Message", "message");
      std::string detail = text_of(e, "Detail", "detail");
      if (!detail.empty()) out += " (" + detail + ")";
      break;  // the first error says what went wrong; the rest repeat it
    }
  }
  return out;
}

std::string summarise_body(const http::HttpResponse& response) {
  const std::string& body = response.body;
  if (auto json = describe_json_fault(body)) return *json;
  if (body.find("<Fault") != std::string::npos || body.find("<IntuitResponse") != std::string::npos) {
    std::string message = between(body, "<Message>", "</Message>");
    std::string detail = between(body, "<Detail>", "</Detail>");
    return "XML fault: " + message + (detail.empty() ? "" : " (" + detail + ")");
  }
  if (body.find("<html") != std::string::npos || body.find("<HTML") != std::string::npos) {
    std::string title = between(body, "<title>", "</title>");
    return "HTML page" + (title.empty() ? std::string() : ": " + title);
  }
  return http::describe_plainly(response);
}

}  // namespace

std::string describe_fault(const http::HttpResponse& response) {
  return one_line(summarise_body(response));  // QBO's parser details span lines and can be long
}

}  // namespace tributary::connectors::qbo
