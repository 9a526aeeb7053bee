#include "mock/common/record_times.hpp"

namespace tributary::mock {

std::int64_t spread_timestamp(const TimeSpread& s, std::int64_t ordinal, Rng& rng) {
  if (ordinal == 1) return s.start;
  const std::int64_t day = kSecondsPerDay * s.ticks_per_second;
  std::int64_t first_midnight = floor_div(s.start + day - 1, day) * day;
  if (s.midnight_every > 0 && ordinal % s.midnight_every == 0 && first_midnight < s.end) {
    std::int64_t midnights = (s.end - 1 - first_midnight) / day + 1;
    return first_midnight + rng.below(midnights) * day;
  }
  std::int64_t steps = (s.end - s.start + s.granularity - 1) / s.granularity;
  return s.start + rng.below(steps) * s.granularity;
}

}  // namespace tributary::mock
