#pragma once
// Drives one claimed window: page by page from its checkpoint, each page and its checkpoint in
// one transaction; then reconciliation and volumetry.
#include <map>
#include <memory>
#include <string>

#include "connectors/connector.hpp"
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
};

class WindowRunner {
 public:
  explicit WindowRunner(WorkerContext ctx) : ctx_(std::move(ctx)) {}

  // Runs the window to its end and returns the outcome to record. Throws Error for failures
  // that are not the window's verdict (interrupted, auth, database, source after retries).
  state::WindowOutcome run(state::WindowRow& row);

 private:
  void page_through(state::WindowRow& row, const connectors::Stream& stream);
  state::WindowOutcome reconcile(state::WindowRow& row, const connectors::Stream& stream);
  state::WindowOutcome count_only(const state::WindowRow& row, const connectors::Stream& stream);
  std::vector<connectors::SourceId> sweep_ids(const Window& window, const connectors::Stream& stream);
  long long source_count(const Window& window, const connectors::Stream& stream);
  void load_by_ids(state::WindowRow& row, const connectors::Stream& stream,
                   const std::vector<std::string>& ids);
  void commit_page(state::WindowRow& row, const connectors::Stream& stream,
                   const connectors::SourceRequest& request, const std::vector<connectors::Record>& records,
                   const state::PageCheckpoint& checkpoint);
  warehouse::RawTableWriter& writer_for(const std::string& table);
  connectors::Page fetch_page(const connectors::SourceRequest& request);

  WorkerContext ctx_;
  std::map<std::string, std::unique_ptr<warehouse::RawTableWriter>> writers_;
};

}  // namespace tributary::engine
