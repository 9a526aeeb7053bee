#include "engine/sync_plan.hpp"

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "engine/window_sizing.hpp"
#include "state/stream_state.hpp"

namespace tributary::engine {
namespace {

// One look at a range: the source's count where the stream has one, else its first page.
Density probe(const connectors::Stream& stream, SourceSession& source, http::HttpClient& client, const Window& w) {
  if (auto count = stream.count_request(w)) {
    auto answer = source.fetch(client, count->http);
    return {stream.parse_count(answer), true, false};
  }
  auto page = source.fetch_page(client, stream.page_request(w, ""), w);
  try {
    stream.parse_page(page, "");
  } catch (const Error&) {  // the window's own run reports the page properly
    return {0, false, true};
  }
  const bool ended = !page.next_position && !page.end_check;
  return {static_cast<long long>(page.records.size()), false, !ended};
}

}  // namespace

std::optional<Window> sync_range(const std::string& stream, std::optional<Timestamp> mark,
                                 std::optional<Timestamp> start, Duration lookback, Duration lag, Timestamp now,
                                 Duration step) {
  const Timestamp end = floor_to(now - lag, step);
  if (mark) {
    if (*mark >= end) return std::nullopt;
    return Window{floor_to(*mark - lookback, step), end};
  }
  if (!start) {
    throw Error(ErrorKind::usage, "stream " + stream + " has never been synced or backfilled: give --start DATE, or "
                                  "sync.start in the connector file, for its first sync");
  }
  const Timestamp from = floor_to(*start, step);
  if (from >= end) {
    throw Error(ErrorKind::usage, "stream " + stream + ": the first sync's start " + format_utc(from) +
                                      " is not before now minus the lag (" + format_utc(end) + ")");
  }
  return Window{from, end};
}

std::vector<StreamSync> plan_sync(const connectors::Connector& connector, pqxx::connection_base& conn,
                                  SourceSession& source, const SyncRequest& request, Timestamp now) {
  const auto& cfg = connector.config();
  http::HttpClient client(cfg.http);
  std::vector<StreamSync> out;
  for (const auto& name : request.streams) {
    const auto& stream = connector.stream(name);
    StreamSync s{name, std::nullopt, {}};
    if (!stream.incremental()) {  // full refresh: reloaded every time; the window is only recorded
      const Timestamp end = floor_to(now, boost::posix_time::seconds(1));
      s.windows.push_back(Window{end - boost::posix_time::hours(24), end});
      out.push_back(std::move(s));
      continue;
    }
    const auto& policy = stream.config().sync;
    s.mark = state::high_water_mark(conn, {cfg.name, cfg.account, name});
    auto range = sync_range(name, s.mark, request.start ? request.start : policy.start,
                            request.lookback.value_or(policy.lookback), request.lag.value_or(policy.lag), now,
                            stream.window_step());
    if (!range) {
      spdlog::info("stream {}: up to date (high-water mark {})", name, format_utc(*s.mark));
    } else {
      SizingPolicy sizing{cfg.default_chunk,
                          policy.window_records > 0 ? policy.window_records : 10LL * stream.config().page_size,
                          stream.window_step()};
      s.windows = size_windows(*range, sizing, [&](const Window& w) { return probe(stream, source, client, w); });
      spdlog::info("stream {}: {} {}, {} window(s)", name, s.mark ? "syncing" : "first sync over", to_string(*range),
                   s.windows.size());
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace tributary::engine
