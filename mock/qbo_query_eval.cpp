#include "mock/qbo_query_eval.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <span>

#include "mock/qbo_json.hpp"
#include "mock/qbo_time.hpp"
#include "mock/qbo_xml.hpp"

namespace tributary::mock {
namespace {

// QBO entities the mock knows but holds no records of: a query on them is valid and empty.
const char* const kEmptyEntities[] = {
    "Account", "Bill", "BillPayment", "Budget", "Class", "CompanyInfo", "CreditMemo",
    "Department", "Deposit", "Employee", "Estimate", "JournalEntry", "Payment",
    "PaymentMethod", "Purchase", "PurchaseOrder", "RefundReceipt", "SalesReceipt",
    "TaxAgency", "TaxCode", "TaxRate", "Term", "TimeActivity", "Transfer", "Vendor",
    "VendorCredit"};

// Top-level members a WHERE or ORDERBY may use, per entity (a subset of the real filterable
// lists on Intuit's entity pages, limited to what the generated payloads carry).
const char* const kCustomerFilterable[] = {
    "DisplayName", "GivenName", "FamilyName", "CompanyName", "FullyQualifiedName",
    "PrintOnCheckName", "Active", "Balance", "BalanceWithJobs", "Taxable", "Job", "SyncToken"};
const char* const kInvoiceFilterable[] = {"DocNumber", "TxnDate", "DueDate", "TotalAmt", "Balance",
                                          "CustomerRef", "EmailStatus", "PrintStatus", "SyncToken"};
const char* const kItemFilterable[] = {"Name", "FullyQualifiedName", "Type", "Active", "UnitPrice",
                                       "PurchaseCost", "QtyOnHand", "Taxable", "TrackQtyOnHand",
                                       "SyncToken"};

std::span<const char* const> filterable(EntityKind kind) {
  switch (kind) {
    case EntityKind::Customer: return kCustomerFilterable;
    case EntityKind::Invoice: return kInvoiceFilterable;
    case EntityKind::Item: return kItemFilterable;
  }
  return {};
}

enum class PropKind { Id, Updated, Created, Member };

struct Prop {
  PropKind kind = PropKind::Member;
  std::string name;  // canonical spelling as it appears in payloads
};

std::optional<Prop> resolve(std::string_view property, const Selection& s) {
  if (iequals(property, "Id")) return Prop{PropKind::Id, "Id"};
  std::string meta = metadata_field(property);
  if (meta == "LastUpdatedTime") return Prop{PropKind::Updated, meta};
  if (meta == "CreateTime") return Prop{PropKind::Created, meta};
  if (!s.kind) return Prop{PropKind::Member, std::string(property)};  // no rows to judge
  for (const char* name : filterable(*s.kind)) {
    if (iequals(property, name)) return Prop{PropKind::Member, name};
  }
  return std::nullopt;
}

QueryError not_queryable(std::string_view property) {
  return validation_error("QueryValidationError: property '" + std::string(property) +
                          "' is not queryable");
}

// A member's value reduced to something comparable; Ref objects compare by their "value".
struct Scalar {
  enum class Kind { Missing, Str, Num, Bool } kind = Kind::Missing;
  std::string str;
  double num = 0;
};

Scalar member_scalar(simdjson::dom::element root, const std::string& name) {
  Scalar out;
  simdjson::dom::element v;
  if (root[name].get(v)) return out;
  if (v.is_object()) {
    if (v["value"].get(v)) return out;
  }
  if (v.is_string()) {
    out.kind = Scalar::Kind::Str;
    out.str = std::string(v.get_string().value());
  } else if (v.is_number()) {
    out.kind = Scalar::Kind::Num;
    out.num = v.get_double().value();
  } else if (v.is_bool()) {
    out.kind = Scalar::Kind::Bool;
    out.num = v.get_bool().value() ? 1 : 0;
  }
  return out;
}

std::optional<double> as_number(const std::string& text) {
  double d = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return d;
}

bool like(std::string_view text, std::string_view pattern) {
  std::size_t pct = pattern.find('%');
  if (pct == std::string_view::npos) return text == pattern;
  if (text.substr(0, pct) != pattern.substr(0, pct)) return false;
  std::string_view rest = pattern.substr(pct + 1);
  for (std::size_t i = pct; i <= text.size(); ++i) {
    if (like(text.substr(i), rest)) return true;
  }
  return false;
}

// -1, 0, 1, or nullopt when the two cannot be compared (no match).
std::optional<int> compare(const Scalar& a, const Literal& lit) {
  if (a.kind == Scalar::Kind::Str) return a.str.compare(lit.text) < 0 ? -1 : (a.str == lit.text ? 0 : 1);
  std::optional<double> b;
  if (a.kind == Scalar::Kind::Num) b = as_number(lit.text);
  if (a.kind == Scalar::Kind::Bool && (iequals(lit.text, "true") || iequals(lit.text, "false"))) {
    b = iequals(lit.text, "true") ? 1 : 0;
  }
  if (!b) return std::nullopt;
  return a.num < *b ? -1 : (a.num > *b ? 1 : 0);
}

bool satisfies(std::optional<int> cmp, CmpOp op) {
  if (!cmp) return false;
  switch (op) {
    case CmpOp::Eq: case CmpOp::In: return *cmp == 0;
    case CmpOp::Lt: return *cmp < 0;
    case CmpOp::Le: return *cmp <= 0;
    case CmpOp::Gt: return *cmp > 0;
    case CmpOp::Ge: return *cmp >= 0;
    case CmpOp::Like: return false;
  }
  return false;
}

Scalar scalar_of(const Record& r, const Prop& p, simdjson::dom::element root) {
  Scalar s;
  s.kind = Scalar::Kind::Num;
  switch (p.kind) {
    case PropKind::Id: s.num = r.id; return s;
    case PropKind::Updated: s.num = static_cast<double>(r.updated_utc) * 1000; return s;
    case PropKind::Created: s.num = static_cast<double>(r.create_utc) * 1000; return s;
    case PropKind::Member: return member_scalar(root, p.name);
  }
  return s;
}

bool matches_value(const Scalar& v, const Literal& lit, CmpOp op) {
  if (op == CmpOp::Like) return v.kind == Scalar::Kind::Str && like(v.str, lit.text);
  if (lit.timestamp_ms) return satisfies(v.num < *lit.timestamp_ms ? -1 : (v.num > *lit.timestamp_ms ? 1 : 0), op);
  return satisfies(compare(v, lit), op);
}

struct Row {
  const Record* rec;
  std::vector<Scalar> order_values;
};

struct Plan {
  std::vector<std::pair<Prop, const Condition*>> conditions;
  std::vector<std::pair<Prop, bool>> order;  // prop, descending
  bool needs_json = false;
};

std::optional<QueryError> plan_query(const Query& q, const Selection& s, Plan& plan) {
  for (const auto& c : q.where) {
    auto p = resolve(c.property, s);
    if (!p) return not_queryable(c.property);
    plan.needs_json |= p->kind == PropKind::Member;
    plan.conditions.emplace_back(*p, &c);
  }
  for (const auto& k : q.order_by) {
    auto p = resolve(k.property, s);
    if (!p) return not_queryable(k.property);
    plan.needs_json |= p->kind == PropKind::Member;
    plan.order.emplace_back(*p, k.descending);
  }
  for (const auto& name : q.properties) {
    if (!resolve(name, s) && !iequals(name, "MetaData")) return not_queryable(name);
  }
  return std::nullopt;
}

bool row_matches(const Record& r, const Plan& plan, simdjson::dom::element root) {
  for (const auto& [prop, cond] : plan.conditions) {
    Scalar v = scalar_of(r, prop, root);
    bool any = false;
    for (const auto& lit : cond->values) any = any || matches_value(v, lit, cond->op);
    if (!any) return false;
  }
  return true;
}

int compare_scalars(const Scalar& a, const Scalar& b) {
  if (a.kind != b.kind) return a.kind < b.kind ? -1 : 1;  // missing values first
  if (a.kind == Scalar::Kind::Str) return a.str < b.str ? -1 : (a.str == b.str ? 0 : 1);
  return a.num < b.num ? -1 : (a.num > b.num ? 1 : 0);
}

void sort_rows(std::vector<Row>& rows, const Plan& plan) {
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    for (std::size_t i = 0; i < plan.order.size(); ++i) {
      int c = compare_scalars(a.order_values[i], b.order_values[i]);
      if (c != 0) return plan.order[i].second ? c > 0 : c < 0;
    }
    return a.rec->id < b.rec->id;  // ties by Id keep paging stable
  });
}

// The records a query can match, without reading every record when it need not: an Id = / IN
// condition names them, a LastUpdatedTime range is a slice of Dataset::by_updated(). Candidates
// are a superset; every condition is still checked on each one.
std::vector<const Record*> candidates(const Plan& plan, const Dataset& data, EntityKind kind) {
  const auto& recs = data.records(kind);
  std::vector<const Record*> out;
  for (const auto& [prop, cond] : plan.conditions) {
    if (prop.kind != PropKind::Id || (cond->op != CmpOp::Eq && cond->op != CmpOp::In)) continue;
    std::vector<std::int64_t> ids;
    for (const auto& lit : cond->values) {
      auto n = as_number(lit.text);  // what compare() reads; a non-number matches nothing
      if (n && *n >= 1 && *n <= static_cast<double>(recs.size()) && *n == static_cast<double>(static_cast<std::int64_t>(*n))) {
        ids.push_back(static_cast<std::int64_t>(*n));
      }
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (auto id : ids) out.push_back(&recs[id - 1]);  // Ids index the vector
    return out;
  }
  std::int64_t lo = INT64_MIN, hi = INT64_MAX;  // inclusive bounds in ms
  bool ranged = false;
  for (const auto& [prop, cond] : plan.conditions) {
    if (prop.kind != PropKind::Updated || cond->values.size() != 1 || !cond->values[0].timestamp_ms) continue;
    std::int64_t t = *cond->values[0].timestamp_ms;
    CmpOp op = cond->op;
    if (op == CmpOp::Ge || op == CmpOp::Gt || op == CmpOp::Eq) lo = std::max(lo, t), ranged = true;
    if (op == CmpOp::Le || op == CmpOp::Lt || op == CmpOp::Eq) hi = std::min(hi, t), ranged = true;
  }
  if (!ranged) {
    out.reserve(recs.size());
    for (const Record& r : recs) out.push_back(&r);
    return out;
  }
  const auto& index = data.by_updated(kind);
  auto ms = [&](int i) { return recs[i].updated_utc * 1000; };
  auto first = std::partition_point(index.begin(), index.end(), [&](int i) { return ms(i) < lo; });
  auto last = std::partition_point(first, index.end(), [&](int i) { return ms(i) <= hi; });
  out.reserve(static_cast<std::size_t>(last - first));
  for (auto it = first; it != last; ++it) out.push_back(&recs[*it]);
  return out;
}

}  // namespace

bool is_empty_entity(std::string_view entity) {
  return std::any_of(std::begin(kEmptyEntities), std::end(kEmptyEntities),
                     [&](const char* e) { return entity == e; });
}

std::variant<Selection, QueryError> select_rows(const Query& q, const Dataset& data) {
  Selection s;
  s.entity = q.entity;
  s.kind = Dataset::kind_of(q.entity);
  if (!s.kind && !is_empty_entity(q.entity)) {
    return parser_error("QueryParserError: Invalid entity name: " + q.entity);
  }
  Plan plan;
  if (auto err = plan_query(q, s, plan)) return *err;
  if (!s.kind) return s;
  simdjson::dom::parser parser;
  // Ordered by Id alone (or not at all: Id order): no per-row sort keys needed.
  bool by_id = plan.order.empty() || (plan.order.size() == 1 && plan.order[0].first.kind == PropKind::Id);
  std::vector<Row> rows;
  for (const Record* r : candidates(plan, data, *s.kind)) {
    if (r->deleted) continue;  // only CDC still reports a deleted record
    simdjson::dom::element root;
    if (plan.needs_json) root = parser.parse(r->json).value();
    if (!row_matches(*r, plan, root)) continue;
    if (by_id) {
      s.rows.push_back(r);
      continue;
    }
    Row row{r, {}};
    for (const auto& [prop, desc] : plan.order) row.order_values.push_back(scalar_of(*r, prop, root));
    rows.push_back(std::move(row));
  }
  if (by_id) {
    bool desc = !plan.order.empty() && plan.order[0].second;
    std::sort(s.rows.begin(), s.rows.end(),
              [desc](const Record* a, const Record* b) { return desc ? a->id > b->id : a->id < b->id; });
    return s;
  }
  sort_rows(rows, plan);
  for (const Row& row : rows) s.rows.push_back(row.rec);
  return s;
}

Page page_of(const Query& q, const Selection& s) {
  Page p;
  p.start_position = std::max<std::int64_t>(1, q.start_position.value_or(1));
  std::int64_t max = q.max_results.value_or(kDefaultMaxResults);
  for (std::int64_t i = p.start_position - 1;
       i < static_cast<std::int64_t>(s.rows.size()) && static_cast<std::int64_t>(p.rows.size()) < max; ++i) {
    p.rows.push_back(s.rows[i]);
  }
  return p;
}

namespace {

// SELECT Id, MetaData.LastUpdatedTime ...: only the asked members, plus Id and the
// domain/sparse markers; sparse=true because not every property is present. Id and MetaData
// come from the record's own fields, which its payload was rendered from (qbo_payloads.cpp):
// the id sweep's statement asks for nothing else, so its pages need no payload parsed.
std::string project(const Record& r, const std::vector<std::string>& props, simdjson::dom::parser& parser) {
  std::optional<simdjson::dom::element> root;
  JsonWriter w;
  w.begin_object().field("Id", std::to_string(r.id));
  std::vector<std::string> meta;
  for (const auto& p : props) {
    std::string field = metadata_field(p);
    if (!field.empty() || iequals(p, "MetaData")) {
      meta.push_back(field);
      continue;
    }
    if (iequals(p, "Id")) continue;
    if (!root) root = parser.parse(r.json).value();
    for (auto [key, value] : root->get_object()) {
      if (iequals(key, p)) w.field_raw(key, simdjson::minify(value));
    }
  }
  if (!meta.empty()) {
    auto asked = [&](const char* f) {
      return std::find(meta.begin(), meta.end(), f) != meta.end() ||
             std::find(meta.begin(), meta.end(), "") != meta.end();
    };
    w.key("MetaData").begin_object();
    if (asked("CreateTime")) w.field("CreateTime", format_pacific(r.create_utc));
    if (asked("LastUpdatedTime")) w.field("LastUpdatedTime", format_pacific(r.updated_utc));
    w.end_object();
  }
  w.field("domain", "QBO").field("sparse", true).end_object();
  return w.take();
}

std::vector<std::string> page_payloads(const Query& q, const Page& page) {
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  for (const Record* r : page.rows) {
    out.push_back(q.select == Query::Select::Properties ? project(*r, q.properties, parser) : r->json);
  }
  return out;
}

}  // namespace

std::string render_json_response(const Query& q, const Selection& s, const std::string& time) {
  JsonWriter w;
  w.begin_object().key("QueryResponse").begin_object();
  if (q.select == Query::Select::Count) {
    w.field("totalCount", static_cast<std::int64_t>(s.rows.size()));
  } else {
    Page page = page_of(q, s);
    if (!page.rows.empty()) {
      w.key(s.entity).begin_array();
      if (q.select == Query::Select::All) {  // the payloads as stored, without a copy of each
        std::size_t bytes = 256;
        for (const Record* r : page.rows) bytes += r->json.size() + 1;
        w.reserve(bytes);
        for (const Record* r : page.rows) w.raw(r->json);
      } else {
        for (const auto& payload : page_payloads(q, page)) w.raw(payload);
      }
      w.end_array();
      w.field("startPosition", page.start_position);
      w.field("maxResults", static_cast<std::int64_t>(page.rows.size()));
    }
  }
  w.end_object().field("time", time).end_object();
  return w.take();
}

std::string render_xml_response(const Query& q, const Selection& s, const std::string& time) {
  std::string body;
  std::string attrs;
  if (q.select == Query::Select::Count) {
    attrs = " totalCount=\"" + std::to_string(s.rows.size()) + "\"";
  } else {
    Page page = page_of(q, s);
    if (!page.rows.empty()) {
      attrs = " startPosition=\"" + std::to_string(page.start_position) + "\" maxResults=\"" +
              std::to_string(page.rows.size()) + "\"";
      for (const auto& payload : page_payloads(q, page)) body += json_entity_to_xml(s.entity, payload);
    }
  }
  return intuit_response_xml(time, "<QueryResponse" + attrs + (body.empty() ? "/>" : ">" + body + "</QueryResponse>"));
}

}  // namespace tributary::mock
