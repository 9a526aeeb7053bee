#include "connectors/rest/json_page.hpp"

#include <simdjson.h>

#include "core/error.hpp"
#include "core/json.hpp"

namespace tributary::connectors {
namespace {

namespace od = simdjson::ondemand;

od::parser& thread_parser() {
  thread_local od::parser parser;
  return parser;
}

od::document iterate(std::string& body) {
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return thread_parser().iterate(simdjson::padded_string_view(body.data(), body.size(), body.capacity()));
}

[[noreturn]] void malformed(const std::string& what) { throw Error(ErrorKind::data, "malformed answer: " + what); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

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
  // On-demand parsing never looks at what it does not consume: refuse a body cut short.
  auto tail = trim(body);
  if (tail.empty() || (tail.back() != '}' && tail.back() != ']')) malformed("the answer is truncated or not JSON");
  try {
    od::document doc = iterate(body);
    od::value at;
    bool missing = !spec.records.empty() && doc.at_pointer(spec.records).get(at) == simdjson::NO_SUCH_FIELD;
    if (missing && !missing_is_empty) malformed("no records at " + spec.records);
    if (!missing) {
      od::array records = spec.records.empty() ? doc.get_array() : doc.at_pointer(spec.records).get_array();
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
  } catch (const simdjson::simdjson_error& e) {
    malformed(std::string(e.what()) + (spec.records.empty() ? " (expected a JSON array of records)"
                                                            : " (reading records at " + spec.records + ")"));
  }
  return out;
}

std::optional<std::string> read_json_value(std::string& body, const std::string& pointer) {
  try {
    od::document doc = iterate(body);
    od::value v;
    if (doc.at_pointer(pointer).get(v) != simdjson::SUCCESS) return std::nullopt;
    return scalar_text(v);
  } catch (const simdjson::simdjson_error& e) {
    malformed(e.what());
  }
}

}  // namespace tributary::connectors
