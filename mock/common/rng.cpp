#include "mock/common/rng.hpp"

namespace tributary::mock {

std::uint64_t Rng::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::int64_t Rng::below(std::int64_t n) {
  if (n <= 0) return 0;
  return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n));
}

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  Rng rng(seed ^ (a * 0x100000001b3ULL) ^ (b << 20) ^ (c << 44));
  rng.next();
  return rng.next();
}

}  // namespace tributary::mock
