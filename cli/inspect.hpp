#pragma once
// Commands that look at a connector file without loading anything: check and streams.
#include <ostream>
#include <string>

namespace tributary::cli {

// Validates FILE offline and prints every problem as FILE:LINE:COL: message. With `connect`,
// also authenticates and fetches the first page of each stream's latest window, printing what
// would load; nothing is written (an OAuth token rotated on the way is stored, or it is lost).
int check_connector(const std::string& path, bool connect, const std::string& db_url, std::ostream& out,
                    std::ostream& err);

// One line per stream: name, mode, table, cursor, paginator, page size.
int list_streams(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace tributary::cli
