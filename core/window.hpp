#pragma once
// Extraction windows: half-open [start, end) intervals of UTC time.
#include <ostream>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace tributary {

struct Window {
  Timestamp start;
  Timestamp end;  // exclusive
  bool contains(const Timestamp& t) const { return start <= t && t < end; }
  bool operator==(const Window&) const = default;
};

std::string to_string(const Window& w);  // "[2024-01-01T00:00:00Z, 2024-01-08T00:00:00Z)"
std::ostream& operator<<(std::ostream& os, const Window& w);

// How a requested range is cut into windows. A value you can print and test.
struct WindowPlan {
  Timestamp start;
  Timestamp end;
  Duration chunk = boost::posix_time::hours(24 * 7);

  // Consecutive windows covering [start, end) exactly; the last is clipped to end.
  // Throws Error(usage) when end <= start or chunk <= 0.
  std::vector<Window> windows() const;
};

std::ostream& operator<<(std::ostream& os, const WindowPlan& p);

}  // namespace tributary
