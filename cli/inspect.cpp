#include "cli/inspect.hpp"

#include <iomanip>

#include "connectors/connector.hpp"
#include "core/error.hpp"
#include "engine/source.hpp"
#include "state/token_store.hpp"

namespace tributary::cli {
namespace {

std::string mode_of(const connectors::StreamConfig& s) { return s.rest.cursor ? "incremental" : "full_refresh"; }

std::string cursor_of(const connectors::StreamConfig& s) {
  return s.rest.cursor ? s.rest.cursor->field + " (" + connectors::to_string(s.rest.cursor->format) + ")" : "-";
}

// The connector, when the file is valid enough to build one (a stream's guarantee depends on
// its whole definition); nullptr otherwise, and the listing shows "?".
std::unique_ptr<connectors::Connector> connector_if_valid(const connectors::ConfigCheck& checked) {
  if (!checked.ok()) return nullptr;
  try {
    return connectors::make_connector(checked.config);
  } catch (const Error&) {
    return nullptr;
  }
}

// Records whose cursor lies outside the range the window asked for, as the engine judges them
// (engine/window_runner.cpp check_range): a backfill fails such a window unless the stream
// declares out_of_window: load. A warning here, never a failure: check only looks.
void warn_out_of_window(const connectors::Stream& stream, const connectors::Page& page, const Window& window,
                        std::ostream& out, std::ostream& err) {
  auto range = stream.requested_range(window);
  if (!range) return;
  long long outside = 0;
  const connectors::Record* first = nullptr;
  for (const auto& r : page.records) {
    if (!r.updated_at || (*r.updated_at >= range->start && *r.updated_at < range->end)) continue;
    if (outside++ == 0) first = &r;
  }
  if (outside == 0) return;
  auto what = stream.config().name + ": " + std::to_string(outside) + " record(s) on the first page with a cursor " +
              "outside the range asked for " + to_string(*range) + ", the first id " + first->id + " at " +
              format_utc_micros(*first->updated_at) + " (record " + std::to_string(first->index) + ")";
  if (stream.load_out_of_window()) {
    out << what << "; loaded, as the stream declares out_of_window: load\n";
    return;
  }
  err << "warning: " << what << ": a backfill fails such a window. The API's filter and `window.format` disagree "
      << "(compare it with how the API compares times), or the API filters on another field than the cursor "
      << "(then declare out_of_window: load)\n";
}

// Fetches one page of the stream's latest window and says what it would load.
void probe(const connectors::Stream& stream, engine::SourceSession& source, http::HttpClient& client,
           const Window& window, std::ostream& out, std::ostream& err) {
  auto page = source.fetch_page(client, stream.page_request(window, ""), window);
  stream.parse_page(page, "");
  out << stream.config().name << ": " << page.records.size() << " record(s) on the first page of "
      << (stream.incremental() ? to_string(window) : std::string("the full pass"));
  if (!page.records.empty()) {
    const auto& first = page.records.front();
    out << "; first id " << first.id;
    if (first.updated_at) out << ", cursor " << format_utc(*first.updated_at);
  }
  out << (page.next_position ? "; more pages follow" : "") << "\n";
  if (stream.incremental()) warn_out_of_window(stream, page, window, out, err);
}

}  // namespace

int check_connector(const std::string& path, bool connect, const std::string& db_url,
                    const std::optional<Window>& window, std::ostream& out, std::ostream& err) {
  auto checked = connectors::check_connector_config(path, process_env());
  if (!checked.ok()) {
    connectors::sort_by_position(checked.problems, path);
    for (const auto& p : checked.problems) err << p << "\n";
    err << "tributary: error: " << checked.problems.size() << " problem(s) in " << path << std::endl;
    return exit_code_for(ErrorKind::config);
  }
  auto connector = connectors::make_connector(std::move(checked.config));
  const auto& cfg = connector->config();
  auto verdict = path + ": ok, " + cfg.kind + " connector '" + cfg.name + "' with " +
                 std::to_string(cfg.streams.size()) + " stream(s)";
  if (!connect) {
    out << verdict << "\n";
    return 0;
  }
  if (cfg.auth.kind == "oauth2_refresh" && db_url.empty()) {
    throw Error(ErrorKind::usage, "check --connect with OAuth needs the database (--db or TRIBUTARY_DB_URL): "
                                  "a rotated refresh token must be stored or it is lost");
  }
  state::PgTokenStore tokens(db_url);
  engine::SourceSession source(*connector, tokens, nullptr);
  http::HttpClient client(cfg.http);
  auto now = now_utc();
  auto probe_window = window.value_or(Window{now - cfg.default_chunk, now});
  for (const auto& s : cfg.streams) probe(connector->stream(s.name), source, client, probe_window, out, err);
  // Only now: a fetch that fails throws before this line, so "ok" never precedes an error.
  out << verdict << "; every stream answered\n";
  return 0;
}

int list_streams(const std::string& path, std::ostream& out, std::ostream& err) {
  // Lists what could be read even when, say, a secret's variable is unset here.
  auto checked = connectors::check_connector_config(path, process_env());
  for (const auto& p : checked.problems) err << "warning: " << p << "\n";
  const auto& cfg = checked.config;
  if (cfg.streams.empty() && !checked.ok()) throw Error(ErrorKind::config, checked.problems.front());
  auto connector = connector_if_valid(checked);
  out << std::left << std::setw(16) << "STREAM" << std::setw(14) << "MODE" << std::setw(26) << "TABLE"
      << std::setw(12) << "PAGINATOR" << std::setw(6) << "PAGE" << std::setw(16) << "GUARANTEE" << "CURSOR\n";
  for (const auto& s : cfg.streams) {
    auto guarantee = connector ? connectors::to_string(connector->stream(s.name).guarantee()) : std::string("?");
    out << std::left << std::setw(16) << s.name << std::setw(14) << mode_of(s) << std::setw(26) << s.table
        << std::setw(12) << connectors::to_string(s.rest.paginator.kind) << std::setw(6) << s.page_size
        << std::setw(16) << guarantee << cursor_of(s) << "\n";
  }
  return 0;
}

}  // namespace tributary::cli
