#pragma once
// A stream declared in a connector file: requests built from its spec, pages read by JSON
// pointers, positions kept by its paginator.
#include <memory>
#include <vector>

#include "connectors/connector.hpp"

namespace tributary::connectors {

class RestStream final : public Stream, public IdSweep {
 public:
  RestStream(const ConnectorConfig& connector, StreamConfig stream);
  const StreamConfig& config() const override { return stream_; }
  bool incremental() const override { return stream_.rest.cursor.has_value(); }
  Guarantee guarantee() const override;

  SourceRequest page_request(const Window& window, const std::string& position) const override;
  void parse_page(Page& page, const std::string& position) const override;
  std::optional<std::string> confirm_end(const EndCheck& check, Page& answer) const override;
  std::optional<Window> requested_range(const Window& window) const override;
  Duration window_step() const override;
  bool load_out_of_window() const override { return stream_.rest.out_of_window == OutOfWindow::load; }
  std::optional<SourceRequest> count_request(const Window& window) const override;
  long long parse_count(http::HttpResponse& response) const override;

  const IdSweep* id_sweep() const override { return qbo() ? this : nullptr; }
  SourceRequest id_request(const Window&, const std::string&) const override;
  IdPage parse_ids(http::HttpResponse&, const std::string&) const override;
  SourceRequest fetch_by_ids_request(const std::vector<std::string>&) const override;
  int max_ids_per_fetch() const override { return qbo() ? 100 : 0; }

 private:
  // `statement`: a QuickBooks query, sent as the `query` parameter (qbo_query streams).
  // `paginate` false: the filters only (a count request takes no paging parameters).
  SourceRequest build(const std::string& path, const Window& window, const std::string& position, int page_size,
                      const std::string& statement = "", bool paginate = true) const;
  bool qbo() const { return stream_.rest.paginator.kind == PaginatorKind::qbo_query; }
  std::string next_url(const std::string& raw) const;
  SourceRequest sized_page_request(const Window& window, const std::string& position, int page_size) const;
  std::optional<EndCheck> end_check(const Window& window, const std::string& position, const Page& page) const;
  void require_qbo(const char* what) const;
  long start_position(const std::string& position) const;

  const ConnectorConfig& connector_;
  StreamConfig stream_;
};

class RestConnector final : public Connector {
 public:
  explicit RestConnector(ConnectorConfig config);
  const ConnectorConfig& config() const override { return config_; }
  const Stream& stream(const std::string& name) const override;
  std::string describe_failure(const http::HttpResponse& response) const override;

 private:
  ConnectorConfig config_;
  std::vector<std::unique_ptr<RestStream>> streams_;
};

// "{window_start}" / "{window_end}" in `text`, formatted per the window spec.
std::string fill_window(const std::string& text, const Window& window, const WindowSpec& spec);

}  // namespace tributary::connectors
