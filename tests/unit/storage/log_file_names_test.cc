#include "storage/log_file_names.h"

#include <gtest/gtest.h>

namespace brook::storage::names {
namespace {

TEST(LogFileNames, TwentyDigitBaseOffsets) {
  EXPECT_EQ(base_offset_name(0), "00000000000000000000");
  EXPECT_EQ(base_offset_name(42), "00000000000000000042");
  EXPECT_EQ(log_file("/d", 42).filename(), "00000000000000000042.log");
  EXPECT_EQ(index_file("/d", 42).filename(), "00000000000000000042.index");
  EXPECT_EQ(time_index_file("/d", 42).filename(), "00000000000000000042.timeindex");
}

TEST(LogFileNames, ParsesOnlyLogFiles) {
  EXPECT_EQ(parse_log_file("00000000000000000042.log"), 42);
  EXPECT_EQ(parse_log_file("00000000000000000042.index"), std::nullopt);
  EXPECT_EQ(parse_log_file("42.log"), std::nullopt);
  EXPECT_EQ(parse_log_file("0000000000000000004x.log"), std::nullopt);
  EXPECT_EQ(parse_log_file("00000000000000000042.log.corrupt"), std::nullopt);
}

TEST(LogFileNames, ProducerSnapshots) {
  EXPECT_EQ(producer_snapshot_file("/d", 42).filename(), "00000000000000000042.snapshot");
  EXPECT_EQ(parse_producer_snapshot_file("00000000000000000042.snapshot"), 42);
  EXPECT_EQ(parse_producer_snapshot_file("00000000000000000042.snapshot.tmp"), std::nullopt);
  EXPECT_EQ(parse_producer_snapshot_file("00000000000000000042.log"), std::nullopt);
  EXPECT_EQ(parse_producer_snapshot_file("42.snapshot"), std::nullopt);
  EXPECT_EQ(parse_log_file("00000000000000000042.snapshot"), std::nullopt);
}

TEST(LogFileNames, PartitionDirectories) {
  EXPECT_EQ(partition_directory("events", 3), "events-3");
  auto tp = parse_partition_directory("my-topic-12");
  ASSERT_TRUE(tp);
  EXPECT_EQ(tp->topic, "my-topic");
  EXPECT_EQ(tp->partition, 12);
  EXPECT_FALSE(parse_partition_directory("events"));
  EXPECT_FALSE(parse_partition_directory("events-"));
  EXPECT_FALSE(parse_partition_directory("-1"));
  EXPECT_FALSE(parse_partition_directory("events-01"));
  EXPECT_FALSE(parse_partition_directory("events-x"));
}

}  // namespace
}  // namespace brook::storage::names
