#pragma once
// QuickBooks Online Accounting API: query endpoint, offset paging, id-sweep reconciliation.
#include <memory>
#include <vector>

#include "connectors/connector.hpp"

namespace tributary::connectors::qbo {

class QboStream final : public Stream {
 public:
  QboStream(const ConnectorConfig& connector, StreamConfig stream);
  const StreamConfig& config() const override { return stream_; }

  SourceRequest page_request(const Window& window, const std::string& position) const override;
  void parse_page(Page& page, const std::string& position) const override;
  std::optional<SourceRequest> count_request(const Window& window) const override;
  long long parse_count(http::HttpResponse& response) const override;
  bool supports_reconcile() const override { return true; }
  SourceRequest id_request(const Window& window, const std::string& position) const override;
  IdPage parse_ids(http::HttpResponse& response, const std::string& position) const override;
  SourceRequest fetch_by_ids_request(const std::vector<std::string>& ids) const override;
  int max_ids_per_fetch() const override { return 100; }

 private:
  SourceRequest query_request(const std::string& statement) const;

  const ConnectorConfig& connector_;
  StreamConfig stream_;
};

class QboConnector final : public Connector {
 public:
  explicit QboConnector(ConnectorConfig config);
  const ConnectorConfig& config() const override { return config_; }
  const Stream& stream(const std::string& name) const override;
  std::string describe_failure(const http::HttpResponse& response) const override;

 private:
  ConnectorConfig config_;
  std::vector<std::unique_ptr<QboStream>> streams_;
};

// The largest page QBO answers is 1000 rows; asking for more is a 400, not a cap.
constexpr int kMaxResults = 1000;

}  // namespace tributary::connectors::qbo
