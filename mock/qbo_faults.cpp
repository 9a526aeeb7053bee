#include "mock/qbo_faults.hpp"

#include "mock/qbo_json.hpp"
#include "mock/qbo_time.hpp"
#include "mock/qbo_xml.hpp"

namespace tributary::mock {
namespace {

const char* const kJson = "application/json;charset=UTF-8";
const char* const kXml = "application/xml;charset=UTF-8";

struct FaultError {
  std::string code, message, detail;
};

// {"Fault":{"Error":[{"Message","Detail","code"}],"type":...},"time":...} (service errors).
HttpAnswer service_fault(int status, const char* type, const FaultError& e, BodyFormat format,
                         const std::string& time) {
  HttpAnswer a;
  a.status = status;
  a.content_type = kJson;
  if (format == BodyFormat::Xml) {
    a.content_type = kXml;
    a.body = intuit_response_xml(
        time, "<Fault type=\"" + std::string(type) + "\"><Error code=\"" + e.code + "\"><Message>" +
                  xml_escape(e.message) + "</Message><Detail>" + xml_escape(e.detail) +
                  "</Detail></Error></Fault>");
    return a;
  }
  JsonWriter w;
  w.begin_object().key("Fault").begin_object().key("Error").begin_array();
  w.begin_object().field("Message", e.message).field("Detail", e.detail).field("code", e.code);
  w.end_object().end_array().field("type", type).end_object();
  w.field("time", time).end_object();
  a.body = w.take();
  return a;
}

// The gateway's envelope, a serialized Java object with lowercase keys and many nulls.
std::string gateway_json(const FaultError& e, const char* type, bool detail_null,
                         const std::string& request_id, std::int64_t epoch_ms) {
  JsonWriter w;
  w.begin_object().field_raw("warnings", "null").field_raw("intuitObject", "null");
  w.key("fault").begin_object().key("error").begin_array().begin_object();
  w.field("message", e.message);
  if (detail_null) {
    w.field_raw("detail", "null");
  } else {
    w.field("detail", e.detail);
  }
  w.field("code", e.code).field_raw("element", "null").end_object().end_array();
  w.field("type", type).end_object();
  w.field_raw("report", "null").field_raw("queryResponse", "null");
  w.key("batchItemResponse").begin_array().end_array();
  w.key("attachableResponse").begin_array().end_array();
  w.field_raw("syncErrorResponse", "null");
  if (request_id.empty()) {
    w.field_raw("requestId", "null");
  } else {
    w.field("requestId", request_id);
  }
  w.field("time", epoch_ms).field_raw("status", "null");
  w.key("cdcresponse").begin_array().end_array().end_object();
  return w.take();
}

// During outages the load balancer, not QBO, answers 503 with a small HTML page.
const char* const kOutagePage =
    "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
    "<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
    "</body>\r\n</html>\r\n";

}  // namespace

BodyFormat format_for_accept(const std::string& accept) {
  return accept.find("application/json") != std::string::npos ? BodyFormat::Json : BodyFormat::Xml;
}

HttpAnswer ok_answer(BodyFormat format, std::string body) {
  return plain_answer(200, format == BodyFormat::Json ? kJson : kXml, std::move(body));
}

HttpAnswer query_error_answer(const QueryError& err, BodyFormat format, const std::string& time) {
  return service_fault(400, "ValidationFault", {err.code, err.message, err.detail}, format, time);
}

HttpAnswer unauthorized_answer(const std::string& detail, BodyFormat format,
                               const std::string& request_id) {
  FaultError e{"3200", "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail};
  std::int64_t now = now_utc_ms();
  HttpAnswer a;
  a.status = 401;
  a.content_type = kJson;
  if (format == BodyFormat::Xml) {
    a.content_type = kXml;
    a.body = intuit_response_xml(format_pacific_ms(now), "<Fault type=\"AUTHENTICATION\"><Error code=\"3200\"><Message>" +
                                         e.message + "</Message><Detail>" + xml_escape(detail) +
                                         "</Detail></Error></Fault>");
    return a;
  }
  a.body = gateway_json(e, "AUTHENTICATION", false, request_id, now);
  return a;
}

HttpAnswer forbidden_answer(BodyFormat format, const std::string& request_id) {
  FaultError e{"3100", "message=AuthorizationFailed; errorCode=003100; statusCode=403", ""};
  std::int64_t now = now_utc_ms();
  if (format == BodyFormat::Xml) return service_fault(403, "SERVICE", e, format, format_pacific_ms(now));
  return plain_answer(403, kJson, gateway_json(e, "SERVICE", true, request_id, now));
}

HttpAnswer throttled_answer(bool json, const std::string& time) {
  FaultError e{"3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429",
               "The request limit was reached.  Try again later"};
  return service_fault(429, "SERVICE", e, json ? BodyFormat::Json : BodyFormat::Xml, time);
}

HttpAnswer injected_status_answer(int status, bool throttle_json, BodyFormat format,
                                  const std::string& time) {
  switch (status) {
    case 400:
      return service_fault(400, "ValidationFault",
                           {"2010", "Request has invalid or unsupported property",
                            "Property Name:Unrecognized field specified is unsupported"},
                           BodyFormat::Json, time);
    case 401: return unauthorized_answer("Token revoked", format, "");
    case 403: return forbidden_answer(format, "");
    case 429: return throttled_answer(throttle_json, time);
    case 500:
      return service_fault(500, "SystemFault",
                           {"10000", "An application error has occurred while processing your request",
                            "System Failure Error: An unexpected error occurred while accessing or "
                            "saving your data. Please wait a few minutes and try again."},
                           BodyFormat::Json, time);
    case 502: return plain_answer(502, "text/plain", "502 Bad Gateway\n");
    case 503: return plain_answer(503, "text/html", kOutagePage);
    case 504: return plain_answer(504, "text/plain", "504 Gateway Time-out\n");
    default: return plain_answer(status, "text/plain", "Error " + std::to_string(status) + "\n");
  }
}

HttpAnswer oauth_error(int status, const std::string& error) {
  JsonWriter w;
  w.begin_object().field("error", error).end_object();
  return plain_answer(status, kJson, w.take());
}

}  // namespace tributary::mock
