// The bodies QBO and its gateway answer with when something goes wrong. Each shape is copied
// from a public Intuit page or from a real response quoted in a public issue; docs/mock-qbo.md
// names the source of each.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mock/common/http_faults.hpp"
#include "mock/qbo_query.hpp"

namespace tributary::mock {

enum class BodyFormat { Json, Xml };

// QBO answers JSON only when the Accept header asks for it; XML otherwise.
BodyFormat format_for_accept(const std::string& accept);

HttpAnswer ok_answer(BodyFormat format, std::string body);

// 400 ValidationFault (code 4000 QueryParserError / 4001 QueryValidationError).
HttpAnswer query_error_answer(const QueryError& err, BodyFormat format, const std::string& time);

// 401 from the gateway: lowercase "fault"/"error" keys, code 3200, type AUTHENTICATION.
HttpAnswer unauthorized_answer(const std::string& detail, BodyFormat format,
                               const std::string& request_id);

// 403 AuthorizationFailed (code 3100): a valid token used on a company it was not issued for.
HttpAnswer forbidden_answer(BodyFormat format, const std::string& request_id);

// 429 ThrottleExceeded (code 3001). XML by default: QBO has been seen answering XML here even to
// clients that asked for JSON, so clients must decide on the status code, not the body.
HttpAnswer throttled_answer(bool json, const std::string& time);

// Injected status faults (FaultRule::status) with the body shape QBO uses for that status.
HttpAnswer injected_status_answer(int status, bool throttle_json, BodyFormat format,
                                  const std::string& time);

// Token endpoint errors: {"error":"invalid_grant"} and friends.
HttpAnswer oauth_error(int status, const std::string& error);

}  // namespace tributary::mock
