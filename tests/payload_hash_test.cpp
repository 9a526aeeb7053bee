// The change test's hash: XXH3-128 as xxHash's own tool prints it, and different for texts
// that differ anywhere.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "warehouse/copy_text.hpp"

namespace tributary::testing {
namespace {

// Expected values printed by `xxh128sum` (Debian's xxhash package) for the same bytes.
TEST(PayloadHash, IsXxh3With128BitsAsXxh128sumPrintsIt) {
  EXPECT_EQ(warehouse::payload_hash(""), "99aa06d3014798d86001c324468d497f");
  EXPECT_EQ(warehouse::payload_hash("{\"Id\":\"1\"}"), "2e69d770c96d4083e8eed5ce782734d6");
  std::string bytes;  // 765 bytes: XXH3's long-input path, every byte value but zero
  for (int round = 0; round < 3; ++round) {
    for (int c = 1; c < 256; ++c) bytes += static_cast<char>(c);
  }
  EXPECT_EQ(warehouse::payload_hash(bytes), "da1ef9f1b9088186c6c46b94c9465055");
}

TEST(PayloadHash, ChangesWhenAnyByteOfARecordChanges) {
  const std::string record = R"({"Id":"130","SyncToken":"0","TotalAmt":362.07,"Line":[{"Amount":362.07}]})";
  std::set<std::string> seen{warehouse::payload_hash(record)};
  for (size_t i = 0; i < record.size(); ++i) {
    auto changed = record;
    changed[i] = static_cast<char>(changed[i] ^ 1);
    EXPECT_TRUE(seen.insert(warehouse::payload_hash(changed)).second) << "byte " << i;
  }
  EXPECT_TRUE(seen.insert(warehouse::payload_hash(record + " ")).second) << "a byte added";
}

}  // namespace
}  // namespace tributary::testing
