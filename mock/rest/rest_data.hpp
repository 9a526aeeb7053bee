// The generic API's items: generated deterministically from a seed, then changed by touch().
// Not thread-safe; the server guards it with its mutex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mock/common/keyset.hpp"
#include "mock/rest/rest_mock.hpp"

namespace tributary::mock {

struct Item {
  int id = 0;
  std::string name;
  std::vector<std::string> tags;
  std::int64_t updated_us = 0;  // whole milliseconds
  int revision = 0;             // bumps on touch; shows in the name
  std::optional<std::string> raw_payload;  // set_payload(): served verbatim instead of rendered
};

class RestData {
 public:
  // Throws std::invalid_argument when the options cannot describe a data set.
  explicit RestData(const RestMockOptions& options);

  // Rows keyed by key_of(id), so key order is id order and (updated_at, id) is the table order.
  const KeysetTable& table() const { return table_; }
  bool touch(int id, std::int64_t now_us);  // false when the id is unknown
  // From now on the row's JSON is exactly `raw` (through later touches too); false when the id
  // is unknown.
  bool set_payload(int id, std::string raw);

  static std::string key_of(int id);  // zero-padded decimal

 private:
  void render(const Item& item);

  std::vector<Item> items_;  // by id - 1
  KeysetTable table_;
};

}  // namespace tributary::mock
