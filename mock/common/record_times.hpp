// Where generated records' update times fall. Boundaries are where incremental clients go
// wrong, so some records sit exactly on the range's start and on UTC midnights (where daily
// windows split), and the rest spread uniformly.
#pragma once

#include <cstdint>

#include "mock/common/civil_time.hpp"
#include "mock/common/rng.hpp"

namespace tributary::mock {

struct TimeSpread {
  std::int64_t start = 0;  // inclusive, in ticks since the epoch
  std::int64_t end = 0;    // exclusive
  std::int64_t ticks_per_second = 1;
  std::int64_t granularity = 1;  // results are start + a multiple of this many ticks
  int midnight_every = 50;       // every Nth ordinal lands exactly on a UTC midnight
};

// Ordinal 1 is exactly `start`; every `midnight_every`-th is a UTC midnight inside the range
// (when one exists); others are uniform. Draws from `rng` only when it needs randomness.
std::int64_t spread_timestamp(const TimeSpread& spread, std::int64_t ordinal, Rng& rng);

}  // namespace tributary::mock
