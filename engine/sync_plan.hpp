#pragma once
// What a sync extracts: per stream, from its high-water mark minus the lookback (or its first
// start) to now minus the lag, cut into windows by what the source holds there.
#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "engine/source.hpp"

namespace tributary::engine {

struct SyncRequest {
  std::vector<std::string> streams;       // empty: every stream of the connector
  std::optional<Timestamp> start;         // --start: the first sync of a stream without state
  std::optional<Duration> lookback, lag;  // override every stream's sync policy
};

// The range a stream's sync extracts: [mark - lookback, now - lag), or [start, now - lag) for
// a stream without a mark, bounds rounded down to multiples of `step`. nullopt when the mark is
// at or past now - lag (nothing new can be there yet). Throws Error(usage) when the stream has
// neither a mark nor a start.
std::optional<Window> sync_range(const std::string& stream, std::optional<Timestamp> mark,
                                 std::optional<Timestamp> start, Duration lookback, Duration lag, Timestamp now,
                                 Duration step);

struct StreamSync {
  std::string stream;
  std::optional<Timestamp> mark;  // nullopt: the stream's first sync
  std::vector<Window> windows;    // empty: up to date
};

// Reads each stream's mark from state and sizes its windows by probing the source (a count
// where the stream can count, else one first page). Full-refresh streams get one window.
std::vector<StreamSync> plan_sync(const connectors::Connector& connector, pqxx::connection_base& conn,
                                  SourceSession& source, const SyncRequest& request, Timestamp now);

}  // namespace tributary::engine
