#pragma once
// Reading QuickBooks Online answers: query pages, counts, and Fault bodies.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/connector.hpp"
#include "http/types.hpp"

namespace tributary::connectors::qbo {

// Record pages go through the generic reader (records: /QueryResponse/<Entity>); what is
// QuickBooks' own is read here.

// {"QueryResponse":{"<Entity>":[{"Id":..,"MetaData":{"LastUpdatedTime":..}},...]}} for
// "SELECT Id, MetaData.LastUpdatedTime"; a page past the end has no entity key.
std::vector<SourceId> parse_id_page(std::string& body, std::string_view entity);

// A Change Data Capture answer for one entity.
struct CdcAnswer {
  std::vector<Deletion> deleted;   // objects with "status":"Deleted", at their LastUpdatedTime
  size_t objects = 0;              // every object of the entity, changed or deleted
  std::optional<Timestamp> latest;  // the latest LastUpdatedTime among them
};
CdcAnswer parse_cdc(std::string& body, std::string_view entity);

// {"QueryResponse":{"totalCount":N}}
long long parse_count(std::string& body);

// "ValidationFault 4000: Error parsing query: QueryParserError: ..." from Fault (data API) or
// fault (gateway, lowercase) bodies; XML and HTML bodies are summarised. One line, bounded.
std::string describe_fault(const http::HttpResponse& response);

}  // namespace tributary::connectors::qbo
