#pragma once
// QuickBooks Online as the extension of a connector file (`extension: quickbooks`, each stream
// `quickbooks: {entity: Invoice}`): its query language pages and counts a window and lists its
// ids (SELECT Id) so the sweep can fetch by id what offset paging missed; its Change Data
// Capture endpoint reports deletions; its Fault bodies are read into one line. The generic REST
// stream still builds every request (auth, parameters, request_payload) and reads the records.
#include <memory>

#include "connectors/connector.hpp"
#include "connectors/rest/rest_stream.hpp"

namespace tributary::connectors::qbo {

// Intuit keeps 30 days of changes for CDC, and one answer holds at most 1000 objects.
constexpr int kCdcMaxObjects = 1000;
constexpr int kCdcMaxDays = 30;

class QboStream final : public Stream, public IdSweep, public DeletionFeed {
 public:
  // Throws Error(config) at the stream's `quickbooks:` settings when they are wrong.
  QboStream(const ConnectorConfig& connector, const StreamConfig& stream);
  const StreamConfig& config() const override { return rest_.config(); }
  Guarantee guarantee() const override { return Guarantee::sweep; }

  SourceRequest page_request(const Window& window, const std::string& position) const override;
  void parse_page(Page& page, const std::string& position) const override;
  // QuickBooks has no next token: a short page is the end, never confirmed again.
  std::optional<std::string> confirm_end(const EndCheck&, Page&) const override { return std::nullopt; }
  std::optional<Window> requested_range(const Window& window) const override { return rest_.requested_range(window); }
  Duration window_step() const override { return rest_.window_step(); }
  bool load_out_of_window() const override { return rest_.load_out_of_window(); }
  std::optional<SourceRequest> count_request(const Window& window) const override;
  long long parse_count(http::HttpResponse& response) const override;

  const IdSweep* id_sweep() const override { return this; }
  SourceRequest id_request(const Window& window, const std::string& position) const override;
  IdPage parse_ids(http::HttpResponse& response, const std::string& position) const override;
  SourceRequest fetch_by_ids_request(const std::vector<std::string>& ids) const override;
  int max_ids_per_fetch() const override { return 100; }

  const DeletionFeed* deletion_feed() const override { return cdc_ ? this : nullptr; }
  std::optional<Duration> max_lookback() const override { return boost::posix_time::hours(24 * kCdcMaxDays); }
  SourceRequest deletions_request(const Window& range, const std::string& position) const override;
  DeletionPage parse_deletions(Page& answer, const std::string& position) const override;

 private:
  long start_position(const std::string& position) const;
  SourceRequest query(const Window& window, const std::string& statement, int page_size) const;

  RestStream rest_;  // the generic stream: requests, record reading, window formats
  std::string entity_;
  std::unique_ptr<RestStream> cdc_;  // GET .../cdc with the stream's parameters; null: `deletions: none`
};

// The extension registered as "quickbooks" (connectors/registry.cpp).
const Extension& extension();

}  // namespace tributary::connectors::qbo
