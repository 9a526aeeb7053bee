// Minimal JSON writing for the mocks' payloads: payloads are built field by field, so a writer
// that tracks commas is all that is needed (parsing uses simdjson).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tributary::mock {

// JSON string literal with quotes; UTF-8 passes through, control characters are escaped.
std::string json_quote(std::string_view s);

// "[a,b,c]" from items whose already-serialized JSON `json_of(item)` returns.
template <typename Items, typename JsonOf>
std::string join_json_array(const Items& items, JsonOf json_of) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += json_of(item);
  }
  return out + "]";
}

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& str(std::string_view v);
  JsonWriter& num(std::int64_t v);
  JsonWriter& boolean(bool v);
  JsonWriter& raw(std::string_view json);  // already-serialized value (numbers, objects)

  // Shorthands for "key": value
  JsonWriter& field(std::string_view k, std::string_view v) { return key(k).str(v); }
  JsonWriter& field(std::string_view k, const char* v) { return key(k).str(v); }
  JsonWriter& field(std::string_view k, std::int64_t v) { return key(k).num(v); }
  JsonWriter& field(std::string_view k, int v) { return key(k).num(v); }
  JsonWriter& field(std::string_view k, bool v) { return key(k).boolean(v); }
  JsonWriter& field_raw(std::string_view k, std::string_view json) { return key(k).raw(json); }

  JsonWriter& reserve(std::size_t bytes) {
    out_.reserve(bytes);
    return *this;
  }
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void separate();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace tributary::mock
