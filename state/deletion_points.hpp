#pragma once
// How far each stream's deletion feed has been read (state.deletion_points).
#include <pqxx/pqxx>

#include <optional>

#include "core/window.hpp"
#include "state/stream_state.hpp"

namespace tributary::state {

struct DeletionPoint {
  Timestamp checked_until;   // every deletion before this is marked in raw
  std::optional<Window> gap;  // deletions the source no longer kept when sync came to read them
};

std::optional<DeletionPoint> deletion_point(pqxx::connection_base& conn, const StreamIdentity& stream);

// Records a completed read up to `checked_until`; a `gap` found now replaces none, and widens
// one already recorded (it stays until `reset`).
void save_deletion_point(pqxx::connection_base& conn, const StreamIdentity& stream, const Timestamp& checked_until,
                         const std::optional<Window>& gap);

// When a window of the stream was first started, by any run: deletions before it cannot concern
// rows raw holds. nullopt: never extracted.
std::optional<Timestamp> first_extracted(pqxx::connection_base& conn, const StreamIdentity& stream);

}  // namespace tributary::state
