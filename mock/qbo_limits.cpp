#include "mock/qbo_limits.hpp"

namespace tributary::mock {

bool RequestLimiter::arrive(const std::string& realm, Clock::time_point now, int& in_flight_seen) {
  RealmState& s = realms_[realm];
  s.in_flight += 1;
  in_flight_seen = s.in_flight;
  while (!s.admitted.empty() && now - s.admitted.front() >= interval_) {
    s.admitted.pop_front();
  }
  s.arrived.push_back(now);
  while (now - s.arrived.front() >= interval_) s.arrived.pop_front();
  bool too_many_in_flight = max_concurrent_ > 0 && s.in_flight > max_concurrent_;
  // Only admitted requests fill the window, so a client that backs off recovers.
  bool over_rate = max_per_interval_ > 0 && static_cast<int>(s.admitted.size()) >= max_per_interval_;
  if (too_many_in_flight || over_rate) {
    s.in_flight -= 1;
    return false;
  }
  s.admitted.push_back(now);
  return true;
}

int RequestLimiter::arrived_in_interval(const std::string& realm) const {
  auto it = realms_.find(realm);
  return it == realms_.end() ? 0 : static_cast<int>(it->second.arrived.size());
}

void RequestLimiter::finish(const std::string& realm) {
  auto it = realms_.find(realm);
  if (it != realms_.end() && it->second.in_flight > 0) it->second.in_flight -= 1;
}

}  // namespace tributary::mock
