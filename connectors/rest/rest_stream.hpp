#pragma once
// A stream declared in a connector file: requests built from its spec, pages read by JSON
// pointers, positions kept by its paginator.
#include <memory>
#include <vector>

#include "connectors/connector.hpp"

namespace tributary::connectors {

class RestStream final : public Stream, public DeletionFeed {
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

  const DeletionFeed* deletion_feed() const override { return deletions_ ? this : nullptr; }
  std::optional<Duration> max_lookback() const override;
  SourceRequest deletions_request(const Window& range, const std::string& position) const override;
  DeletionPage parse_deletions(Page& answer, const std::string& position) const override;

  // A request for `path` with the stream's method, headers, parameters and body, the window
  // filled in; then the paginator's parameters for `position` (unless `paginate` is false: a
  // count takes none), then `extra` (an extension's own, e.g. QuickBooks' query=SELECT ...).
  // request_payload shows every secret as ***.
  SourceRequest build(const std::string& path, const Window& window, const std::string& position, int page_size,
                      const std::vector<std::pair<std::string, std::string>>& extra = {}, bool paginate = true) const;

 private:
  std::string next_url(const std::string& raw) const;
  SourceRequest sized_page_request(const Window& window, const std::string& position, int page_size) const;
  std::optional<EndCheck> end_check(const Window& window, const std::string& position, const Page& page) const;

  const ConnectorConfig& connector_;
  StreamConfig stream_;
  std::unique_ptr<RestStream> deletions_;  // the `deletions:` feed, read as a stream of its own
};

class RestConnector final : public Connector {
 public:
  // `extension`: the file's extension (nullptr for none), which makes its streams.
  RestConnector(ConnectorConfig config, const Extension* extension);
  const ConnectorConfig& config() const override { return config_; }
  const Stream& stream(const std::string& name) const override;
  std::string describe_failure(const http::HttpResponse& response) const override;

 private:
  ConnectorConfig config_;
  const Extension* extension_;
  std::vector<std::unique_ptr<Stream>> streams_;
};

// "{window_start}" / "{window_end}" in `text`, formatted per the window spec.
std::string fill_window(const std::string& text, const Window& window, const WindowSpec& spec);

}  // namespace tributary::connectors
