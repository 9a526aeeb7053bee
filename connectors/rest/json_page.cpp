#include "connectors/rest/json_page.hpp"

#include <simdjson.h>

#include <algorithm>

#include "connectors/json_text.hpp"
#include "connectors/rest/record_checks.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "core/text.hpp"

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

// An error inside a value can leave simdjson's iterator abandoned (no parser behind it): the
// document must not be read again, and the answer is not well-formed JSON.
void require_alive(od::document& doc) {
  if (!doc.is_alive()) malformed("the answer is not well-formed JSON");
}

std::optional<std::string> at(od::document& doc, od::object& record, const std::string& pointer) {
  require_alive(doc);
  record.reset();
  od::value v;
  auto found = record.at_pointer(pointer).get(v);
  require_alive(doc);
  if (found != simdjson::SUCCESS) return std::nullopt;
  return scalar_text(v);
}

// Walks the root to its closing bracket (skipping values), so a body cut anywhere is an error
// even where the part we read was complete.
void require_balanced(od::document& doc) {
  require_alive(doc);
  doc.rewind();
  if (doc.type() == od::json_type::array) {
    for (auto element : doc.get_array()) element.value();
  } else {
    for (auto field : doc.get_object()) field.unescaped_key().value();
  }
}

// jsonb_refusal() refuses only at a byte below 0x20 or after a backslash. Most records hold
// neither (compact JSON without escapes), and showing that 8 bytes at a time spares them its
// byte-by-byte walk, which took half the time of reading a QuickBooks page
// (docs/performance.md, "simdjson").
bool may_be_refused(std::string_view json) { return find_control_or_backslash(json) != std::string_view::npos; }

std::string excerpt(std::string_view json) { return std::string(json.substr(0, 120)); }

// A record that cannot be stored keeps its text and says why; it never fails its page.
// Keys and cursor are looked up first and the record's text taken last: raw_json() then leaves
// the iterator at the record's end, and the array moves on without walking the record again
// (walking the structural index is most of On-Demand's time on a page).
Record read_record(od::document& doc, od::object& object, const RestStreamSpec& spec,
                   const std::vector<size_t>& bad_bytes, const char* body_start) {
  std::vector<std::optional<std::string>> keys;
  for (const auto& key : spec.primary_key) keys.push_back(at(doc, object, key));
  std::optional<std::string> cursor_text;
  if (spec.cursor) cursor_text = at(doc, object, spec.cursor->field);
  require_alive(doc);
  object.reset();
  Record r;
  r.json = trim(std::string_view(object.raw_json()));
  auto reject = [&](std::string why) {
    if (r.reject_reason.empty()) r.reject_reason = std::move(why);
  };
  size_t begin = static_cast<size_t>(r.json.data() - body_start);
  auto bad = std::lower_bound(bad_bytes.begin(), bad_bytes.end(), begin);
  if (bad != bad_bytes.end() && *bad < begin + r.json.size()) reject("invalid UTF-8 at byte " + std::to_string(*bad - begin));
  if (static_cast<long long>(r.json.size()) > spec.max_record_bytes) {
    reject("the record is " + std::to_string(r.json.size()) + " bytes, over the limit of " +
           std::to_string(spec.max_record_bytes) + " (max_record_bytes)");
  }
  if (may_be_refused(r.json)) {
    if (auto refusal = jsonb_refusal(r.json); !refusal.empty()) reject("it holds " + refusal);
  }
  std::vector<std::string> parts;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!keys[i]) reject("no primary key " + spec.primary_key[i] + ": " + excerpt(r.json));
    parts.push_back(keys[i].value_or(""));
  }
  if (parts.size() == 1) {
    r.id = parts[0];
  } else {
    r.id = "[";
    for (size_t i = 0; i < parts.size(); ++i) r.id += (i ? "," : "") + json_quote(parts[i]);
    r.id += "]";
  }
  if (spec.cursor) {
    if (cursor_text) r.updated_at = parse_time(*cursor_text, spec.cursor->format);
    if (!r.updated_at) {
      reject("no readable cursor " + spec.cursor->field +
             (cursor_text ? " ('" + cursor_text->substr(0, 40) + "' is not " + to_string(spec.cursor->format) + ")" : ""));
    }
  }
  return r;
}

// simdjson refuses a whole document with invalid UTF-8; records are judged one by one instead:
// each bad byte becomes '?' (same length, so offsets hold) and the records holding one are
// rejected. Returns the offsets that were replaced.
std::vector<size_t> mask_invalid_utf8(std::string& body) {
  if (simdjson::validate_utf8(body.data(), body.size())) return {};
  auto bad = invalid_utf8_offsets(body);
  for (auto offset : bad) body[offset] = '?';
  return bad;
}

std::string json_type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "unknown";
}

}  // namespace

PageReading read_json_page(std::string& body, const RestStreamSpec& spec, const std::string& next_pointer,
                           const std::string& total_pointer, bool missing_is_empty) {
  PageReading out;
  if (!ends_like_json(body)) malformed("the answer is truncated or not JSON");
  auto bad_bytes = mask_invalid_utf8(body);
  try {
    auto parsed = iterate_json(body);
    od::document& doc = parsed.doc;
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
      auto type = spec.records.empty() ? doc.type().value() : at.type().value();
      if (type != od::json_type::array) {
        malformed(spec.records.empty() ? "the answer is " + json_type_name(type) + ", not an array of records"
                                       : "the value at " + spec.records + " is " + json_type_name(type) +
                                             ", not an array of records (check `records`)");
      }
      od::array records = spec.records.empty() ? doc.get_array() : at.get_array();
      size_t index = 0;
      for (auto element : records) {
        od::object object;
        if (element.get_object().get(object) != simdjson::SUCCESS) {
          malformed("record " + std::to_string(index) + " is not a JSON object");
        }
        out.records.push_back(read_record(doc, object, spec, bad_bytes, body.data()));
        out.records.back().index = static_cast<int>(index);
        ++index;
        require_alive(doc);
      }
    }
    require_alive(doc);
    if (!next_pointer.empty()) {
      od::value v;
      if (doc.at_pointer(next_pointer).get(v) == simdjson::SUCCESS) {
        auto text = scalar_text(v);
        if (text && !text->empty()) out.next = text;
      }
    }
    require_alive(doc);
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
    auto parsed = iterate_json(body);
    od::document& doc = parsed.doc;
    od::value v;
    if (doc.at_pointer(pointer).get(v) != simdjson::SUCCESS) return std::nullopt;
    return scalar_text(v);
  } catch (const simdjson::simdjson_error& e) {
    malformed(e.what());
  }
}

}  // namespace tributary::connectors
