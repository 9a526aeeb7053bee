#pragma once
// An order-independent fingerprint of a set of record keys in constant memory: two passes over
// a window agree when their digests do. Keys read twice count twice, so a pass that saw a record
// on two pages (offsets shifted under it) differs from one that did not. A key can carry its
// version (the record's updated-at): then two passes agree only when they saw the same versions.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/time.hpp"

namespace tributary::engine {

struct SetDigest {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
  std::uint64_t mixed = 0;

  void add(std::string_view key, std::optional<std::int64_t> version = std::nullopt) {
    std::uint64_t h = 14695981039346656037ULL;  // FNV-1a, then a splitmix64 finaliser
    for (unsigned char c : key) h = (h ^ c) * 1099511628211ULL;
    if (version) {
      h = (h ^ 0x1f) * 1099511628211ULL;  // a separator no key-only hash continues with
      for (int shift = 0; shift < 64; shift += 8) h = (h ^ ((*version >> shift) & 0xff)) * 1099511628211ULL;
    }
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

// A record's version for set digests: its updated-at in microseconds, when it has one.
inline std::optional<std::int64_t> version_of(const std::optional<Timestamp>& updated_at) {
  if (!updated_at) return std::nullopt;
  return (*updated_at - Timestamp(boost::gregorian::date(1970, 1, 1))).total_microseconds();
}

}  // namespace tributary::engine
