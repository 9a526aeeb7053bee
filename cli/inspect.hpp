#pragma once
// Commands that look at a connector file without loading anything: check and streams.
#include <optional>
#include <ostream>
#include <string>

#include "core/window.hpp"

namespace tributary::cli {

// Validates FILE offline and prints every problem as FILE:LINE:COL: message. With `connect`,
// also authenticates and fetches the first page of each stream in `window` (default: the last
// chunk up to now), printing what would load; nothing is written but a rotated OAuth token.
// The "FILE: ok" line comes last, and only once every stream has answered.
int check_connector(const std::string& path, bool connect, const std::string& db_url,
                    const std::optional<Window>& window, std::ostream& out, std::ostream& err);

// One line per stream: name, mode, table, paginator, page size, guarantee (how its windows are
// proven complete: keyset, sweep, source_cursor, single_request, unverified), cursor.
int list_streams(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace tributary::cli
