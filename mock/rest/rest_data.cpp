#include "mock/rest/rest_data.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "mock/common/json_writer.hpp"
#include "mock/common/record_times.hpp"
#include "mock/common/rfc3339.hpp"
#include "mock/common/rng.hpp"

namespace tributary::mock {
namespace {

constexpr std::int64_t kMicrosPerMilli = 1000;
// Every 25th item sits on a UTC midnight; every 20th (offset 10) shares the previous item's
// updated_at exactly, so pages must break ties on the id.
constexpr int kMidnightEvery = 25;
constexpr int kTieEvery = 20;

const char* const kAdjectives[] = {"Amber", "Brisk", "Café", "Dusky", "Eager", "Zoë's", "O'Hara's", "Quiet"};
const char* const kNouns[] = {"Falcon", "Lantern", "Harbor", "Meadow", "Anvil", "Comet", "Ledger"};
const char* const kTags[] = {"alpha", "beta", "gamma", "delta", "ops", "ünïcode"};

std::string render_item(const Item& item) {
  JsonWriter w;
  std::string name = item.revision == 0 ? item.name : item.name + " (rev " + std::to_string(item.revision) + ")";
  w.begin_object().field("id", item.id).field("name", name);
  w.field("updated_at", format_rfc3339_ms(item.updated_us)).key("tags").begin_array();
  for (const auto& tag : item.tags) w.str(tag);
  w.end_array().end_object();
  return w.take();
}

std::string render_deletion(int id, std::int64_t deleted_us) {
  JsonWriter w;
  w.begin_object().field("id", id).field("deleted_at", format_rfc3339_ms(deleted_us)).end_object();
  return w.take();
}

// The API prints whole milliseconds, so changes are stamped at whole milliseconds.
std::int64_t to_millis(std::int64_t us) { return floor_div(us, kMicrosPerMilli) * kMicrosPerMilli; }

}  // namespace

RestData::RestData(const RestMockOptions& o) {
  std::int64_t start = require_time_option_us(o.data_start_utc, "data_start_utc");
  std::int64_t end = require_time_option_us(o.data_end_utc, "data_end_utc");
  if (end <= start) throw std::invalid_argument("data_end_utc must be after data_start_utc");
  if (o.records < 0) throw std::invalid_argument("records must not be negative");
  // Whole milliseconds, as the API prints them.
  start = floor_div(start + kMicrosPerMilli - 1, kMicrosPerMilli) * kMicrosPerMilli;
  TimeSpread spread{start, end, kMicrosPerSecond, kMicrosPerMilli, kMidnightEvery};
  for (int id = 1; id <= o.records; ++id) {
    Rng rng(mix_seed(o.seed, 21, id, 0));
    Item item;
    item.id = id;
    item.name = std::string(rng.pick(kAdjectives)) + " " + rng.pick(kNouns) + " " + std::to_string(id);
    for (std::int64_t n = rng.below(4), i = 0; i < n; ++i) {
      const char* tag = rng.pick(kTags);
      if (std::find(item.tags.begin(), item.tags.end(), tag) == item.tags.end()) item.tags.emplace_back(tag);
    }
    item.updated_us = (id % kTieEvery == kTieEvery / 2) ? items_.back().updated_us : spread_timestamp(spread, id, rng);
    items_.push_back(item);
    render(items_.back());
  }
}

std::string RestData::key_of(int id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%010d", id);
  return buf;
}

Item* RestData::find(int id) {
  if (id < 1 || id > static_cast<int>(items_.size())) return nullptr;
  return &items_[id - 1];
}

void RestData::render(const Item& item) {
  if (item.deleted_us) {
    deleted_.upsert(TableRow{key_of(item.id), *item.deleted_us, render_deletion(item.id, *item.deleted_us)});
    return;
  }
  table_.upsert(TableRow{key_of(item.id), item.updated_us, item.raw_payload ? *item.raw_payload : render_item(item)});
}

void RestData::rebuild() {
  table_ = KeysetTable();
  deleted_ = KeysetTable();
  for (const Item& item : items_) render(item);
}

bool RestData::touch(int id, std::int64_t now_us) {
  Item* item = find(id);
  if (!item || item->deleted_us) return false;  // a removed record does not exist to the API
  item->revision += 1;
  item->updated_us = to_millis(now_us);
  render(*item);
  return true;
}

void RestData::remove(const std::vector<int>& ids, std::int64_t now_us) {
  bool changed = false;
  for (int id : ids) {
    Item* item = find(id);
    if (!item || item->deleted_us) continue;
    item->deleted_us = to_millis(now_us);
    changed = true;
  }
  if (changed) rebuild();
}

void RestData::restore(const std::vector<int>& ids, std::int64_t now_us) {
  bool changed = false;
  for (int id : ids) {
    Item* item = find(id);
    if (!item || !item->deleted_us) continue;
    item->deleted_us.reset();
    item->revision += 1;
    item->updated_us = to_millis(now_us);
    changed = true;
  }
  if (changed) rebuild();
}

bool RestData::set_payload(int id, std::string raw) {
  Item* item = find(id);
  if (!item) return false;
  item->raw_payload = std::move(raw);  // a removed record keeps it for when it is restored
  render(*item);
  return true;
}

}  // namespace tributary::mock
