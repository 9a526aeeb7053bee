#pragma once
// simdjson plumbing shared by the page readers: a few on-demand parsers shared by every thread,
// bodies padded in place, and the checks on-demand parsing does not make for us.
#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>

namespace tributary::connectors {

// A parser borrowed from the process's pool, given back when this is destroyed. A parser keeps
// buffers of about six times the largest body it has read, so one per worker thread would hold
// megabytes per worker; reading a page takes milliseconds, so a parser per core is enough.
class ParserLease {
 public:
  ParserLease();
  ~ParserLease();
  ParserLease(ParserLease&& other) noexcept;
  ParserLease(const ParserLease&) = delete;
  ParserLease& operator=(const ParserLease&) = delete;
  ParserLease& operator=(ParserLease&&) = delete;
  simdjson::ondemand::parser& parser() { return *parser_; }

 private:
  std::unique_ptr<simdjson::ondemand::parser> parser_;
};

// A body being iterated, and the parser it needs while it is: `doc` is valid as long as this is.
struct JsonDocument {
  ParserLease lease;  // declared first, so it outlives `doc`
  simdjson::ondemand::document doc;
};

// Iterates `body` in place (reserving simdjson's padding).
JsonDocument iterate_json(std::string& body);

// raw_json() runs up to the next token, whitespace included; records are stored without it.
std::string_view trim_trailing_space(std::string_view s);

// On-demand parsing never looks at what it does not consume: a body cut short can only be
// caught by checking that it ends like a JSON document.
bool ends_like_json(std::string_view body);

}  // namespace tributary::connectors
