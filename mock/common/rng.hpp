// Deterministic random stream (splitmix64): the same seed gives the same data on every platform,
// which std::uniform_*_distribution does not promise.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tributary::mock {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  std::int64_t below(std::int64_t n);  // [0, n)
  template <typename T, std::size_t N>
  const T& pick(const T (&arr)[N]) { return arr[below(N)]; }

 private:
  std::uint64_t state_;
};

// A seed for one record's stream, so each record's fields do not depend on generation order.
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c);

}  // namespace tributary::mock
