#include "engine/deletion_sync.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "core/error.hpp"
#include "pg/pg.hpp"
#include "state/deletion_points.hpp"
#include "warehouse/raw_writer.hpp"

namespace tributary::engine {
namespace {

// The range a feed is asked for, and the part of it the source no longer keeps.
struct FeedRange {
  Window range;
  std::optional<Window> gap;
};

std::optional<FeedRange> feed_range(pqxx::connection_base& conn, const state::StreamIdentity& id,
                                    const connectors::DeletionFeed& feed, Duration lookback, Timestamp now) {
  std::optional<Timestamp> since;
  if (auto point = state::deletion_point(conn, id)) since = point->checked_until;
  else since = state::first_extracted(conn, id);  // nothing raw holds was deleted before that
  if (!since) return std::nullopt;
  FeedRange out{{*since - lookback, now}, std::nullopt};
  if (auto keeps = feed.max_lookback()) {
    // A minute short of the source's limit, so the request is not refused on the boundary.
    auto oldest = now - *keeps + boost::posix_time::minutes(1);
    if (out.range.start < oldest) {
      if (*since < oldest) out.gap = Window{*since, oldest};
      out.range.start = oldest;
    }
  }
  return out;
}

void report_gap(const connectors::Connector& connector, const std::string& stream, const Window& gap,
                Duration keeps) {
  spdlog::error(
      "stream {}: deletions from {} to {} cannot be read: the source keeps them for {} and this stream's were last "
      "read at {}. Rows deleted in that time stay unmarked in raw. What to do: backfill the stream's whole range "
      "again into a fresh table (tributary reset --config {} --stream {} --confirm; rename its raw table aside; "
      "tributary backfill --config {} --stream {} --start <its first day>), then sync at least every {} so it does "
      "not happen again. `tributary status` shows the gap until then.",
      stream, format_utc(gap.start), format_utc(gap.end), format_duration(keeps),
      format_utc(gap.start), connector.config().path, stream, connector.config().path, stream,
      format_duration(keeps));
}

// Marks one answer's deletions, in one transaction.
long long mark(pqxx::connection_base& conn, warehouse::RawTableWriter& writer, const std::string& account,
               const std::vector<connectors::Deletion>& deleted, Timestamp noticed) {
  if (deleted.empty()) return 0;
  std::vector<std::string> ids;
  std::vector<Timestamp> at;
  for (const auto& d : deleted) {
    ids.push_back(d.id);
    at.push_back(d.deleted_at.value_or(noticed));
  }
  pqxx::work txn(conn);
  auto marked = writer.mark_deleted(txn, account, ids, at);
  txn.commit();
  return marked;
}

DeletionSync read_feed(const connectors::Connector& connector, pqxx::connection_base& conn, SourceSession& source,
                       const connectors::Stream& stream, const FeedRange& feed_range, Timestamp now) {
  const auto& feed = *stream.deletion_feed();
  DeletionSync out{stream.config().name, feed_range.range, 0, 0, 0, feed_range.gap};
  http::HttpClient client(connector.config().http);
  warehouse::RawTableWriter writer(conn, stream.config().table);
  std::string position;
  std::set<std::string> seen{position};
  for (;;) {
    auto page = source.fetch_page(client, feed.deletions_request(out.range, position), out.range);
    out.requests += 1;
    auto answer = feed.parse_deletions(page, position);
    out.reported += static_cast<long long>(answer.deleted.size());
    out.marked += mark(conn, writer, connector.config().account, answer.deleted, now);
    if (answer.truncated) spdlog::warn("stream {}: {}", out.stream, *answer.truncated);
    if (!answer.next_position) return out;
    if (!seen.insert(*answer.next_position).second) {
      throw Error(ErrorKind::data, "stream " + out.stream + ": the deletion feed repeated position '" +
                                       *answer.next_position + "'");
    }
    position = *answer.next_position;
  }
}

}  // namespace

std::vector<DeletionSync> sync_deletions(const connectors::Connector& connector, pqxx::connection_base& conn,
                                         SourceSession& source, const std::vector<std::string>& streams,
                                         std::optional<Duration> lookback, Timestamp now) {
  std::vector<DeletionSync> out;
  for (const auto& name : streams) {
    const auto& stream = connector.stream(name);
    const auto* feed = stream.deletion_feed();
    if (feed == nullptr) continue;
    state::StreamIdentity id{connector.config().name, connector.config().account, name};
    try {
      auto range = feed_range(conn, id, *feed, lookback.value_or(stream.config().sync.lookback), now);
      if (!range) continue;
      if (range->gap) report_gap(connector, name, *range->gap, *feed->max_lookback());
      auto done = read_feed(connector, conn, source, stream, *range, now);
      state::save_deletion_point(conn, id, now, range->gap);
      spdlog::info("stream {}: deletions since {}: {} reported, {} row(s) newly marked deleted ({} request(s))",
                   name, format_utc(done.range.start), done.reported, done.marked, done.requests);
      out.push_back(done);
    } catch (const pqxx::failure& e) {
      pg::rethrow_as_database_error(e, "marking deletions of stream " + name);
    }
  }
  return out;
}

}  // namespace tributary::engine
