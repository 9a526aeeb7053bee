#include "engine/window_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <set>
#include <utility>

#include "core/log.hpp"
#include "core/text.hpp"
#include "pg/pg.hpp"
#include "state/reject_store.hpp"

namespace tributary::engine {
namespace {

constexpr int kTransactionAttempts = 3;  // serialization failures and deadlocks only

// How many unchanged pages, or for how long, a window reads before it checkpoints them.
constexpr int kDeferredPages = 16;
constexpr auto kDeferredTime = std::chrono::seconds(5);

long long millis_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

SetDigest digest_of(const std::vector<connectors::Record>& records) {
  SetDigest d;
  for (const auto& r : records) d.add(key_of(r));
  return d;
}

}  // namespace

std::string where(const state::WindowRow& row, int page) {
  std::string s = "stream " + row.stream + ", window " + to_string(row.window);
  return page > 0 ? s + ", page " + std::to_string(page) : s;
}

connectors::Page WindowRunner::fetch_page(const connectors::SourceRequest& request, const state::WindowRow& row,
                                          long long records_before) {
  return ctx_.source.fetch_page(ctx_.client, request, row.window, records_before);
}

connectors::Page WindowRunner::read_page(http::HttpClient& client, const connectors::Stream& stream,
                                         const connectors::SourceRequest& request, const std::string& position,
                                         const state::WindowRow& row, long long records_before) {
  auto page = ctx_.source.fetch_page(client, request, row.window, records_before);
  // Its records will point into the body, and the page moves to the writing thread: a body
  // short enough for std::string's inline buffer would move by copy and leave them dangling.
  page.body.reserve(std::max<size_t>(page.body.size(), 64));
  stream.parse_page(page, position);
  return page;
}

warehouse::RawTableWriter& WindowRunner::writer_for(const std::string& table) {
  auto& slot = writers_[table];
  if (!slot) slot = std::make_unique<warehouse::RawTableWriter>(ctx_.conn, table);
  return *slot;
}

void WindowRunner::bind_clients(const state::WindowRow* row) {
  for (auto* client : {&ctx_.client, &ahead_client_}) {
    if (row == nullptr) {
      client->set_before_request(nullptr);
      client->set_user_agent(user_agent_);
      continue;
    }
    auto id = row->window_id;
    client->set_before_request([this, id] {
      if (ctx_.leases != nullptr) ctx_.leases->check(id);
    });
    client->set_user_agent(user_agent_ + " (" + ctx_.agent + "; window " + std::to_string(id) + ")");
  }
}

state::WindowOutcome WindowRunner::run(state::WindowRow& row) {
  bind_clients(&row);
  try {
    auto out = run_bound(row);
    bind_clients(nullptr);
    return out;
  } catch (...) {
    bind_clients(nullptr);
    throw;
  }
}

state::WindowOutcome WindowRunner::run_bound(state::WindowRow& row) {
  const auto& stream = ctx_.connector.stream(row.stream);
  PagingPass pass;
  pass.whole = !row.paging_complete && row.next_position.empty() && row.pages_loaded == 0;
  if (!row.paging_complete) page_through(row, stream, pass);
  state::WindowOutcome out;
  if (pass.outside > 0) {
    auto range = stream.requested_range(row.window);
    std::string what = std::to_string(pass.outside) + " record(s) with a cursor outside the range asked for " +
                       (range ? to_string(*range) : std::string("?")) + ", the first " + pass.first_outside;
    if (stream.load_out_of_window()) {
      spdlog::info("{}: {} (loaded: out_of_window: load)", where(row, 0), what);
    } else {
      out.status = state::Status::failed;
      out.restart_paging = true;
      out.error = where(row, 0) + ": " + what + ". The API's filter and the window format disagree (compare "
                  "`window.format` with how the API compares times), or the filter is on another field than "
                  "the cursor (then declare out_of_window: load)";
    }
  }
  if (out.status != state::Status::failed) out = verify(row, stream, pass);
  if (out.status == state::Status::done && row.records_rejected > 0) out.status = state::Status::done_with_rejects;
  out.guarantee = connectors::to_string(stream.guarantee());
  return out;
}

// The next page is fetched while this one is written: the source and PostgreSQL work at the
// same time, and at most two pages are held. Nothing about the next page reaches state before
// this page's checkpoint commits, so a kill at any instant loses nothing.
void WindowRunner::page_through(state::WindowRow& row, const connectors::Stream& stream, PagingPass& pass) {
  deferred_ = {};
  std::string position = row.next_position;
  std::set<std::string> seen{position};
  std::optional<SetDigest> previous_page;
  long long before = row.records_loaded - row.records_reconciled;
  std::optional<std::future<connectors::Page>> ahead;  // the page at `position`, on its way
  for (;;) {
    if (ctx_.stop != nullptr) ctx_.stop->check();
    int page_number = row.next_page_number;
    try {
      auto request = stream.page_request(row.window, position);
      auto asked = std::chrono::steady_clock::now();
      auto page = ahead ? std::exchange(ahead, std::nullopt)->get()
                        : read_page(ctx_.client, stream, request, position, row, before);
      auto fetched = std::chrono::steady_clock::now();
      auto this_page = digest_of(page.records);
      if (!page.records.empty() && previous_page == this_page) {
        throw Error(ErrorKind::data, "the source answered with the same records as the page before; it repeats "
                                     "a page (past its end?): declare the paginator's total, or use a paginator "
                                     "whose end the API signals (docs/connectors.md, \"Where paging ends\")");
      }
      previous_page = this_page;
      if (page.next_position && !seen.insert(*page.next_position).second) {
        // A paginator that hands back a token or link it already gave would loop forever.
        throw Error(ErrorKind::data, "the source repeated the pagination position '" + *page.next_position +
                                         "'; stopping instead of looping");
      }
      check_range(row, stream, page, pass);
      if (!page.next_position && page.end_check) confirm_end(row, stream, page);
      for (const auto& r : page.records) pass.keys.add(key_of(r), version_of(r.updated_at));
      if (page.next_position && !page.end_check) {
        auto next = stream.page_request(row.window, *page.next_position);
        auto next_before = before + static_cast<long long>(page.records.size());
        ahead = fetch_ahead([this, &stream, next = std::move(next), next_position = *page.next_position, &row,
                             next_before](http::HttpClient& client) {
          return read_page(client, stream, next, next_position, row, next_before);
        });
      }
      state::PageCheckpoint cp{.window_id = row.window_id,
                               .worker = ctx_.worker,
                               .next_position = page.next_position.value_or(""),
                               .next_page_number = page_number + 1,
                               .paging_complete = !page.next_position.has_value(),
                               .records = static_cast<long long>(page.records.size()),
                               .reconciled = false};
      if (!page.next_position) start_first_sweep(row, stream, pass);
      auto parsed = std::chrono::steady_clock::now();
      commit_page(row, stream, request, page.records, cp);
      // Where a page's time goes: waiting for the source and reading its answer (beyond what
      // reading ahead hid), checking it, writing it with its checkpoint.
      spdlog::debug("{}: {} records; waited {} ms for the page, checked it in {} ms, wrote it in {} ms",
                    where(row, page_number), page.records.size(), millis_between(asked, fetched),
                    millis_between(fetched, parsed), millis_between(parsed, std::chrono::steady_clock::now()));
      before += static_cast<long long>(page.records.size());
      // The page after next is read into this one's buffer: nothing reads its records again.
      ahead_client_.give_back(std::move(page.body));
      if (!page.next_position) return;
      position = *page.next_position;
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      rethrow_with_context(e, where(row, page_number));
    }
  }
}

void WindowRunner::confirm_end(const state::WindowRow& row, const connectors::Stream& stream, connectors::Page& page) {
  auto answer = fetch_page(page.end_check->request, row, 0);
  if (auto problem = stream.confirm_end(*page.end_check, answer)) {
    throw Error(ErrorKind::data, "paging ended on a full page, and one more request contradicts it: " + *problem);
  }
}

void WindowRunner::check_range(const state::WindowRow& row, const connectors::Stream& stream,
                               const connectors::Page& page, PagingPass& pass) {
  auto range = stream.requested_range(row.window);
  if (!range) return;
  for (const auto& r : page.records) {
    if (!r.updated_at || (*r.updated_at >= range->start && *r.updated_at < range->end)) continue;
    if (pass.outside++ == 0) {
      pass.first_outside = "id " + r.id + " at " + format_utc_micros(*r.updated_at) + " (page " +
                           std::to_string(row.next_page_number) + ", record " + std::to_string(r.index) + ")";
    }
  }
}

void WindowRunner::commit_page(state::WindowRow& row, const connectors::Stream& stream,
                               const connectors::SourceRequest& request,
                               const std::vector<connectors::Record>& records, const state::PageCheckpoint& cp) {
  warehouse::PageMetadata meta{ctx_.connector.config().account, row.window, row.next_page_number,
                               stream.config().page_size, request.request_payload, ctx_.run_id, now_utc()};
  state::PageCheckpoint checkpoint = cp;
  bool refuse_check = false;  // after a data error: find the records PostgreSQL refuses, one by one
  for (int attempt = 1;; ++attempt) {
    // A lost window is written no more (the checkpoint's fence would refuse it anyway).
    if (ctx_.leases != nullptr) ctx_.leases->check(row.window_id);
    const auto sent = std::chrono::steady_clock::now();
    try {
      pqxx::work txn(ctx_.conn);
      long long changed = 0;
      checkpoint.rejected = write_records(txn, row, stream, meta, records, refuse_check, changed);
      checkpoint.rows_changed = changed;
      if (may_defer(checkpoint)) {
        txn.commit();  // it only read
        if (deferred_.pages++ == 0) deferred_.since = std::chrono::steady_clock::now();
        deferred_.records += checkpoint.records;
        break;
      }
      auto with_deferred = checkpoint;
      with_deferred.records += deferred_.records;
      with_deferred.pages += deferred_.pages;
      ctx_.windows.checkpoint(txn, with_deferred);
      txn.commit();
      deferred_ = {};
      if (ctx_.leases != nullptr) ctx_.leases->renewed(row.window_id, sent);
      break;
    } catch (const pqxx::data_exception& e) {
      if (refuse_check) pg::rethrow_as_database_error(e, "writing " + stream.config().table);
      spdlog::warn("{}: PostgreSQL refused the page ({}); finding the records it refuses",
                   where(row, cp.next_page_number - 1), one_line(e.what(), 200));
      refuse_check = true;
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
  row.records_rejected += checkpoint.rejected;
  if (cp.reconciled) row.records_reconciled += cp.records;
  else row.pages_loaded += 1;
}

// A page of paging that wrote and quarantined nothing commits no checkpoint of its own: it goes
// with the next one (at most kDeferredPages, kDeferredTime later, and always with the window's
// last page). A re-run over unchanged data then flushes no WAL for most pages; a kill meanwhile
// only means reading those pages again, since they wrote nothing.
bool WindowRunner::may_defer(const state::PageCheckpoint& cp) const {
  if (cp.rows_changed != 0 || cp.rejected != 0 || cp.paging_complete || cp.reconciled) return false;
  if (deferred_.pages + 1 >= kDeferredPages) return false;
  return deferred_.pages == 0 || std::chrono::steady_clock::now() - deferred_.since < kDeferredTime;
}

long long WindowRunner::write_records(pqxx::work& txn, const state::WindowRow& row, const connectors::Stream& stream,
                                      const warehouse::PageMetadata& meta,
                                      const std::vector<connectors::Record>& records, bool refuse_check,
                                      long long& rows_changed) {
  std::vector<warehouse::RawRecord> good;
  std::vector<const connectors::Record*> good_source;
  std::vector<state::RejectedRecord> bad;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.reject_reason.empty()) {
      good.push_back({r.id, r.json, r.updated_at});
      good_source.push_back(&r);
    } else {
      bad.push_back({r.id, r.index, r.reject_reason, r.json});
    }
  }
  auto& writer = writer_for(stream.config().table);
  if (refuse_check) {
    auto refused = writer.refused(txn, good);
    for (auto it = refused.rbegin(); it != refused.rend(); ++it) {
      const auto* r = good_source[it->first];
      bad.push_back({r->id, r->index, it->second, r->json});
      good.erase(good.begin() + static_cast<long>(it->first));
    }
  }
  auto written = writer.write_page(txn, meta, good);
  rows_changed = written.changed;
  if (written.changed < written.staged) {
    // Unchanged records are skipped silently; a record older than raw's version is worth a word.
    auto older = writer.older_than_raw(txn, meta.account);
    if (!older.empty()) {
      spdlog::warn("{}: {} record(s) arrived older than the version raw holds (their updated-at went backwards, or a "
                   "stale copy came late); raw keeps the newer one: {}{}", where(row, meta.page_number), older.size(),
                   older.front(), older.size() > 1 ? ", ..." : "");
    }
  }
  auto added = state::RejectStore::add(txn, ctx_.run_id, row.window_id, row.stream, meta.page_number, bad);
  for (const auto& b : bad) {
    spdlog::warn("{}: record {} ({}) quarantined: {}", where(row, meta.page_number), b.record_index,
                 b.record_id.empty() ? "no key" : "id " + b.record_id, b.reason);
  }
  return added;
}

}  // namespace tributary::engine
