#pragma once
// The deletion half of a sync: each stream that offers a deletion feed is read from where it
// was last read (less the stream's lookback) to now, and the raw rows of the records it reports
// are marked deleted (deleted_at_utc), never removed.
#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "engine/source.hpp"

namespace tributary::engine {

struct DeletionSync {
  std::string stream;
  Window range;                // what the feed was asked for
  long long reported = 0;      // deletions the feed reported
  long long marked = 0;        // raw rows newly marked deleted
  long long requests = 0;
  std::optional<Window> gap;   // deletions the source no longer kept (read from the gap's end)
};

// `lookback`: overrides every stream's sync lookback. Streams never extracted are skipped.
// Throws Error (source, data or database) when a feed cannot be read; nothing moves the stream's
// deletion point then, and the marks already made stay (marking again changes nothing).
std::vector<DeletionSync> sync_deletions(const connectors::Connector& connector, pqxx::connection_base& conn,
                                         SourceSession& source, const std::vector<std::string>& streams,
                                         std::optional<Duration> lookback, Timestamp now);

}  // namespace tributary::engine
