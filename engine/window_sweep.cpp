// Proving a window complete. A count that matches proves nothing (an update that shifts offsets
// drops one record and lowers the count by one), so offset-like streams page the window again
// and load whatever raw lacks, until two consecutive passes see the same set of keys in the same
// versions and raw holds that set. Keyset-anchored streams are complete by construction.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "engine/window_runner.hpp"
#include "pg/pg.hpp"
#include "state/reject_store.hpp"

namespace tributary::engine {
namespace {

// Passes after paging; a source that changes under every one of them fails the window.
constexpr int kMaxSweeps = 4;

std::string sample(const std::vector<std::string>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size() && i < 10; ++i) out += (i ? ", " : "") + ids[i];
  return ids.size() > 10 ? out + ", ..." : out;
}

void note_loaded(SweepPass& pass, const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    if (pass.loaded_sample.size() < 10) pass.loaded_sample.push_back(id);
  }
}

}  // namespace

// The heartbeat renews the lease through a sweep; this only stops a sweep whose window is lost.
// It never uses this worker's connection (the heartbeat has its own), so a sweep that only reads,
// running beside the page being written, checks too.
void WindowRunner::keep_lease(const state::WindowRow& row) {
  if (ctx_.stop != nullptr) ctx_.stop->check();
  if (ctx_.leases != nullptr) ctx_.leases->check(row.window_id);
}

// Reading the set again needs neither raw nor the checkpoint, so it runs on its own thread (on a
// copy of the row, its requests on HTTP handles paging has finished with) while the last page
// is written. verify() judges the set only once that page has committed.
void WindowRunner::start_first_sweep(const state::WindowRow& row, const connectors::Stream& stream,
                                     PagingPass& pass) {
  if (!pass.whole || stream.guarantee() != connectors::Guarantee::sweep) return;
  auto context = log_context();
  pass.first_sweep = std::async(std::launch::async, [this, copy = state::WindowRow(row), &stream, context]() mutable {
    set_log_context(context);
    return sweep(copy, stream, false);
  });
}

SweepPass WindowRunner::sweep(state::WindowRow& row, const connectors::Stream& stream, bool probe) {
  const auto* ids = stream.id_sweep();
  return ids != nullptr ? sweep_ids(row, stream, *ids, probe) : sweep_pages(row, stream, probe);
}

state::WindowOutcome WindowRunner::verify(state::WindowRow& row, const connectors::Stream& stream,
                                          PagingPass& pass) {
  if (stream.guarantee() != connectors::Guarantee::sweep) {
    return count_check(row, stream, {}, row.records_loaded);
  }
  try {
    // The window is proven when two consecutive passes saw the same records in the same versions
    // and raw holds every one of them. Raw holds what a whole paging pass saw (it wrote or
    // confirmed each record) and what a probing sweep saw (it loaded what raw lacked), so the
    // sweep after either only needs to read the set again: no record is compared with raw.
    std::optional<SetDigest> previous;
    bool previous_held = false;  // raw holds every record the previous pass saw
    if (pass.whole) {
      previous = pass.keys;
      previous_held = true;
    }
    bool recounted = false;  // a count that disagrees with an agreed set gets one more sweep
    for (int sweep = 1; sweep <= kMaxSweeps; ++sweep) {
      bool probe = !previous_held;
      auto current = sweep == 1 && pass.first_sweep ? pass.first_sweep->get() : this->sweep(row, stream, probe);
      if (current.loaded > 0) {
        spdlog::info("{}: verification sweep {} loaded {} record(s) raw lacked ({})", where(row, 0), sweep,
                     current.loaded, sample(current.loaded_sample));
      }
      bool agreed = previous && *previous == current.keys;
      previous = current.keys;
      previous_held = probe;
      if (!agreed) continue;
      state::WindowOutcome out;
      out.sweeps = sweep;
      out = count_check(row, stream, out, static_cast<long long>(current.keys.count));
      if (out.status == state::Status::done || recounted || sweep == kMaxSweeps) return out;
      spdlog::warn("{}: {}; sweeping again", where(row, 0), out.error);
      recounted = true;
    }
    state::WindowOutcome out;
    out.status = state::Status::failed;
    out.sweeps = kMaxSweeps;
    out.error = "verification: " + where(row, 0) + " changed under each of " + std::to_string(kMaxSweeps) +
                " sweeps (no two consecutive passes saw the same records); resume retries it";
    return out;
  } catch (const pqxx::failure& e) {
    pg::rethrow_as_database_error(e, "verifying " + where(row, 0));
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    rethrow_with_context(e, "verifying " + where(row, 0));
  }
}

// The ids raw lacks or holds in an older version, leaving out those quarantined on purpose.
std::vector<std::string> WindowRunner::lacking(const state::WindowRow& row, const connectors::Stream& stream,
                                               const std::vector<std::string>& ids,
                                               const std::vector<std::optional<Timestamp>>& updated_at) {
  if (ids.empty()) return {};
  pqxx::work txn(ctx_.conn);
  auto missing = writer_for(stream.config().table).missing_or_stale(txn, ctx_.connector.config().account, ids, updated_at);
  if (missing.empty()) return missing;
  auto held_back = state::RejectStore::quarantined(txn, row.window_id, missing);
  std::set<std::string> skip(held_back.begin(), held_back.end());
  missing.erase(std::remove_if(missing.begin(), missing.end(), [&](const auto& id) { return skip.count(id) > 0; }),
                missing.end());
  return missing;
}

// Pages the window again with the stream's own requests; writes only what raw lacks.
SweepPass WindowRunner::sweep_pages(state::WindowRow& row, const connectors::Stream& stream, bool probe) {
  SweepPass pass;
  std::string position;
  std::set<std::string> seen{position};
  long long before = 0;
  for (;;) {
    keep_lease(row);
    auto request = stream.page_request(row.window, position);
    auto page = fetch_page(request, row, before);
    stream.parse_page(page, position);
    std::vector<std::string> ids;
    std::vector<std::optional<Timestamp>> updated;
    for (const auto& r : page.records) {
      pass.keys.add(key_of(r), version_of(r.updated_at));
      if (!probe || !r.reject_reason.empty()) continue;
      ids.push_back(r.id);
      updated.push_back(r.updated_at);
    }
    auto missing = lacking(row, stream, ids, updated);
    std::set<std::string> wanted(missing.begin(), missing.end());
    std::vector<connectors::Record> load;
    for (const auto& r : page.records) {
      if ((probe && !r.reject_reason.empty()) || wanted.count(r.id) > 0) load.push_back(r);
    }
    if (!load.empty()) {
      state::PageCheckpoint cp{row.window_id, ctx_.worker, "", row.next_page_number, true,
                               static_cast<long long>(missing.size()), true};
      auto rejected_before = row.records_rejected;
      commit_page(row, stream, request, load, cp);
      pass.loaded += static_cast<long long>(missing.size()) + (row.records_rejected - rejected_before);
      note_loaded(pass, missing);
    }
    before += static_cast<long long>(page.records.size());
    if (!page.next_position) return pass;
    if (!seen.insert(*page.next_position).second) {
      throw Error(ErrorKind::data, "the verification sweep repeated position '" + *page.next_position + "'");
    }
    position = *page.next_position;
  }
}

// Lists the window's ids (QuickBooks: SELECT Id, MetaData.LastUpdatedTime) and fetches by id
// what raw lacks.
SweepPass WindowRunner::sweep_ids(state::WindowRow& row, const connectors::Stream& stream,
                                  const connectors::IdSweep& id_sweep, bool probe) {
  SweepPass pass;
  std::set<std::string> seen{""};
  // Each page of ids is fetched while the one before is compared with raw.
  auto ids_at = [&](const std::string& position) {
    return fetch_ahead([&, position](http::HttpClient& client) {
      auto response = ctx_.source.fetch(client, id_sweep.id_request(row.window, position).http);
      return id_sweep.parse_ids(response, position);
    });
  };
  auto ahead = ids_at("");
  for (;;) {
    keep_lease(row);
    auto page = ahead.get();
    if (page.next_position) {
      if (!seen.insert(*page.next_position).second) {
        throw Error(ErrorKind::data, "the id sweep repeated position '" + *page.next_position + "'");
      }
      ahead = ids_at(*page.next_position);
    }
    std::vector<std::string> ids;
    std::vector<std::optional<Timestamp>> updated;
    for (const auto& s : page.ids) {
      pass.keys.add(s.id, version_of(s.updated_at));
      if (!probe) continue;
      ids.push_back(s.id);
      updated.push_back(s.updated_at);
    }
    auto missing = lacking(row, stream, ids, updated);
    if (!missing.empty()) {
      load_by_ids(row, stream, id_sweep, missing);
      pass.loaded += static_cast<long long>(missing.size());
      note_loaded(pass, missing);
    }
    if (!page.next_position) return pass;
  }
}

void WindowRunner::load_by_ids(state::WindowRow& row, const connectors::Stream& stream,
                               const connectors::IdSweep& id_sweep, const std::vector<std::string>& ids) {
  size_t batch = static_cast<size_t>(std::max(1, id_sweep.max_ids_per_fetch()));
  for (size_t i = 0; i < ids.size(); i += batch) {
    std::vector<std::string> part(ids.begin() + static_cast<long>(i),
                                  ids.begin() + static_cast<long>(std::min(ids.size(), i + batch)));
    auto request = id_sweep.fetch_by_ids_request(part);
    auto page = fetch_page(request, row, 0);
    stream.parse_page(page, "");
    state::PageCheckpoint cp{row.window_id, ctx_.worker, "", row.next_page_number, true,
                             static_cast<long long>(page.records.size()), true};
    commit_page(row, stream, request, page.records, cp);
  }
}

// The source's own count, when the stream declares one: an extra check, never the proof.
state::WindowOutcome WindowRunner::count_check(const state::WindowRow& row, const connectors::Stream& stream,
                                               state::WindowOutcome out, long long verified) {
  out.verified_count = verified;
  auto request = stream.count_request(row.window);
  if (!request) return out;
  auto response = ctx_.source.fetch(ctx_.client, request->http);
  out.expected_count = stream.parse_count(response);
  if (*out.expected_count == verified) return out;
  out.status = state::Status::failed;
  out.restart_paging = stream.guarantee() != connectors::Guarantee::sweep;
  out.error = "volumetry: the source counts " + std::to_string(*out.expected_count) + " records in " +
              where(row, 0) + ", the window holds " + std::to_string(verified) +
              (row.records_rejected ? " (" + std::to_string(row.records_rejected) + " of them quarantined)" : "");
  return out;
}

}  // namespace tributary::engine
