// QBO answers XML (an IntuitResponse document) unless the client asks for JSON; the mock
// keeps JSON as its source of truth and converts.
#pragma once

#include <string>
#include <string_view>

namespace tributary::mock {

std::string xml_escape(std::string_view s);

// <IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="...">inner</IntuitResponse>
std::string intuit_response_xml(const std::string& time, const std::string& inner);

// One entity payload as QBO's XML: domain, sparse and status (CDC's deleted stubs) become
// attributes, {"value","name"} references become <XRef name="...">value</XRef>, arrays repeat
// their element name.
std::string json_entity_to_xml(const std::string& entity, const std::string& json);

}  // namespace tributary::mock
