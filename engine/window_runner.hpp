#pragma once
// Drives one claimed window: page by page from its checkpoint, each page, its quarantined
// records and its checkpoint in one transaction; then proves the window complete (a keyset
// walk, or verification sweeps until two agree) and checks the source's count.
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "connectors/connector.hpp"
#include "core/log.hpp"
#include "engine/lease_keeper.hpp"
#include "engine/set_digest.hpp"
#include "engine/source.hpp"
#include "state/window_store.hpp"
#include "warehouse/raw_writer.hpp"

namespace tributary::engine {

struct WorkerContext {
  const connectors::Connector& connector;
  SourceSession& source;
  pqxx::connection& conn;
  http::HttpClient& client;
  state::WindowStore& windows;
  std::string worker;
  long long run_id = 0;
  const StopFlag* stop = nullptr;
  LeaseKeeper* leases = nullptr;  // null: no lease to check (nothing else works the run)
  std::string agent;              // "instance …; worker N", for the User-Agent
};

// One verification sweep. A probing sweep compares every record it sees with raw and loads what
// raw lacks; one that follows a pass whose whole set raw holds only reads the set: if it is the
// same set, nothing can be missing, and if it is not, a probing sweep follows.
struct SweepPass {
  SetDigest keys;  // with versions
  long long loaded = 0;  // raw rows written or records quarantined because raw lacked them
  std::vector<std::string> loaded_sample;
};

// What the paging pass saw, kept in memory (a resumed pass sees only its own pages).
struct PagingPass {
  bool whole = false;  // began at the window's first page in this process
  SetDigest keys;  // with versions: every record seen was written or confirmed in raw
  long long outside = 0;  // records whose cursor lies outside the requested range
  std::string first_outside;
  // The first sweep of a whole pass only reads: it begins once the last page is read, while
  // that page is still being written.
  std::optional<std::future<SweepPass>> first_sweep;
};

class WindowRunner {
 public:
  explicit WindowRunner(WorkerContext ctx)
      : ctx_(std::move(ctx)), ahead_client_(ctx_.connector.config().http),
        user_agent_(ctx_.client.options().user_agent) {}

  // Runs the window to its end and returns the outcome to record. Throws Error for failures
  // that are not the window's verdict (interrupted, auth, database, source after retries).
  state::WindowOutcome run(state::WindowRow& row);

 private:
  // window_runner.cpp: paging and writing.
  state::WindowOutcome run_bound(state::WindowRow& row);
  // Both HTTP handles check the window's lease before each request and name it in their
  // User-Agent; nullptr undoes that.
  void bind_clients(const state::WindowRow* row);
  void page_through(state::WindowRow& row, const connectors::Stream& stream, PagingPass& pass);
  connectors::Page fetch_page(const connectors::SourceRequest& request, const state::WindowRow& row,
                              long long records_before);
  // Fetched and parsed: all that writing it needs. The next page is read this far while the
  // current one is written.
  connectors::Page read_page(http::HttpClient& client, const connectors::Stream& stream,
                             const connectors::SourceRequest& request, const std::string& position,
                             const state::WindowRow& row, long long records_before);
  // Fetches on ahead_client_ in another thread while this one writes; get() rethrows its error.
  template <typename F>
  auto fetch_ahead(F&& fetch) -> std::future<decltype(fetch(std::declval<http::HttpClient&>()))>;
  void confirm_end(const state::WindowRow& row, const connectors::Stream& stream, connectors::Page& page);
  void check_range(const state::WindowRow& row, const connectors::Stream& stream, const connectors::Page& page,
                   PagingPass& pass);
  void commit_page(state::WindowRow& row, const connectors::Stream& stream,
                   const connectors::SourceRequest& request, const std::vector<connectors::Record>& records,
                   const state::PageCheckpoint& checkpoint);
  long long write_records(pqxx::work& txn, const state::WindowRow& row, const connectors::Stream& stream,
                          const warehouse::PageMetadata& meta, const std::vector<connectors::Record>& records,
                          bool refuse_check, long long& rows_changed);
  warehouse::RawTableWriter& writer_for(const std::string& table);

  // window_sweep.cpp: proving the window complete.
  state::WindowOutcome verify(state::WindowRow& row, const connectors::Stream& stream, PagingPass& pass);
  SweepPass sweep(state::WindowRow& row, const connectors::Stream& stream, bool probe);
  void start_first_sweep(const state::WindowRow& row, const connectors::Stream& stream, PagingPass& pass);
  SweepPass sweep_pages(state::WindowRow& row, const connectors::Stream& stream, bool probe);
  SweepPass sweep_ids(state::WindowRow& row, const connectors::Stream& stream, const connectors::IdSweep& ids,
                      bool probe);
  std::vector<std::string> lacking(const state::WindowRow& row, const connectors::Stream& stream,
                                   const std::vector<std::string>& ids,
                                   const std::vector<std::optional<Timestamp>>& updated_at);
  void load_by_ids(state::WindowRow& row, const connectors::Stream& stream, const connectors::IdSweep& ids,
                   const std::vector<std::string>& missing);
  state::WindowOutcome count_check(const state::WindowRow& row, const connectors::Stream& stream,
                                   state::WindowOutcome out, long long verified);
  void keep_lease(const state::WindowRow& row);

  // Unchanged pages read since the window's last checkpoint, not yet checkpointed.
  struct DeferredPages {
    int pages = 0;
    long long records = 0;
    std::chrono::steady_clock::time_point since;
  };
  bool may_defer(const state::PageCheckpoint& cp) const;

  WorkerContext ctx_;
  DeferredPages deferred_;
  http::HttpClient ahead_client_;  // the requests made ahead, so they never share ctx_.client
  std::map<std::string, std::unique_ptr<warehouse::RawTableWriter>> writers_;
  std::string user_agent_;  // the connector's, before a window is named in it
};

// What identifies a record within a pass: its key, or its text when it has none (then it is
// quarantined, and still counts as one of the source's records).
inline std::string_view key_of(const connectors::Record& r) {
  return r.id.empty() ? r.json : std::string_view(r.id);
}

template <typename F>
auto WindowRunner::fetch_ahead(F&& fetch) -> std::future<decltype(fetch(std::declval<http::HttpClient&>()))> {
  return std::async(std::launch::async, [this, fetch = std::forward<F>(fetch), context = log_context()]() mutable {
    set_log_context(context);  // its retries and waits are logged as this window's
    return fetch(ahead_client_);
  });
}

// "stream S, window [a, b), page N" for messages.
std::string where(const state::WindowRow& row, int page);

}  // namespace tributary::engine
