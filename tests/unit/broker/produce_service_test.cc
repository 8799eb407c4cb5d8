// produce_service: appends as every front door makes them: offsets handed out in order, an
// unknown partition and an empty record set refused, LogAppendTime topics stamped.
#include "broker/service/produce_service.h"

#include <gtest/gtest.h>

#include <future>

#include "support/batches.h"
#include "support/broker_fixture.h"

namespace brook::broker {
namespace {

using protocol::kafka_error;

protocol::kafka_result<appended> append(test::broker_fixture& f, const std::string& topic,
                                        int32_t partition, std::string batch) {
  std::promise<protocol::kafka_result<appended>> p;
  f.b->appender().append(*f.b->topics().find(topic), partition, test::bytes_of(batch), -1,
                         [&p](protocol::kafka_result<appended> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

void create(test::broker_fixture& f, const std::string& name,
            std::vector<std::pair<std::string, std::optional<std::string>>> configs = {}) {
  topic_request r;
  r.name = name;
  r.partitions = 2;
  r.configs = std::move(configs);
  ASSERT_TRUE(f.b->topic_admin().create(r).has_value());
}

TEST(ProduceService, AppendsGetConsecutiveOffsets) {
  test::broker_fixture f;
  create(f, "t");
  auto first = append(f, "t", 1, test::make_batch("a", 3));
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->base_offset, 0);
  EXPECT_EQ(first->log_append_time_ms, -1);
  EXPECT_EQ(first->log_start_offset, 0);
  auto second = append(f, "t", 1, test::make_batch("b", 2));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->base_offset, 3);
  auto batches = test::read_all_batches(*f.b->topics().find("t")->partition(1), 0);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(test::first_value(batches[1]).substr(0, 3), "b-0");
}

TEST(ProduceService, AnUnknownPartitionIsRefused) {
  test::broker_fixture f;
  create(f, "t");
  auto r = append(f, "t", 2, test::make_batch("a"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kafka_error::unknown_topic_or_partition);
  r = append(f, "t", -1, test::make_batch("a"));
  EXPECT_EQ(r.error().code, kafka_error::unknown_topic_or_partition);
}

TEST(ProduceService, AnEmptyRecordSetIsCorrupt) {
  test::broker_fixture f;
  create(f, "t");
  auto r = append(f, "t", 0, std::string{});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kafka_error::corrupt_message);
  EXPECT_EQ(f.b->topics().find("t")->partition(0)->high_watermark(), 0);
}

TEST(ProduceService, LogAppendTimeTopicsAreStampedWithTheBrokersTime) {
  test::broker_fixture f;
  create(f, "t", {{"message.timestamp.type", "LogAppendTime"}});
  auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto r = append(f, "t", 0, test::make_batch("a", 1, 16, 1000));
  ASSERT_TRUE(r.has_value());
  EXPECT_GE(r->log_append_time_ms, before);
}

TEST(ProduceService, AGarbledBatchIsRefusedAndNothingIsWritten) {
  test::broker_fixture f;
  create(f, "t");
  std::string batch = test::make_batch("a", 2);
  batch[batch.size() - 1] ^= 0x5a;  // breaks the CRC
  auto r = append(f, "t", 0, batch);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kafka_error::corrupt_message);
  EXPECT_EQ(f.b->topics().find("t")->partition(0)->high_watermark(), 0);
}

}  // namespace
}  // namespace brook::broker
