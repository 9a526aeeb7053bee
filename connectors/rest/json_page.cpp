#include "connectors/rest/json_page.hpp"

#include <simdjson.h>

#include "connectors/json_text.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace tributary::connectors {
namespace {

namespace od = simdjson::ondemand;

[[noreturn]] void malformed(const std::string& what) { throw Error(ErrorKind::data, "malformed answer: " + what); }

std::string_view trim(std::string_view s) { return trim_trailing_space(s); }

// A scalar as text: strings unescaped, numbers and booleans as written; nullopt for null.
std::optional<std::string> scalar_text(od::value v) {
  switch (v.type()) {
    case od::json_type::string: return std::string(std::string_view(v.get_string()));
    case od::json_type::null: return std::nullopt;
    case od::json_type::number:
    case od::json_type::boolean: return std::string(trim(v.raw_json_token()));
    case od::json_type::object: {
      od::object o = v.get_object();
      return std::string(trim(std::string_view(o.raw_json())));
    }
    case od::json_type::array: {
      od::array a = v.get_array();
      return std::string(trim(std::string_view(a.raw_json())));
    }
  }
  return std::nullopt;
}

std::optional<std::string> at(od::object& record, const std::string& pointer) {
  record.reset();
  od::value v;
  if (record.at_pointer(pointer).get(v) != simdjson::SUCCESS) return std::nullopt;
  return scalar_text(v);
}

// Walks the root to its closing bracket (skipping values), so a body cut anywhere is an error
// even where the part we read was complete.
void require_balanced(od::document& doc) {
  doc.rewind();
  if (doc.type() == od::json_type::array) {
    for (auto element : doc.get_array()) element.value();
  } else {
    for (auto field : doc.get_object()) field.unescaped_key().value();
  }
}

Record read_record(od::object& object, const RestStreamSpec& spec) {
  Record r;
  r.json = trim(std::string_view(object.raw_json()));
  std::vector<std::string> parts;
  for (const auto& key : spec.primary_key) {
    auto value = at(object, key);
    if (!value) malformed("a record has no primary key " + key + ": " + std::string(r.json.substr(0, 120)));
    parts.push_back(*value);
  }
  if (parts.size() == 1) {
    r.id = parts[0];
  } else {
    r.id = "[";
    for (size_t i = 0; i < parts.size(); ++i) r.id += (i ? "," : "") + json_quote(parts[i]);
    r.id += "]";
  }
  if (spec.cursor) {
    auto text = at(object, spec.cursor->field);
    if (text) r.updated_at = parse_time(*text, spec.cursor->format);
    if (!r.updated_at) malformed("record " + r.id + " has no readable cursor " + spec.cursor->field);
  }
  return r;
}

}  // namespace

PageReading read_json_page(std::string& body, const RestStreamSpec& spec, const std::string& next_pointer,
                           const std::string& total_pointer, bool missing_is_empty) {
  PageReading out;
  if (!ends_like_json(body)) malformed("the answer is truncated or not JSON");
  try {
    od::document doc = iterate_json(body);
    od::value at;
    // One lookup: after any error but "no such field" the document must not be touched again.
    auto found = spec.records.empty() ? simdjson::SUCCESS : doc.at_pointer(spec.records).get(at);
    bool missing = found == simdjson::NO_SUCH_FIELD;
    if (found != simdjson::SUCCESS && !missing) malformed(simdjson::error_message(found));
    if (missing && !missing_is_empty) malformed("no records at " + spec.records);
    if (missing) {
      // Only the last step may be absent ({"QueryResponse":{}}); a missing envelope is an error.
      auto parent = spec.records.substr(0, spec.records.rfind('/'));
      if (!parent.empty() && doc.at_pointer(parent).get(at) != simdjson::SUCCESS) malformed("no " + parent + " object");
      if (!parent.empty() && at.type() != od::json_type::object) malformed(parent + " is not an object");
    }
    if (!missing) {
      od::array records = spec.records.empty() ? doc.get_array() : at.get_array();
      for (auto element : records) {
        od::object object = element.get_object();
        out.records.push_back(read_record(object, spec));
      }
    }
    if (!next_pointer.empty()) {
      od::value v;
      if (doc.at_pointer(next_pointer).get(v) == simdjson::SUCCESS) {
        auto text = scalar_text(v);
        if (text && !text->empty()) out.next = text;
      }
    }
    if (!total_pointer.empty()) {
      int64_t n = 0;
      if (doc.at_pointer(total_pointer).get_int64().get(n) == simdjson::SUCCESS) out.total = n;
    }
    require_balanced(doc);
  } catch (const simdjson::simdjson_error& e) {
    malformed(std::string(e.what()) + (spec.records.empty() ? " (expected a JSON array of records)"
                                                            : " (reading records at " + spec.records + ")"));
  }
  return out;
}

std::optional<std::string> read_json_value(std::string& body, const std::string& pointer) {
  try {
    od::document doc = iterate_json(body);
    od::value v;
    if (doc.at_pointer(pointer).get(v) != simdjson::SUCCESS) return std::nullopt;
    return scalar_text(v);
  } catch (const simdjson::simdjson_error& e) {
    malformed(e.what());
  }
}

}  // namespace tributary::connectors
