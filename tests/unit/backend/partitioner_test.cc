// Kafka's murmur2 against the Java client's own test vectors (UtilsTest.testMurmur2), and
// the partition it gives a key.
#include "backend/partitioner.h"

#include <gtest/gtest.h>

#include <string>

namespace brook::backend {
namespace {

TEST(Partitioner, Murmur2MatchesTheJavaClient) {
  EXPECT_EQ(murmur2("21"), -973932308);
  EXPECT_EQ(murmur2("foobar"), -790332482);
  EXPECT_EQ(murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(murmur2("abc"), 479470107);
}

TEST(Partitioner, Murmur2OfAnEmptyKeyAndOfHighBytes) {
  // Computed with kafka-python's murmur2, a port of the Java one: bytes count as unsigned.
  EXPECT_EQ(murmur2(""), 275646681);
  EXPECT_EQ(murmur2(std::string("\xff\xfe\x80", 3)), -160726397);
}

TEST(Partitioner, PartitionIsThePositiveHashModuloTheCount) {
  // -973932308 & 0x7fffffff = 1173551340.
  EXPECT_EQ(partition_for_key("21", 1), 0);
  EXPECT_EQ(partition_for_key("21", 7), 1173551340 % 7);
  EXPECT_EQ(partition_for_key("a-little-bit-longer-string", 6), 5);
  EXPECT_EQ(partition_for_key("abc", 6), 3);
  EXPECT_EQ(partition_for_key("key-7", 3), 1);
  for (int32_t n = 1; n < 50; ++n) {
    int32_t p = partition_for_key("user-" + std::to_string(n), n);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, n);
  }
}

}  // namespace
}  // namespace brook::backend
