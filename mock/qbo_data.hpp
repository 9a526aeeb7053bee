// The mock company's records: generated deterministically from a seed, then mutated by touch(),
// remove() and restore(). Not thread-safe; the server guards it with its state mutex.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mock/common/rng.hpp"
#include "mock/qbo_mock.hpp"

namespace tributary::mock {

enum class EntityKind { Customer, Invoice, Item };

struct Record {
  int id = 0;
  int sync_token = 0;
  int revision = 0;  // bumps on touch; seeds the fields a revision changes
  std::int64_t create_utc = 0;
  std::int64_t updated_utc = 0;  // while deleted: the deletion time
  // A deleted record keeps its slot (Ids index the vector) but only CDC still reports it.
  bool deleted = false;
  std::string json;  // rendered payload, exactly what the API returns while active
};

// The generated names a payload refers to (invoices point at customers and items).
struct Catalog {
  std::vector<std::string> customer_names;  // DisplayName by Id-1
  std::vector<std::string> item_names;
  std::vector<std::int64_t> item_price_cents;
};

class Dataset {
 public:
  // Throws std::invalid_argument when the options cannot describe a company.
  explicit Dataset(const QboMockOptions& options);

  // Exact, case-sensitive QBO entity name, as the query language requires.
  static std::optional<EntityKind> kind_of(std::string_view entity);
  static const char* name_of(EntityKind kind);

  const std::vector<Record>& records(EntityKind kind) const;
  // Indexes into records(kind) ordered by (updated_utc, id), deleted records included, so a
  // LastUpdatedTime range is a binary search instead of a scan (what keeps a million-record
  // mock fast). Built on first use after generation or a mutation.
  const std::vector<int>& by_updated(EntityKind kind) const;
  // Bumps on every touch, remove and restore: a selection computed at another generation is stale.
  std::uint64_t generation() const { return generation_; }
  // SyncToken+1, LastUpdatedTime = now_utc, payload re-rendered. False if the id is unknown.
  // False if the id is unknown or the record is deleted (QBO cannot update a deleted entity).
  bool touch(EntityKind kind, int id, std::int64_t now_utc);
  // Deletes an active record at now_utc. False if the id is unknown or already deleted.
  bool remove(EntityKind kind, int id, std::int64_t now_utc);
  // Brings a deleted record back as touch() would change it. False unless it was deleted.
  bool restore(EntityKind kind, int id, std::int64_t now_utc);

 private:
  void generate(EntityKind kind, int count);
  void render(EntityKind kind, Record& record) const;
  std::vector<Record>& mutable_records(EntityKind kind);
  Record* find(EntityKind kind, int id);
  void revise(EntityKind kind, Record& r, std::int64_t now_utc);

  std::uint64_t seed_;
  std::int64_t start_utc_;
  std::int64_t end_utc_;
  Catalog catalog_;
  std::vector<Record> customers_, invoices_, items_;
  mutable std::array<std::vector<int>, 3> by_updated_;
  mutable std::array<bool, 3> by_updated_stale_{true, true, true};
  std::uint64_t generation_ = 0;
};

// Payload renderers (qbo_payloads.cpp).
std::string render_customer(std::uint64_t seed, const Record& r, const Catalog& catalog);
std::string render_invoice(std::uint64_t seed, const Record& r, const Catalog& catalog);
std::string render_item(std::uint64_t seed, const Record& r, const Catalog& catalog);
Catalog build_catalog(std::uint64_t seed, int customers, int items);

}  // namespace tributary::mock
