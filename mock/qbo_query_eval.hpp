// Runs a parsed query against the mock company and renders the QueryResponse envelope.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mock/qbo_data.hpp"
#include "mock/qbo_query.hpp"

namespace tributary::mock {

// Every row the statement selects, filtered and ordered, before STARTPOSITION/MAXRESULTS.
struct Selection {
  std::string entity;
  std::optional<EntityKind> kind;  // empty for QBO entities the mock has no records of
  std::vector<const Record*> rows;
};

// Active records only: a deleted record has left every query answer.
std::variant<Selection, QueryError> select_rows(const Query& q, const Dataset& data);

// A QBO entity the mock knows but holds no records of (Vendor, Account, TaxCode...).
bool is_empty_entity(std::string_view entity);

// The rows of the requested page (1-based STARTPOSITION, default MAXRESULTS 100).
struct Page {
  std::int64_t start_position = 1;
  std::vector<const Record*> rows;
};
Page page_of(const Query& q, const Selection& s);

// {"QueryResponse":{...},"time":"..."} exactly as QBO shapes it: no entity key on an empty
// page, totalCount only for COUNT(*).
std::string render_json_response(const Query& q, const Selection& s, const std::string& time);
std::string render_xml_response(const Query& q, const Selection& s, const std::string& time);

}  // namespace tributary::mock
