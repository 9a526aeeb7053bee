#include "engine/window_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "pg/pg.hpp"

namespace tributary::engine {
namespace {

constexpr int kSweepAttempts = 3;        // a source that keeps changing mid-sweep gets 3 tries
constexpr int kTransactionAttempts = 3;  // serialization failures and deadlocks only

std::string where(const state::WindowRow& row, int page) {
  std::string s = "stream " + row.stream + ", window " + to_string(row.window);
  return page > 0 ? s + ", page " + std::to_string(page) : s;
}

std::string sample(const std::vector<std::string>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size() && i < 10; ++i) out += (i ? ", " : "") + ids[i];
  return ids.size() > 10 ? out + ", ..." : out;
}

}  // namespace

connectors::Page WindowRunner::fetch_page(const connectors::SourceRequest& request) {
  auto response = ctx_.source.fetch(ctx_.client, request.http);
  connectors::Page page;
  page.body = std::move(response.body);
  page.headers = std::move(response.headers);
  return page;
}

warehouse::RawTableWriter& WindowRunner::writer_for(const std::string& table) {
  auto& slot = writers_[table];
  if (!slot) slot = std::make_unique<warehouse::RawTableWriter>(ctx_.conn, table);
  return *slot;
}

state::WindowOutcome WindowRunner::run(state::WindowRow& row) {
  const auto& stream = ctx_.connector.stream(row.stream);
  if (!row.paging_complete) page_through(row, stream);
  if (stream.supports_reconcile()) return reconcile(row, stream);
  return count_only(row, stream);
}

void WindowRunner::page_through(state::WindowRow& row, const connectors::Stream& stream) {
  std::string position = row.next_position;
  std::set<std::string> seen{position};
  for (;;) {
    if (ctx_.stop != nullptr) ctx_.stop->check();
    int page_number = row.next_page_number;
    try {
      auto request = stream.page_request(row.window, position);
      auto page = fetch_page(request);
      stream.parse_page(page, position);
      if (page.next_position && !seen.insert(*page.next_position).second) {
        // A paginator that hands back a token or link it already gave would loop forever.
        throw Error(ErrorKind::data, "the source repeated the pagination position '" + *page.next_position +
                                         "'; stopping instead of looping");
      }
      state::PageCheckpoint cp{.window_id = row.window_id,
                               .worker = ctx_.worker,
                               .next_position = page.next_position.value_or(""),
                               .next_page_number = page_number + 1,
                               .paging_complete = !page.next_position.has_value(),
                               .records = static_cast<long long>(page.records.size()),
                               .reconciled = false};
      commit_page(row, stream, request, page.records, cp);
      spdlog::debug("{}: {} records", where(row, page_number), page.records.size());
      if (!page.next_position) return;
      position = *page.next_position;
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      rethrow_with_context(e, where(row, page_number));
    }
  }
}

void WindowRunner::commit_page(state::WindowRow& row, const connectors::Stream& stream,
                               const connectors::SourceRequest& request,
                               const std::vector<connectors::Record>& records,
                               const state::PageCheckpoint& cp) {
  std::vector<warehouse::RawRecord> raw;
  raw.reserve(records.size());
  for (const auto& r : records) raw.push_back({r.id, r.json, r.updated_at});
  warehouse::PageMetadata meta{ctx_.connector.config().account, row.window, row.next_page_number,
                               stream.config().page_size, request.request_payload, ctx_.run_id, now_utc()};
  auto& writer = writer_for(stream.config().table);
  state::PageCheckpoint checkpoint = cp;
  for (int attempt = 1;; ++attempt) {
    try {
      pqxx::work txn(ctx_.conn);
      checkpoint.rows_changed = writer.write_page(txn, meta, raw);
      ctx_.windows.checkpoint(txn, checkpoint);
      txn.commit();
      break;
    } catch (const pqxx::failure& e) {
      bool retry = pg::is_transient(e) && dynamic_cast<const pqxx::broken_connection*>(&e) == nullptr;
      if (!retry || attempt >= kTransactionAttempts) {
        pg::rethrow_as_database_error(e, "writing " + stream.config().table);
      }
      spdlog::warn("{}: transient database error, retrying the page: {}", where(row, cp.next_page_number - 1), e.what());
    }
  }
  row.next_position = cp.next_position;
  row.next_page_number = cp.next_page_number;
  row.paging_complete = cp.paging_complete;
  row.records_loaded += cp.records;
  row.rows_changed += checkpoint.rows_changed;
  if (cp.reconciled) row.records_reconciled += cp.records;
  else row.pages_loaded += 1;
}

long long WindowRunner::source_count(const Window& window, const connectors::Stream& stream) {
  auto request = stream.count_request(window);
  if (!request) throw Error(ErrorKind::config, "stream " + stream.config().name + " cannot count its records");
  auto response = ctx_.source.fetch(ctx_.client, request->http);
  return stream.parse_count(response);
}

std::vector<connectors::SourceId> WindowRunner::sweep_ids(const Window& window,
                                                          const connectors::Stream& stream) {
  std::vector<connectors::SourceId> ids;
  std::string position;
  std::set<std::string> seen{position};
  for (;;) {
    if (ctx_.stop != nullptr) ctx_.stop->check();
    auto request = stream.id_request(window, position);
    auto response = ctx_.source.fetch(ctx_.client, request.http);
    auto page = stream.parse_ids(response, position);
    std::move(page.ids.begin(), page.ids.end(), std::back_inserter(ids));
    if (!page.next_position) break;
    if (!seen.insert(*page.next_position).second) {
      throw Error(ErrorKind::data, "the id sweep repeated position '" + *page.next_position + "'");
    }
    position = *page.next_position;
  }
  // Offsets shift when records move between id pages; a record seen twice is one record.
  std::sort(ids.begin(), ids.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  ids.erase(std::unique(ids.begin(), ids.end(), [](const auto& a, const auto& b) { return a.id == b.id; }),
            ids.end());
  return ids;
}

void WindowRunner::load_by_ids(state::WindowRow& row, const connectors::Stream& stream,
                               const std::vector<std::string>& ids) {
  size_t batch = static_cast<size_t>(stream.max_ids_per_fetch());
  for (size_t i = 0; i < ids.size(); i += batch) {
    std::vector<std::string> part(ids.begin() + i, ids.begin() + std::min(ids.size(), i + batch));
    auto request = stream.fetch_by_ids_request(part);
    auto page = fetch_page(request);
    stream.parse_page(page, "");
    state::PageCheckpoint cp{.window_id = row.window_id,
                             .worker = ctx_.worker,
                             .next_position = "",
                             .next_page_number = row.next_page_number + 1,
                             .paging_complete = true,
                             .records = static_cast<long long>(page.records.size()),
                             .reconciled = true};
    commit_page(row, stream, request, page.records, cp);
  }
}

state::WindowOutcome WindowRunner::reconcile(state::WindowRow& row, const connectors::Stream& stream) {
  try {
    std::vector<connectors::SourceId> ids;
    long long expected = 0;
    for (int attempt = 1; attempt <= kSweepAttempts; ++attempt) {
      ids = sweep_ids(row.window, stream);
      expected = source_count(row.window, stream);
      if (static_cast<long long>(ids.size()) == expected) break;
      spdlog::warn("{}: the source changed during reconciliation ({} ids swept, count {}); sweeping again",
                   where(row, 0), ids.size(), expected);
    }
    std::vector<std::string> id_list;
    std::vector<Timestamp> updated;
    for (const auto& s : ids) {
      id_list.push_back(s.id);
      updated.push_back(s.updated_at);
    }
    auto& writer = writer_for(stream.config().table);
    auto realm = ctx_.connector.config().account;
    std::vector<std::string> missing;
    { pqxx::work txn(ctx_.conn); missing = writer.missing_or_stale(txn, realm, id_list, updated); }
    if (!missing.empty()) {
      spdlog::info("{}: {} records missed by offset paging; fetching them by id", where(row, 0), missing.size());
      load_by_ids(row, stream, missing);
      pqxx::work txn(ctx_.conn);
      missing = writer.missing_or_stale(txn, realm, id_list, updated);
    }
    state::WindowOutcome out;
    out.expected_count = expected;
    out.verified_count = static_cast<long long>(id_list.size() - missing.size());
    if (*out.verified_count != expected) {
      out.status = state::Status::failed;
      out.error = "volumetry: the source counts " + std::to_string(expected) + " records in " +
                  where(row, 0) + ", raw holds " + std::to_string(*out.verified_count) + " of them" +
                  (missing.empty() ? "" : " (missing ids: " + sample(missing) + ")");
    }
    return out;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "reconciling " + where(row, 0));
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    rethrow_with_context(e, "reconciling " + where(row, 0));
  }
}

state::WindowOutcome WindowRunner::count_only(const state::WindowRow& row, const connectors::Stream& stream) {
  state::WindowOutcome out;
  if (!stream.count_request(row.window)) return out;
  out.expected_count = source_count(row.window, stream);
  out.verified_count = row.records_loaded;
  if (*out.verified_count != *out.expected_count) {
    out.status = state::Status::failed;
    out.restart_paging = true;
    out.error = "volumetry: the source counts " + std::to_string(*out.expected_count) + " records in " +
                where(row, 0) + ", the window loaded " + std::to_string(row.records_loaded);
  }
  return out;
}

}  // namespace tributary::engine
