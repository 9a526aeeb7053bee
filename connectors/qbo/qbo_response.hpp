#pragma once
// Reading QuickBooks Online answers: query pages, counts, and Fault bodies.
#include <string>
#include <string_view>
#include <vector>

#include "connectors/connector.hpp"
#include "http/types.hpp"

namespace tributary::connectors::qbo {

// {"QueryResponse":{"<Entity>":[...],"startPosition":S,"maxResults":N},"time":...}.
// A page past the end is {"QueryResponse":{}}. Record json views point into `body`, which must
// outlive them and not be modified. Throws Error(data) on anything else.
std::vector<Record> parse_entity_page(std::string& body, std::string_view entity);

// The same envelope for "SELECT Id, MetaData.LastUpdatedTime".
std::vector<SourceId> parse_id_page(std::string& body, std::string_view entity);

// {"QueryResponse":{"totalCount":N}}
long long parse_count(std::string& body);

// "ValidationFault 4000: Error parsing query: QueryParserError: ..." from Fault (data API) or
// fault (gateway, lowercase) bodies; XML and HTML bodies are summarised. One line, bounded.
std::string describe_fault(const http::HttpResponse& response);

}  // namespace tributary::connectors::qbo
