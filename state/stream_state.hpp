#pragma once
// What state knows of a stream across all its runs: how far it is verified.
#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "core/window.hpp"
#include "state/types.hpp"

namespace tributary::state {

struct StreamIdentity {
  std::string connector;  // state.runs.connector
  std::string account;    // state.runs.account
  std::string stream;     // state.windows.stream
};

// The high-water mark: the end of the first contiguous stretch of done windows of the stream,
// across all runs (backfills and syncs). Nothing after a gap or a failed window counts, so a
// sync from here misses nothing. nullopt when no window of the stream is done.
std::optional<Timestamp> high_water_mark(pqxx::connection_base& conn, const StreamIdentity& stream);

// A stream as `status` shows it.
struct StreamStatus {
  StreamIdentity id;
  std::optional<Timestamp> mark;       // the high-water mark
  std::optional<Timestamp> last_sync;  // when a sync last finished a window of it
  std::optional<Timestamp> last_done;  // when any run last finished a window of it
  long long failed = 0;   // failed windows whose range no done window has covered since
  long long open = 0;     // windows pending or running
  std::optional<Timestamp> deletions_until;  // its deletion feed is read up to here (none: never)
  std::optional<Window> deletion_gap;        // deletions the source no longer kept when read
};

// Every stream state knows of, by connector, account and stream.
std::vector<StreamStatus> stream_statuses(pqxx::connection_base& conn);

// Failed windows whose range no done window has covered since (the ones still to retry), oldest
// first; `stream` empty: every stream.
std::vector<WindowRow> unresolved_failed_windows(pqxx::connection_base& conn, const std::string& stream);

// Windows of earlier sync runs of these streams still pending or running: called by a sync that
// holds the streams, so no process works on them any more (a sync killed or stopped). They are
// marked failed with `reason`, and their runs too, so `status` stops counting them as open; the
// new sync starts at the high-water mark, which they held back, and covers their ranges.
// Backfill runs are left for `resume`. Returns the windows marked.
long long supersede_abandoned_syncs(pqxx::connection_base& conn, const std::string& connector,
                                    const std::string& account, const std::vector<std::string>& streams,
                                    const std::string& reason);

// Forgets a stream's state: its windows (and their quarantined records) in every run of the
// connector and account, and runs left without windows. Raw rows are never touched. Returns
// the windows deleted.
long long reset_stream(pqxx::connection_base& conn, const StreamIdentity& stream);

}  // namespace tributary::state
