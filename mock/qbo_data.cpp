#include "mock/qbo_data.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "mock/common/record_times.hpp"
#include "mock/qbo_time.hpp"

namespace tributary::mock {
namespace {

constexpr std::int64_t kDay = kSecondsPerDay;

std::int64_t require_time(const std::string& text, const char* what) {
  auto t = parse_utc_option(text);
  if (!t) {
    throw std::invalid_argument(std::string(what) + " must look like 2024-01-01T00:00:00Z, got '" +
                                text + "'");
  }
  return *t;
}

}  // namespace

Dataset::Dataset(const QboMockOptions& options)
    : seed_(options.seed),
      start_utc_(require_time(options.data_start_utc, "data_start_utc")),
      end_utc_(require_time(options.data_end_utc, "data_end_utc")) {
  if (end_utc_ <= start_utc_) throw std::invalid_argument("data_end_utc must be after data_start_utc");
  if (options.customers < 0 || options.invoices < 0 || options.items < 0) {
    throw std::invalid_argument("record counts must not be negative");
  }
  if (options.invoices > 0 && (options.customers == 0 || options.items == 0)) {
    throw std::invalid_argument("invoices need at least one customer and one item");
  }
  catalog_ = build_catalog(seed_, options.customers, options.items);
  generate(EntityKind::Customer, options.customers);
  generate(EntityKind::Item, options.items);
  generate(EntityKind::Invoice, options.invoices);
}

std::optional<EntityKind> Dataset::kind_of(std::string_view entity) {
  if (entity == "Customer") return EntityKind::Customer;
  if (entity == "Invoice") return EntityKind::Invoice;
  if (entity == "Item") return EntityKind::Item;
  return std::nullopt;
}

const char* Dataset::name_of(EntityKind kind) {
  switch (kind) {
    case EntityKind::Customer: return "Customer";
    case EntityKind::Invoice: return "Invoice";
    case EntityKind::Item: return "Item";
  }
  return "";
}

const std::vector<Record>& Dataset::records(EntityKind kind) const {
  return const_cast<Dataset*>(this)->mutable_records(kind);
}

const std::vector<int>& Dataset::by_updated(EntityKind kind) const {
  auto k = static_cast<std::size_t>(kind);
  if (by_updated_stale_[k]) {
    const auto& recs = records(kind);
    auto& index = by_updated_[k];
    index.resize(recs.size());
    std::iota(index.begin(), index.end(), 0);
    std::sort(index.begin(), index.end(), [&](int a, int b) {
      return recs[a].updated_utc != recs[b].updated_utc ? recs[a].updated_utc < recs[b].updated_utc : a < b;
    });
    by_updated_stale_[k] = false;
  }
  return by_updated_[k];
}

std::vector<Record>& Dataset::mutable_records(EntityKind kind) {
  switch (kind) {
    case EntityKind::Customer: return customers_;
    case EntityKind::Invoice: return invoices_;
    case EntityKind::Item: return items_;
  }
  return customers_;
}

void Dataset::generate(EntityKind kind, int count) {
  auto& out = mutable_records(kind);
  out.reserve(count);
  for (int id = 1; id <= count; ++id) {
    Rng rng(mix_seed(seed_, static_cast<std::uint64_t>(kind), id, 0));
    Record r;
    r.id = id;
    r.updated_utc = spread_timestamp(TimeSpread{start_utc_, end_utc_}, id, rng);
    r.create_utc = r.updated_utc - rng.below(45 * kDay);  // CreateTime <= LastUpdatedTime
    if (rng.below(4) == 0) r.sync_token = static_cast<int>(rng.below(4));
    render(kind, r);
    out.push_back(std::move(r));
  }
}

void Dataset::render(EntityKind kind, Record& r) const {
  switch (kind) {
    case EntityKind::Customer: r.json = render_customer(seed_, r, catalog_); break;
    case EntityKind::Invoice: r.json = render_invoice(seed_, r, catalog_); break;
    case EntityKind::Item: r.json = render_item(seed_, r, catalog_); break;
  }
}

Record* Dataset::find(EntityKind kind, int id) {
  auto& recs = mutable_records(kind);
  if (id < 1 || id > static_cast<int>(recs.size())) return nullptr;
  return &recs[id - 1];
}

void Dataset::revise(EntityKind kind, Record& r, std::int64_t now_utc) {
  r.sync_token += 1;
  r.revision += 1;
  r.updated_utc = now_utc;
  by_updated_stale_[static_cast<std::size_t>(kind)] = true;
  generation_ += 1;
  if (r.create_utc > now_utc) r.create_utc = now_utc;  // only with a data range in the future
  render(kind, r);
}

bool Dataset::touch(EntityKind kind, int id, std::int64_t now_utc) {
  Record* r = find(kind, id);
  if (!r || r->deleted) return false;
  revise(kind, *r, now_utc);
  return true;
}

bool Dataset::remove(EntityKind kind, int id, std::int64_t now_utc) {
  Record* r = find(kind, id);
  if (!r || r->deleted) return false;
  r->deleted = true;
  r->updated_utc = now_utc;  // the deleted stub's LastUpdatedTime
  by_updated_stale_[static_cast<std::size_t>(kind)] = true;
  generation_ += 1;
  return true;
}

bool Dataset::restore(EntityKind kind, int id, std::int64_t now_utc) {
  Record* r = find(kind, id);
  if (!r || !r->deleted) return false;
  r->deleted = false;
  revise(kind, *r, now_utc);
  return true;
}

}  // namespace tributary::mock
