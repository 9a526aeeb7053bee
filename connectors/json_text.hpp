#pragma once
// simdjson plumbing shared by the page readers: one on-demand parser per thread, bodies padded
// in place, and the checks on-demand parsing does not make for us.
#include <simdjson.h>

#include <string>
#include <string_view>

namespace tributary::connectors {

// Iterates `body` in place (reserving simdjson's padding); valid until the thread's next call.
simdjson::ondemand::document iterate_json(std::string& body);

// raw_json() runs up to the next token, whitespace included; records are stored without it.
std::string_view trim_trailing_space(std::string_view s);

// On-demand parsing never looks at what it does not consume: a body cut short can only be
// caught by checking that it ends like a JSON document.
bool ends_like_json(std::string_view body);

}  // namespace tributary::connectors
