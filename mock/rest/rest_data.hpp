// The generic API's items: generated deterministically from a seed, then changed by touch(),
// remove() and restore(). Not thread-safe; the server guards it with its mutex.
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
  std::optional<std::int64_t> deleted_us;  // remove(): gone from /items, listed in the feed
};

class RestData {
 public:
  // Throws std::invalid_argument when the options cannot describe a data set.
  explicit RestData(const RestMockOptions& options);

  // Rows keyed by key_of(id), so key order is id order and (updated_at, id) is the table order.
  const KeysetTable& table() const { return table_; }
  // The deletion feed: rows keyed by key_of(id) at their deletion time, so (deleted_at, id) is
  // the table order; each row's JSON is {"id":N,"deleted_at":"..."}.
  const KeysetTable& deleted() const { return deleted_; }
  bool touch(int id, std::int64_t now_us);  // false when the id is unknown or removed
  // Live ids leave table() for deleted() at now_us; unknown and already removed ids are ignored
  // (a record is deleted once, at its first removal).
  void remove(const std::vector<int>& ids, std::int64_t now_us);
  // Removed ids come back as touch() leaves them; unknown and live ids are ignored.
  void restore(const std::vector<int>& ids, std::int64_t now_us);
  // From now on the row's JSON is exactly `raw` (through later touches too); false when the id
  // is unknown.
  bool set_payload(int id, std::string raw);

  static std::string key_of(int id);  // zero-padded decimal

 private:
  Item* find(int id);
  void render(const Item& item);  // into the table its state belongs in
  void rebuild();                 // both tables afresh: KeysetTable cannot drop a row

  std::vector<Item> items_;  // by id - 1
  KeysetTable table_;
  KeysetTable deleted_;
};

}  // namespace tributary::mock
