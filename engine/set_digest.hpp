#pragma once
// An order-independent fingerprint of a set of record keys in constant memory: two passes over
// a window agree when their digests do. Keys read twice count twice, so a pass that saw a record
// on two pages (offsets shifted under it) differs from one that did not.
#include <cstdint>
#include <string_view>

namespace tributary::engine {

struct SetDigest {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
  std::uint64_t mixed = 0;

  void add(std::string_view key) {
    std::uint64_t h = 14695981039346656037ULL;  // FNV-1a, then a splitmix64 finaliser
    for (unsigned char c : key) h = (h ^ c) * 1099511628211ULL;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    ++count;
    sum += h;
    mixed ^= h * 0x9e3779b97f4a7c15ULL + (h >> 17);
  }

  bool operator==(const SetDigest& o) const { return count == o.count && sum == o.sum && mixed == o.mixed; }
  bool operator!=(const SetDigest& o) const { return !(*this == o); }
};

}  // namespace tributary::engine
