#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tributary {

// A JSON string literal, quotes included.
std::string json_quote(std::string_view text);

// {"k":"v",...} from string pairs; values already JSON when `raw` is set for them.
struct JsonField {
  std::string key;
  std::string value;
  bool raw = false;
};
std::string json_object(const std::vector<JsonField>& fields);

}  // namespace tributary
