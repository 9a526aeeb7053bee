#include "mock/qbo_cdc.hpp"

#include <algorithm>

#include "mock/qbo_json.hpp"
#include "mock/qbo_query_eval.hpp"
#include "mock/qbo_time.hpp"
#include "mock/qbo_xml.hpp"

namespace tributary::mock {
namespace {

constexpr std::int64_t kLookbackMs = std::int64_t{kCdcLookbackDays} * 86'400'000;

// Intuit's CDC page: "You can use the CDC operation for all API entities except" these.
const char* const kNoCdcEntities[] = {"JournalCode", "TaxAgency", "TimeActivity", "TaxCode", "TaxRate"};

// Wording of QBO's answer to a missing required parameter (code 2020).
QueryError missing_parameter(const std::string& name) {
  return QueryError{"2020", "Required param missing, need to supply the required value for the API",
                    "Required parameter " + name + " is missing in the request"};
}

QueryError invalid_parameter(std::string detail) {
  return QueryError{"2010", "Request has invalid or unsupported property", std::move(detail)};
}

bool cdc_serves(const std::string& entity) {
  if (Dataset::kind_of(entity)) return true;
  bool excluded = std::any_of(std::begin(kNoCdcEntities), std::end(kNoCdcEntities),
                              [&](const char* e) { return entity == e; });
  return !excluded && is_empty_entity(entity);
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

// "Customer, Invoice" -> {"Customer","Invoice"}; names are case-sensitive, as in queries.
std::variant<std::vector<std::string>, QueryError> parse_entities(const std::string& list) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (true) {
    std::size_t comma = list.find(',', begin);
    std::string name = trim(list.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin));
    if (!cdc_serves(name)) {
      return invalid_parameter("Property Name:entities: '" + name + "' is not an entity the CDC operation serves");
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    if (comma == std::string::npos) return out;
    begin = comma + 1;
  }
}

std::variant<std::int64_t, QueryError> parse_changed_since(const std::string& text, std::int64_t now_ms) {
  auto since = parse_query_timestamp_ms(text);
  if (!since) return invalid_parameter("Property Name:changedSince: invalid date/time value '" + text + "'");
  if (*since < now_ms - kLookbackMs) {
    // First sentence as QBO words it (github.com/Wish-Org/QuickBooksSharp/issues/19).
    return invalid_parameter("Operation cdc with changedSince date " + text +
                             " which is older than fixed days is not supported. changedSince must be "
                             "within the last " + std::to_string(kCdcLookbackDays) + " days");
  }
  return *since;
}

std::string payload_of(const Record& r) { return r.deleted ? deleted_stub_json(r) : r.json; }

}  // namespace

std::variant<CdcRequest, QueryError> parse_cdc_request(const std::optional<std::string>& entities,
                                                       const std::optional<std::string>& changed_since,
                                                       std::int64_t now_ms) {
  if (!entities || trim(*entities).empty()) return missing_parameter("entities");
  if (!changed_since || changed_since->empty()) return missing_parameter("changedSince");
  CdcRequest request;
  auto names = parse_entities(*entities);
  if (auto* err = std::get_if<QueryError>(&names)) return *err;
  request.entities = std::get<std::vector<std::string>>(std::move(names));
  auto since = parse_changed_since(*changed_since, now_ms);
  if (auto* err = std::get_if<QueryError>(&since)) return *err;
  request.changed_since_ms = std::get<std::int64_t>(since);
  return request;
}

std::vector<CdcChanges> select_changes(const CdcRequest& request, const Dataset& data, int max_objects) {
  struct Candidate {
    const Record* rec;
    std::size_t entity;  // index into request.entities
  };
  std::vector<Candidate> all;
  for (std::size_t i = 0; i < request.entities.size(); ++i) {
    auto kind = Dataset::kind_of(request.entities[i]);
    if (!kind) continue;  // an entity the mock holds no records of never changes
    for (const Record& r : data.records(*kind)) {
      if (r.updated_utc * 1000 >= request.changed_since_ms) all.push_back({&r, i});
    }
  }
  // The cap applies to the whole answer, so order across entities before cutting.
  std::sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
    if (a.rec->updated_utc != b.rec->updated_utc) return a.rec->updated_utc < b.rec->updated_utc;
    if (a.entity != b.entity) return a.entity < b.entity;
    return a.rec->id < b.rec->id;
  });
  if (all.size() > static_cast<std::size_t>(std::max(max_objects, 0))) all.resize(std::max(max_objects, 0));
  std::vector<CdcChanges> out;
  for (const auto& name : request.entities) out.push_back(CdcChanges{name, {}});
  for (const Candidate& c : all) out[c.entity].rows.push_back(c.rec);
  return out;
}

std::string deleted_stub_json(const Record& r) {
  JsonWriter w;
  w.begin_object().field("domain", "QBO").field("status", "Deleted").field("Id", std::to_string(r.id));
  w.key("MetaData").begin_object().field("LastUpdatedTime", format_pacific(r.updated_utc)).end_object();
  w.end_object();
  return w.take();
}

std::string render_cdc_json(const std::vector<CdcChanges>& changes, const std::string& time) {
  JsonWriter w;
  w.begin_object().key("CDCResponse").begin_array().begin_object().key("QueryResponse").begin_array();
  for (const CdcChanges& c : changes) {
    w.begin_object();
    if (!c.rows.empty()) {  // an entity without changes is an empty object, as on an empty query page
      w.key(c.entity).begin_array();
      for (const Record* r : c.rows) w.raw(payload_of(*r));
      w.end_array().field("startPosition", 1).field("maxResults", static_cast<std::int64_t>(c.rows.size()));
    }
    w.end_object();
  }
  w.end_array().end_object().end_array().field("time", time).end_object();
  return w.take();
}

std::string render_cdc_xml(const std::vector<CdcChanges>& changes, const std::string& time) {
  std::string inner = "<CDCResponse>";
  for (const CdcChanges& c : changes) {
    if (c.rows.empty()) {
      inner += "<QueryResponse/>";
      continue;
    }
    inner += "<QueryResponse startPosition=\"1\" maxResults=\"" + std::to_string(c.rows.size()) + "\">";
    for (const Record* r : c.rows) inner += json_entity_to_xml(c.entity, payload_of(*r));
    inner += "</QueryResponse>";
  }
  return intuit_response_xml(time, inner + "</CDCResponse>");
}

}  // namespace tributary::mock
