#pragma once
// Reading a page of a JSON API by JSON pointers: the record array, each record's key and
// cursor, and single values such as a next cursor or a total.
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/rest/rest_spec.hpp"

namespace tributary::connectors {

struct PageReading {
  std::vector<Record> records;
  std::optional<std::string> next;  // the value at the `next` pointer, when asked and not null/empty
  std::optional<long long> total;   // the value at the `total` pointer, when asked
};

// Record::json views point into `body`. A single primary key is its value as text; a composite
// one is a JSON array of the values. Throws Error(data) naming what is missing or malformed.
// With `missing_is_empty`, a body without the records pointer is an empty page (QuickBooks
// answers past the end with {"QueryResponse":{}}).
PageReading read_json_page(std::string& body, const RestStreamSpec& spec, const std::string& next_pointer,
                           const std::string& total_pointer, bool missing_is_empty = false);

// The value at `pointer` in `body` as text (strings unescaped, numbers as written).
std::optional<std::string> read_json_value(std::string& body, const std::string& pointer);

}  // namespace tributary::connectors
