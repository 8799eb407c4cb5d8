// offset_map: the log cleaner's key map: every key put is found with its newest offset,
// the table grows up to its byte limit and then refuses new keys (but still updates the
// ones it holds), and clear() empties it.
#include "storage/offset_map.h"

#include <gtest/gtest.h>

#include <string>

namespace brook::storage {
namespace {

TEST(OffsetMap, FindsTheNewestOffsetOfEveryKey) {
  offset_map map;
  EXPECT_FALSE(map.get("absent"));
  for (int i = 0; i < 100'000; ++i) {
    ASSERT_TRUE(map.put("key-" + std::to_string(i), i));
  }
  for (int i = 0; i < 100'000; i += 2) {
    ASSERT_TRUE(map.put("key-" + std::to_string(i), 1'000'000 + i));
  }
  EXPECT_EQ(map.size(), 100'000u);
  for (int i = 0; i < 100'000; ++i) {
    auto got = map.get("key-" + std::to_string(i));
    ASSERT_TRUE(got) << i;
    EXPECT_EQ(*got, i % 2 == 0 ? 1'000'000 + i : i) << i;
  }
  EXPECT_FALSE(map.get("key-100000"));
  EXPECT_TRUE(map.put("", 7));  // an empty key is a key
  EXPECT_EQ(map.get(""), 7);
}

TEST(OffsetMap, AFullMapRefusesNewKeysAndStillUpdatesItsOwn) {
  offset_map map(64 * offset_map::slot_bytes);  // 64 slots: 48 keys
  ASSERT_EQ(map.capacity(), 48u);
  for (int i = 0; i < 48; ++i) {
    ASSERT_TRUE(map.put("k" + std::to_string(i), i));
  }
  EXPECT_FALSE(map.put("one more", 99));
  EXPECT_FALSE(map.get("one more"));
  EXPECT_EQ(map.size(), 48u);
  EXPECT_TRUE(map.put("k3", 300));
  EXPECT_EQ(map.get("k3"), 300);
  map.clear();
  EXPECT_EQ(map.size(), 0u);
  EXPECT_FALSE(map.get("k3"));
  EXPECT_TRUE(map.put("one more", 99));
}

TEST(OffsetMap, TheLimitIsRoundedDownToWholeTablesOfAtLeast16Slots) {
  EXPECT_EQ(offset_map(0).capacity(), 12u);
  EXPECT_EQ(offset_map(100 * offset_map::slot_bytes).capacity(), 48u);  // 64 slots
  EXPECT_EQ(offset_map().capacity(), (size_t{4} << 20) / 4 * 3);  // 128 MiB / 24 B: 4 Mi slots
}

}  // namespace
}  // namespace brook::storage
