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

// KIP-467: a compacted topic refuses records without a key, naming each one by its index
// in the batch; nothing of the batch is written. Keyed records go in.
TEST(ProduceService, ACompactedTopicRefusesRecordsWithoutAKey) {
  test::broker_fixture f;
  create(f, "c", {{"cleanup.policy", "compact"}});
  std::vector<protocol::record> records(4);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].key = "k" + std::to_string(i);
    records[i].value = "v";
  }
  records[1].null_key = true;
  records[3].null_key = true;
  auto batch = protocol::build_batch(records, 1'700'000'000'000, protocol::compression::gzip);
  ASSERT_TRUE(batch);
  auto r = append(f, "c", 0, *batch);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kafka_error::invalid_record);
  ASSERT_EQ(r.error().record_errors.size(), 2u);
  EXPECT_EQ(r.error().record_errors[0].batch_index, 1);
  EXPECT_EQ(r.error().record_errors[1].batch_index, 3);
  EXPECT_EQ(r.error().record_errors[0].message,
            "Compacted topic cannot accept message without key in topic partition c-0.");
  EXPECT_NE(r.error().message.find("2 record errors"), std::string::npos) << r.error().message;
  EXPECT_EQ(f.b->topics().find("c")->partition(0)->log_end_offset(), 0);
  auto ok = append(f, "c", 0, test::make_batch("a", 3));  // keys k0..k2
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  // The same null-key batch is fine on a topic that is not compacted.
  create(f, "d");
  EXPECT_TRUE(append(f, "d", 0, *batch).has_value());
  // A batch whose CRC checks out but whose records do not decode could never be cleaned:
  // a compacted topic refuses it.
  auto bad = test::make_batch("x", 2);
  auto* p = reinterpret_cast<std::byte*>(bad.data());
  p[protocol::batch_layout::header_size] = std::byte{0x7f};  // the first record's length
  uint32_t crc = protocol::compute_batch_crc(std::as_bytes(std::span(bad)));
  for (int i = 0; i < 4; ++i) {
    p[protocol::batch_layout::crc + static_cast<size_t>(i)] =
        static_cast<std::byte>(crc >> (24 - 8 * i));
  }
  auto refused = append(f, "c", 0, bad);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, kafka_error::corrupt_message);
  EXPECT_EQ(f.b->topics().find("c")->partition(0)->log_end_offset(), 3);
}

}  // namespace
}  // namespace brook::broker
