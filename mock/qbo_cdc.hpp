// Change data capture, GET /v3/company/{realm}/cdc?entities=A,B&changedSince=T: every record of
// the listed entities whose LastUpdatedTime is at or after T, full payload for active ones and a
// stub for deleted ones, as Intuit's "Change data capture operation" page describes.
// docs/mock-qbo.md lists the rules and which of them are the mock's own choice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mock/qbo_data.hpp"
#include "mock/qbo_query.hpp"

namespace tributary::mock {

// Intuit: "CDC operations can track changes within the last 30 days."
inline constexpr int kCdcLookbackDays = 30;

struct CdcRequest {
  std::vector<std::string> entities;  // distinct, in the order asked
  std::int64_t changed_since_ms = 0;  // UTC
};

// Reads the `entities` and `changedSince` parameters (nullopt = absent). An error is the 400
// ValidationFault the endpoint answers: a parameter missing, an entity CDC does not serve, a
// time that does not parse or lies more than kCdcLookbackDays before now_ms.
std::variant<CdcRequest, QueryError> parse_cdc_request(const std::optional<std::string>& entities,
                                                       const std::optional<std::string>& changed_since,
                                                       std::int64_t now_ms);

struct CdcChanges {
  std::string entity;
  std::vector<const Record*> rows;  // by LastUpdatedTime, then Id; deleted records included
};

// One element per requested entity. At most max_objects rows in all: the whole request is
// ordered by (LastUpdatedTime, position of the entity in the request, Id) and the latest cut.
std::vector<CdcChanges> select_changes(const CdcRequest& request, const Dataset& data, int max_objects);

// {"domain":"QBO","status":"Deleted","Id":"63","MetaData":{"LastUpdatedTime":"..."}}
std::string deleted_stub_json(const Record& r);

// {"CDCResponse":[{"QueryResponse":[{"Customer":[...],"startPosition":1,"maxResults":2},{}]}],"time":"..."}
std::string render_cdc_json(const std::vector<CdcChanges>& changes, const std::string& time);
// <IntuitResponse time="..."><CDCResponse><QueryResponse startPosition="1" maxResults="2">...
std::string render_cdc_xml(const std::vector<CdcChanges>& changes, const std::string& time);

}  // namespace tributary::mock
