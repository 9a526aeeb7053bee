// QBO's per-realm throttles: 500 requests per minute and 10 requests in flight per realm
// (Intuit's "API call limits and throttles" page and its 2016 concurrency announcement). The
// window is a minute for Intuit; tests shorten it so a throttled run takes seconds.
// Not thread-safe; the server calls it under its state mutex.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <string>

namespace tributary::mock {

class RequestLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // At most `max_per_interval` admitted in any moving `interval` (0 = unlimited) and
  // `max_concurrent` in flight (0 = unlimited).
  RequestLimiter(int max_per_interval, std::chrono::milliseconds interval, int max_concurrent)
      : max_per_interval_(max_per_interval), interval_(interval), max_concurrent_(max_concurrent) {}

  // A data API request arrives. True = admitted (the caller must call finish() when done);
  // false = throttled. `in_flight_seen` gets the number in flight, this one included.
  bool arrive(const std::string& realm, Clock::time_point now, int& in_flight_seen);
  void finish(const std::string& realm);
  // Data API requests that arrived within the moving interval up to the last arrival, refused
  // ones included: what the clients sent, whatever the limits let through.
  int arrived_in_interval(const std::string& realm) const;

 private:
  struct RealmState {
    std::deque<Clock::time_point> admitted;  // admission times within the last interval
    std::deque<Clock::time_point> arrived;   // arrival times within the last interval
    int in_flight = 0;
  };

  int max_per_interval_;
  std::chrono::milliseconds interval_;
  int max_concurrent_;
  std::map<std::string, RealmState> realms_;
};

}  // namespace tributary::mock
