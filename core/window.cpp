#include "core/window.hpp"

#include <boost/date_time/posix_time/posix_time.hpp>

#include "core/error.hpp"

namespace tributary {

std::string to_string(const Window& w) {
  return "[" + format_utc(w.start) + ", " + format_utc(w.end) + ")";
}

std::ostream& operator<<(std::ostream& os, const Window& w) { return os << to_string(w); }

std::vector<Window> WindowPlan::windows() const {
  if (start.is_special() || end.is_special()) {
    throw Error(ErrorKind::usage, "window plan needs both a start and an end");
  }
  if (end <= start) {
    throw Error(ErrorKind::usage, "end (" + format_utc(end) + ") must be after start (" +
                                      format_utc(start) + ")");
  }
  if (chunk <= Duration(0, 0, 0)) {
    throw Error(ErrorKind::usage, "chunk must be positive");
  }
  std::vector<Window> out;
  for (Timestamp s = start; s < end; s += chunk) {
    out.push_back(Window{s, std::min(s + chunk, end)});
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const WindowPlan& p) {
  return os << "WindowPlan{" << format_utc(p.start) << " .. " << format_utc(p.end) << ", chunk "
            << boost::posix_time::to_simple_string(p.chunk) << "}";
}

}  // namespace tributary
