// The in-process event backend over a real broker in a temporary data directory: produce
// and fetch round trips, partition choice, batch limits, waiting fetches, topic admin,
// configs and offsets.
#include "backend/local_backend.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "backend/partitioner.h"
#include "base/big_endian.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "storage/group_store.h"
#include "storage/log_manager.h"
#include "storage/metadata_store.h"
#include "storage/topic_config.h"
#include "support/batches.h"
#include "support/broker_fixture.h"
#include "support/sync_backend.h"
#include "support/temp_dir.h"

namespace brook::backend {
namespace {

using namespace std::chrono_literals;
using protocol::kafka_error;
using records_outcome = outcome<std::vector<fetched_record>>;

// A broker as `brook serve` wires it, and the backend over it.
struct harness : test::broker_fixture {
  std::unique_ptr<local_backend> backend;

  explicit harness(broker::broker_config config = {}) : broker_fixture(config) {
    backend = std::make_unique<local_backend>(*b);
  }
  test::sync_backend api() { return {*backend}; }

  ~harness() {
    backend->stop();
    backend.reset();
  }

  void create(const std::string& name, int32_t partitions,
              std::map<std::string, std::string> configs = {}) {
    auto r = api().create_topic({name, partitions, -1, std::move(configs), false});
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }

  std::vector<produce_result> produce(const std::string& topic, std::vector<produce_record> rs) {
    std::promise<std::vector<produce_result>> p;
    backend->produce(topic, std::move(rs),
                     [&p](std::vector<produce_result> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  std::future<records_outcome> fetch_async(fetch_request req) {
    auto p = std::make_shared<std::promise<records_outcome>>();
    backend->fetch(std::move(req), [p](records_outcome r) { p->set_value(std::move(r)); });
    return p->get_future();
  }

  records_outcome fetch(const std::string& topic, int32_t partition, int64_t offset,
                        size_t max_bytes = 1 << 20) {
    return fetch_async({topic, partition, offset, max_bytes, 0ms}).get();
  }
};

produce_record rec(std::optional<std::string> key, std::optional<std::string> value,
                   std::optional<int32_t> partition = std::nullopt) {
  produce_record r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.partition = partition;
  return r;
}

std::vector<produce_record> values(int n, size_t bytes = 10) {
  std::vector<produce_record> out;
  for (int i = 0; i < n; ++i) {
    std::string v = std::to_string(i);
    v.resize(bytes, '.');
    out.push_back(rec(std::nullopt, v, 0));
  }
  return out;
}

void expect_ok(const std::vector<produce_result>& results) {
  for (const auto& r : results) {
    EXPECT_FALSE(r.error.has_value()) << r.error->message;
  }
}

TEST(LocalBackend, ProduceAndFetchKeepKeysValuesHeadersAndTimestamps) {
  harness h;
  h.create("t", 1);
  std::vector<produce_record> in;
  in.push_back(rec("k1", "v1"));
  in[0].headers = {{"h1", "x", false}, {"h2", "", true}};
  in[0].timestamp_ms = 1'000;
  in.push_back(rec(std::nullopt, "v2"));
  in.push_back(rec("k3", std::nullopt));
  in.push_back(rec("", ""));
  in[3].timestamp_ms = 900;  // earlier than the batch's first record
  int64_t before = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto out = h.produce("t", in);
  ASSERT_EQ(out.size(), 4u);
  expect_ok(out);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(out[i].partition, 0);
    EXPECT_EQ(out[i].offset, i);
  }
  EXPECT_EQ(out[0].timestamp_ms, 1'000);
  EXPECT_GE(out[1].timestamp_ms, before);

  auto got = h.fetch("t", 0, 0);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  ASSERT_EQ(got->size(), 4u);
  const auto& r = *got;
  EXPECT_EQ(r[0].key, "k1");
  EXPECT_EQ(r[0].value, "v1");
  ASSERT_EQ(r[0].headers.size(), 2u);
  EXPECT_EQ(r[0].headers[0].key, "h1");
  EXPECT_EQ(r[0].headers[0].value, "x");
  EXPECT_TRUE(r[0].headers[1].null_value);
  EXPECT_EQ(r[0].timestamp_ms, 1'000);
  EXPECT_FALSE(r[0].log_append_time);
  EXPECT_FALSE(r[1].key.has_value());
  EXPECT_EQ(r[1].value, "v2");
  EXPECT_EQ(r[1].timestamp_ms, out[1].timestamp_ms);
  EXPECT_EQ(r[2].key, "k3");
  EXPECT_FALSE(r[2].value.has_value());
  EXPECT_EQ(r[3].key, "");
  EXPECT_EQ(r[3].value, "");
  EXPECT_EQ(r[3].timestamp_ms, 900);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(r[i].offset, i);
    EXPECT_EQ(r[i].partition, 0);
  }
}

TEST(LocalBackend, KeyedRecordsGoWhereMurmur2Says) {
  harness h;
  h.create("t", 6);
  std::vector<std::string> keys = {"21", "abc", "foobar", "key-7", "user-1", "user-2"};
  std::vector<produce_record> in;
  for (const auto& k : keys) {
    in.push_back(rec(k, "v-" + k));
  }
  auto out = h.produce("t", in);
  expect_ok(out);
  for (size_t i = 0; i < keys.size(); ++i) {
    int32_t p = partition_for_key(keys[i], 6);
    EXPECT_EQ(out[i].partition, p) << keys[i];
    auto got = h.fetch("t", p, out[i].offset);
    ASSERT_TRUE(got.has_value());
    ASSERT_FALSE(got->empty());
    EXPECT_EQ(got->front().key, keys[i]);
  }
}

TEST(LocalBackend, ExplicitPartitionsAndAnUnknownOne) {
  harness h;
  h.create("t", 3);
  auto out =
      h.produce("t", {rec("k", "a", 2), rec("k", "b", 3), rec("k", "c", -1), rec("k", "d", 2)});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_FALSE(out[0].error);
  EXPECT_EQ(out[0].partition, 2);
  EXPECT_EQ(out[0].offset, 0);
  ASSERT_TRUE(out[1].error);
  EXPECT_EQ(out[1].error->code, kafka_error::unknown_topic_or_partition);
  EXPECT_EQ(out[1].error->message, "Partition 3 of topic 't' not found");
  ASSERT_TRUE(out[2].error);
  EXPECT_EQ(out[2].error->code, kafka_error::unknown_topic_or_partition);
  EXPECT_FALSE(out[3].error);
  EXPECT_EQ(out[3].offset, 1);
}

TEST(LocalBackend, RecordsWithoutKeyShareOnePartitionPerCallInTurn) {
  harness h;
  h.create("t", 2);
  auto first = h.produce("t", {rec(std::nullopt, "a"), rec(std::nullopt, "b")});
  auto second = h.produce("t", {rec(std::nullopt, "c"), rec(std::nullopt, "d")});
  expect_ok(first);
  expect_ok(second);
  EXPECT_EQ(first[0].partition, first[1].partition);
  EXPECT_EQ(second[0].partition, second[1].partition);
  EXPECT_NE(first[0].partition, second[0].partition);
  EXPECT_EQ(first[1].offset, first[0].offset + 1);
}

TEST(LocalBackend, ProduceCreatesAnAbsentTopicWhenAutoCreationIsOn) {
  broker::broker_config config;
  config.default_partitions = 3;
  harness h(config);
  auto out = h.produce("fresh", {rec("k", "v")});
  expect_ok(out);
  auto t = h.api().describe_topic("fresh");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->partitions.size(), 3u);
  EXPECT_EQ(out[0].partition, partition_for_key("k", 3));
}

TEST(LocalBackend, ProduceToAnAbsentTopicFailsWhenAutoCreationIsOff) {
  broker::broker_config config;
  config.auto_create_topics = false;
  harness h(config);
  auto out = h.produce("absent", {rec("k", "v"), rec(std::nullopt, "w")});
  ASSERT_EQ(out.size(), 2u);
  for (const auto& r : out) {
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, kafka_error::unknown_topic_or_partition);
    EXPECT_EQ(r.error->message, "Topic 'absent' not found");
  }
  EXPECT_FALSE(h.api().describe_topic("absent").has_value());
}

TEST(LocalBackend, AnOversizedRecordFailsAndTheOthersAreWritten) {
  harness h;
  h.create("t", 1, {{"max.message.bytes", "1000"}});
  auto out =
      h.produce("t", {rec("a", "small"), rec("b", std::string(2000, 'x')), rec("c", "small")});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FALSE(out[0].error);
  ASSERT_TRUE(out[1].error);
  EXPECT_EQ(out[1].error->code, kafka_error::message_too_large);
  EXPECT_NE(out[1].error->message.find("max.message.bytes"), std::string::npos);
  EXPECT_FALSE(out[2].error);
  EXPECT_EQ(out[0].offset, 0);
  EXPECT_EQ(out[2].offset, 1);
  auto got = h.fetch("t", 0, 0);
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[1].key, "c");
}

TEST(LocalBackend, ARecordThatExactlyFillsMaxMessageBytesIsWritten) {
  harness h;
  // A record batch of one record with a null key and a 100-byte value: 61 header bytes,
  // and 2 (length) + 1 (attributes) + 1 + 1 (deltas) + 1 (null key) + 2 + 100 (value) +
  // 1 (header count) = 109 record bytes: 170 in all.
  h.create("t", 1, {{"max.message.bytes", "170"}});
  auto out = h.produce(
      "t", {rec(std::nullopt, std::string(100, 'x')), rec(std::nullopt, std::string(101, 'x'))});
  EXPECT_FALSE(out[0].error);
  ASSERT_TRUE(out[1].error);
  EXPECT_EQ(out[1].error->code, kafka_error::message_too_large);
}

TEST(LocalBackend, RecordsAreSplitIntoBatchesWithinMaxMessageBytes) {
  harness h;
  h.create("t", 1, {{"max.message.bytes", "1000"}});
  auto out = h.produce("t", values(20, 200));
  expect_ok(out);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(out[i].offset, i);
  }
  auto batches = test::read_all_batches(*h.b->topics().find("t")->partition(0), 0);
  EXPECT_GE(batches.size(), 5u);  // four 200-byte values at most in 1000 bytes
  for (const auto& batch : batches) {
    EXPECT_LE(batch.size(), 1000u);
  }
  auto got = h.fetch("t", 0, 0);
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ((*got)[i].offset, i);
    EXPECT_EQ((*got)[i].value->substr(0, std::to_string(i).size()), std::to_string(i));
  }
}

TEST(LocalBackend, FetchFromTheMiddleOfABatch) {
  harness h;
  h.create("t", 1);
  expect_ok(h.produce("t", values(10)));
  auto got = h.fetch("t", 0, 4);
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->size(), 6u);
  EXPECT_EQ(got->front().offset, 4);
  EXPECT_EQ(got->back().offset, 9);
}

TEST(LocalBackend, FetchStopsAtMaxBytesButReturnsAtLeastOneRecord) {
  harness h;
  h.create("t", 1);
  expect_ok(h.produce("t", values(10, 100)));
  expect_ok(h.produce("t", values(10, 100)));  // a second batch
  auto two = h.fetch("t", 0, 0, 250);
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->size(), 2u);
  auto one = h.fetch("t", 0, 3, 0);
  ASSERT_TRUE(one.has_value());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().offset, 3);
  auto across = h.fetch("t", 0, 8, 500);  // two from the first batch, three from the next
  ASSERT_TRUE(across.has_value());
  ASSERT_EQ(across->size(), 5u);
  EXPECT_EQ(across->back().offset, 12);
  auto all = h.fetch("t", 0, 0);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 20u);
}

TEST(LocalBackend, FetchOutsideTheLogIsOutOfRange) {
  harness h;
  h.create("t", 1);
  expect_ok(h.produce("t", values(3)));
  auto past = h.fetch("t", 0, 4);
  ASSERT_FALSE(past.has_value());
  EXPECT_EQ(past.error().code, kafka_error::offset_out_of_range);
  EXPECT_NE(past.error().message.find("from 0 to 3"), std::string::npos) << past.error().message;
  auto negative = h.fetch("t", 0, -1);
  ASSERT_FALSE(negative.has_value());
  EXPECT_EQ(negative.error().code, kafka_error::offset_out_of_range);
  auto at_end = h.fetch("t", 0, 3);
  ASSERT_TRUE(at_end.has_value());
  EXPECT_TRUE(at_end->empty());
  auto no_topic = h.fetch("nope", 0, 0);
  ASSERT_FALSE(no_topic.has_value());
  EXPECT_EQ(no_topic.error().code, kafka_error::unknown_topic_or_partition);
  auto no_partition = h.fetch("t", 1, 0);
  ASSERT_FALSE(no_partition.has_value());
  EXPECT_EQ(no_partition.error().code, kafka_error::unknown_topic_or_partition);
}

TEST(LocalBackend, AWaitingFetchIsWokenByAProduce) {
  harness h;
  h.create("t", 1);
  expect_ok(h.produce("t", values(2)));
  // A minute: far beyond the test's run; the produce has to end the wait.
  auto pending = h.fetch_async({"t", 0, 2, 1 << 20, 60s});
  expect_ok(h.produce("t", {rec("k", "late", 0)}));
  auto got = pending.get();
  ASSERT_TRUE(got.has_value()) << got.error().message;
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().offset, 2);
  EXPECT_EQ(got->front().value, "late");
  EXPECT_EQ(h.backend->waiting_fetches(), 0u);
}

TEST(LocalBackend, AWaitingFetchTimesOutEmpty) {
  harness h;
  h.create("t", 1);
  auto got = h.fetch_async({"t", 0, 0, 1 << 20, 20ms}).get();
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->empty());
  EXPECT_EQ(h.backend->waiting_fetches(), 0u);
}

TEST(LocalBackend, WaitsRacingWakesAndTimeoutsAreAnsweredOnce) {
  harness h;
  h.create("t", 1, {{"brook.durability", "interval"}});
  constexpr int n = 300;
  std::vector<std::atomic<int>> calls(n);
  std::atomic<bool> fetching{true};
  std::thread producer([&] {
    while (fetching.load()) {
      expect_ok(h.produce("t", values(1)));
    }
  });
  for (int i = 0; i < n; ++i) {
    int64_t end = h.api().offsets("t", 0)->end;
    h.backend->fetch({"t", 0, end, 1 << 20, std::chrono::milliseconds(i % 4)},
                     [&calls, i](const records_outcome& r) {
                       // Those still waiting at stop() are answered with an error.
                       if (!r) {
                         EXPECT_EQ(r.error().message, "The server is shutting down");
                       }
                       calls[i].fetch_add(1);
                     });
  }
  fetching.store(false);
  producer.join();
  h.backend->stop();
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(calls[i].load(), 1) << i;
  }
}

// A transaction marker (a control batch), as the transaction coordinator appends it.
std::string control_batch() {
  return protocol::build_marker_batch(7, 0, protocol::control_type::commit, 0, 1'000);
}

TEST(LocalBackend, ControlBatchesAreSkippedAndDoNotEndAWait) {
  harness h;
  h.create("t", 1);
  auto log = h.b->topics().find("t")->partition(0);
  auto pending = h.fetch_async({"t", 0, 0, 1 << 20, 60s});
  std::string marker = control_batch();
  storage::append_options as_marker;
  as_marker.markers = true;
  ASSERT_TRUE(log->append_and_wait(test::bytes_of(marker), as_marker).has_value());
  expect_ok(h.produce("t", {rec("k", "after", 0)}));
  auto got = pending.get();
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().offset, 1);
  EXPECT_EQ(got->front().value, "after");
}

TEST(LocalBackend, StopAnswersWaitingFetchesAtOnce) {
  harness h;
  h.create("t", 1);
  auto pending = h.fetch_async({"t", 0, 0, 1 << 20, 600s});
  EXPECT_EQ(h.backend->waiting_fetches(), 1u);
  h.backend->stop();
  auto got = pending.get();
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(h.backend->waiting_fetches(), 0u);
  auto later = h.fetch_async({"t", 0, 0, 1 << 20, 600s}).get();
  EXPECT_FALSE(later.has_value());
}

TEST(LocalBackend, LogAppendTimeTopicsAnswerWithTheBrokersTime) {
  harness h;
  h.create("t", 1, {{"message.timestamp.type", "LogAppendTime"}});
  produce_record r = rec("k", "v", 0);
  r.timestamp_ms = 5;
  auto out = h.produce("t", {r});
  expect_ok(out);
  EXPECT_GT(out[0].timestamp_ms, 1'600'000'000'000);
  auto got = h.fetch("t", 0, 0);
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_TRUE(got->front().log_append_time);
  EXPECT_EQ(got->front().timestamp_ms, out[0].timestamp_ms);
}

TEST(LocalBackend, IntervalDurabilityAndANegativeTimestamp) {
  harness h;
  h.create("t", 1, {{"brook.durability", "interval"}});
  produce_record bad = rec("k", "v", 0);
  bad.timestamp_ms = -5;
  auto out = h.produce("t", {rec("k", "v", 0), bad});
  EXPECT_FALSE(out[0].error);
  ASSERT_TRUE(out[1].error);
  EXPECT_EQ(out[1].error->code, kafka_error::invalid_timestamp);
}

TEST(LocalBackend, CreateDescribeListAndDeleteTopics) {
  broker::broker_config config;
  config.default_partitions = 2;
  config.node_id = 7;
  harness h(config);
  auto created = h.api().create_topic({"a", -1, -1, {{"retention.ms", "1000"}}, false});
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->partitions.size(), 2u);
  auto d = h.api().describe_topic("a");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->name, "a");
  EXPECT_EQ(d->replication_factor, 1);
  ASSERT_EQ(d->partitions.size(), 2u);
  EXPECT_EQ(d->partitions[1].id, 1);
  EXPECT_EQ(d->partitions[1].leader, 7);
  EXPECT_EQ(d->partitions[1].replicas, std::vector<int32_t>{7});
  EXPECT_EQ(d->configs, (std::map<std::string, std::string>{{"retention.ms", "1000"}}));
  ASSERT_TRUE(h.api().create_topic({"b", 3, 1, {}, false}).has_value());
  auto list = h.api().list_topics();
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 2u);

  auto code = [&](new_topic t) { return h.api().create_topic(t).error().code; };
  EXPECT_EQ(code({"a", 1, 1, {}, false}), kafka_error::topic_already_exists);
  EXPECT_EQ(code({"c", 1, 3, {}, false}), kafka_error::invalid_replication_factor);
  EXPECT_EQ(code({"c", 1, 0, {}, false}), kafka_error::invalid_replication_factor);
  EXPECT_EQ(code({"c", 0, 1, {}, false}), kafka_error::invalid_partitions);
  EXPECT_EQ(code({"bad name!", 1, 1, {}, false}), kafka_error::invalid_topic_exception);
  EXPECT_EQ(code({"c", 1, 1, {{"retention.ms", "soon"}}, false}), kafka_error::invalid_config);
  auto dry = h.api().create_topic({"c", 4, 1, {}, true});
  ASSERT_TRUE(dry.has_value());
  EXPECT_EQ(dry->partitions.size(), 4u);
  EXPECT_FALSE(h.api().describe_topic("c").has_value());

  auto missing = h.api().describe_topic("zzz");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, kafka_error::unknown_topic_or_partition);
  EXPECT_EQ(missing.error().message, "Topic 'zzz' not found");

  EXPECT_TRUE(h.api().delete_topic("a").has_value());
  EXPECT_FALSE(h.api().describe_topic("a").has_value());
  auto again = h.api().delete_topic("a");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, kafka_error::unknown_topic_or_partition);
}

std::map<std::string, config_entry> by_name(const std::vector<config_entry>& entries) {
  std::map<std::string, config_entry> out;
  for (const auto& e : entries) {
    out[e.name] = e;
  }
  return out;
}

TEST(LocalBackend, TopicConfigsListEveryKeyAndAlterAllOrNothing) {
  harness h;
  h.create("t", 1, {{"retention.ms", "1000"}});
  auto listed = h.api().topic_configs("t");
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), storage::topic_config_names().size());
  auto configs = by_name(*listed);
  EXPECT_EQ(configs["retention.ms"].value, "1000");
  EXPECT_EQ(configs["retention.ms"].source, "DYNAMIC_TOPIC_CONFIG");
  EXPECT_FALSE(configs["retention.ms"].is_default);
  EXPECT_EQ(configs["max.message.bytes"].value, "1048588");
  EXPECT_EQ(configs["max.message.bytes"].source, "DEFAULT_CONFIG");
  EXPECT_TRUE(configs["max.message.bytes"].is_default);

  auto retention = [&] { return by_name(h.api().topic_configs("t").value())["retention.ms"]; };
  // validate_only changes nothing; a bad value refuses every change.
  EXPECT_TRUE(h.api().alter_topic_configs("t", {{"retention.ms", "2000"}}, true).has_value());
  EXPECT_EQ(retention().value, "1000");
  auto bad = h.api().alter_topic_configs("t", {{"retention.ms", "2000"}, {"segment.bytes", "tiny"}},
                                         false);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, kafka_error::invalid_config);
  EXPECT_EQ(retention().value, "1000");
  auto unknown = h.api().alter_topic_configs("t", {{"no.such.key", "1"}}, false);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, kafka_error::invalid_config);

  ASSERT_TRUE(
      h.api()
          .alter_topic_configs("t", {{"retention.ms", "2000"}, {"max.message.bytes", "500"}}, false)
          .has_value());
  EXPECT_EQ(retention().value, "2000");
  EXPECT_EQ(h.b->topics().find("t")->config.max_message_bytes, 500u);
  ASSERT_TRUE(
      h.api().alter_topic_configs("t", {{"retention.ms", std::nullopt}}, false).has_value());
  EXPECT_EQ(retention().source, "DEFAULT_CONFIG");
  EXPECT_EQ(h.api().describe_topic("t")->configs,
            (std::map<std::string, std::string>{{"max.message.bytes", "500"}}));

  EXPECT_EQ(h.api().topic_configs("x").error().code, kafka_error::unknown_topic_or_partition);
  EXPECT_EQ(h.api().alter_topic_configs("x", {}, false).error().code,
            kafka_error::unknown_topic_or_partition);
}

TEST(LocalBackend, OffsetsAreTheLogStartAndTheHighWatermark) {
  harness h;
  h.create("t", 2);
  expect_ok(h.produce("t", values(5)));
  auto o = h.api().offsets("t", 0);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->beginning, 0);
  EXPECT_EQ(o->end, 5);
  ASSERT_TRUE(h.b->topics().find("t")->partition(0)->delete_records_before(2).has_value());
  EXPECT_EQ(h.api().offsets("t", 0)->beginning, 2);
  EXPECT_EQ(h.api().offsets("t", 1)->end, 0);
  EXPECT_EQ(h.api().offsets("t", 2).error().code, kafka_error::unknown_topic_or_partition);
  EXPECT_EQ(h.api().offsets("x", 0).error().code, kafka_error::unknown_topic_or_partition);
  auto below = h.fetch("t", 0, 1);
  ASSERT_FALSE(below.has_value());
  EXPECT_EQ(below.error().code, kafka_error::offset_out_of_range);
}

TEST(LocalBackend, Cluster) {
  broker::broker_config config;
  config.node_id = 3;
  harness h(config);
  auto c = h.api().cluster();
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->cluster_id, h.b->cluster_id());
  EXPECT_EQ(c->controller_id, 3);
  ASSERT_EQ(c->brokers.size(), 1u);
  EXPECT_EQ(c->brokers[0].id, 3);
  EXPECT_EQ(c->brokers[0].host, "127.0.0.1");
  EXPECT_EQ(c->brokers[0].port, 19092);
}

// A consumer session left open when the backend stops: stop() returns (the session's timer
// no longer holds the wait thread) and the session has left its group.
TEST(LocalBackend, StopEndsOpenConsumerSessions) {
  broker::group::group_config groups;
  groups.initial_rebalance_delay_ms = 0;
  test::broker_fixture f({}, groups);
  local_backend backend(*f.b);
  consumer_options o;
  o.group = "g";
  o.client_id = "c";
  auto session = backend.open_consumer(o);
  std::promise<outcome<void>> subscribed;
  session->subscribe({"t"}, std::nullopt,
                     [&](outcome<void> r) { subscribed.set_value(std::move(r)); });
  ASSERT_TRUE(subscribed.get_future().get().has_value());
  // The join is answered on the wait thread; wait (bounded) until the coordinator has it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (f.groups->describe("g").members.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(f.groups->describe("g").members.size(), 1u);
  backend.stop();
  EXPECT_TRUE(f.groups->describe("g").members.empty());
}

// Keeps what the process-wide logger writes while it lives (info and up).
class log_capture {
 public:
  log_capture() : _sink(std::make_shared<sink>()) {
    _level = spdlog::default_logger()->level();
    spdlog::default_logger()->set_level(spdlog::level::info);
    spdlog::default_logger()->sinks().push_back(_sink);
  }
  ~log_capture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), _sink), sinks.end());
    spdlog::default_logger()->set_level(_level);
  }
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;

  // How many messages contain `text`.
  size_t count(const std::string& text) const {
    std::lock_guard lock(_sink->mutex);
    return static_cast<size_t>(
        std::count_if(_sink->messages.begin(), _sink->messages.end(),
                      [&](const std::string& m) { return m.find(text) != std::string::npos; }));
  }

 private:
  struct sink : spdlog::sinks::sink {
    void log(const spdlog::details::log_msg& msg) override {
      std::lock_guard lock(mutex);
      messages.emplace_back(msg.payload.data(), msg.payload.size());
    }
    void flush() override {}
    void set_pattern(const std::string&) override {}
    void set_formatter(std::unique_ptr<spdlog::formatter>) override {}
    mutable std::mutex mutex;
    std::vector<std::string> messages;
  };
  std::shared_ptr<sink> _sink;
  spdlog::level::level_enum _level;
};

// A session refused by the group (another member speaks a different protocol type) keeps
// trying, less and less often, and joins once that member has left.
TEST(LocalBackend, ASessionRefusedByItsGroupJoinsOnceTheGroupAcceptsIt) {
  broker::group::group_config groups;
  groups.initial_rebalance_delay_ms = 0;
  test::broker_fixture f({}, groups);
  local_backend backend(*f.b);
  log_capture logged;
  broker::group::join_request other;
  other.group_id = "g";
  other.client_id = "connect-worker";
  other.session_timeout_ms = 60000;
  other.rebalance_timeout_ms = 60000;
  other.protocol_type = "connect";
  other.protocols = {{"default", {}}};
  std::promise<broker::group::join_result> joined;
  f.groups->join(other, [&](broker::group::join_result r) { joined.set_value(std::move(r)); });
  auto first = joined.get_future().get();
  ASSERT_EQ(first.error, kafka_error::none);

  consumer_options o;
  o.group = "g";
  o.client_id = "rest-consumer";
  auto session = backend.open_consumer(o);
  std::promise<outcome<void>> subscribed;
  session->subscribe({"t"}, std::nullopt,
                     [&](outcome<void> r) { subscribed.set_value(std::move(r)); });
  ASSERT_TRUE(subscribed.get_future().get().has_value());
  auto client_ids = [&] {
    std::vector<std::string> out;
    for (const auto& m : f.groups->describe("g").members) {
      out.push_back(m.client_id);
    }
    return out;
  };
  // Refused: the warning says why, once, however often the session tries again.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (logged.count("cannot join the group: INCONSISTENT_GROUP_PROTOCOL") == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(logged.count("cannot join the group: INCONSISTENT_GROUP_PROTOCOL"), 1u);
  EXPECT_EQ(client_ids(), std::vector<std::string>{"connect-worker"});

  f.groups->leave("g", {{first.member_id, std::nullopt}});
  while (client_ids() != std::vector<std::string>{"rest-consumer"} &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(client_ids(), std::vector<std::string>{"rest-consumer"});
  EXPECT_EQ(logged.count("cannot join the group"), 1u);
  EXPECT_EQ(logged.count("joined after"), 1u);
  backend.stop();
}

// A session opened after the backend stopped answers every call with an error and holds
// nothing (no timer keeps a stopped backend's thread).
TEST(LocalBackend, ASessionOpenedAfterStopAnswersWithAnError) {
  test::broker_fixture f;
  local_backend backend(*f.b);
  backend.stop();
  consumer_options o;
  o.group = "g";
  auto session = backend.open_consumer(o);
  std::promise<outcome<void>> subscribed;
  session->subscribe({"t"}, std::nullopt,
                     [&](outcome<void> r) { subscribed.set_value(std::move(r)); });
  EXPECT_FALSE(subscribed.get_future().get().has_value());
  std::promise<outcome<poll_result>> polled;
  session->poll({}, [&](outcome<poll_result> r) { polled.set_value(std::move(r)); });
  EXPECT_FALSE(polled.get_future().get().has_value());
  EXPECT_TRUE(f.groups->describe("g").members.empty());
}

}  // namespace
}  // namespace brook::backend

namespace brook::backend {
namespace {

// Commits `offset` for the group outside group management, as an admin tool would.
void commit(harness& h, const std::string& group, const std::string& topic, int32_t partition,
            int64_t offset) {
  broker::group::offset_commit_request req;
  req.group_id = group;
  req.offsets.push_back({topic, partition, offset, -1, std::string("m")});
  std::promise<std::vector<kafka_error>> done;
  h.groups->commit_offsets(std::move(req),
                           [&done](std::vector<kafka_error> e) { done.set_value(std::move(e)); });
  auto errors = done.get_future().get();
  ASSERT_EQ(errors.size(), 1u);
  ASSERT_EQ(errors[0], kafka_error::none);
}

TEST(LocalBackendGroups, ListDescribeAndOffsetsWithLag) {
  harness h;
  h.create("t", 2);
  expect_ok(h.produce("t", values(5)));  // all to partition 0
  commit(h, "g", "t", 0, 2);
  commit(h, "g", "t", 1, 0);
  auto list = h.api().list_groups();
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().group_id, "g");
  EXPECT_EQ(list->front().state, "Empty");
  auto d = h.api().describe_group("g");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->state, "Empty");
  EXPECT_TRUE(d->members.empty());
  auto offsets = h.api().group_offsets("g");
  ASSERT_TRUE(offsets.has_value()) << offsets.error().message;
  ASSERT_EQ(offsets->size(), 2u);
  std::map<int32_t, group_partition_offset> by_partition;
  for (const auto& o : *offsets) {
    by_partition[o.partition] = o;
  }
  EXPECT_EQ(by_partition[0].committed, 2);
  EXPECT_EQ(by_partition[0].end, 5);
  EXPECT_EQ(by_partition[0].lag, 3);
  EXPECT_EQ(by_partition[0].metadata, "m");
  EXPECT_EQ(by_partition[1].lag, 0);
}

TEST(LocalBackendGroups, AnUnknownGroupIsDeadAndHasNoOffsets) {
  harness h;
  auto d = h.api().describe_group("nobody");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->state, "Dead");
  EXPECT_EQ(h.api().group_offsets("nobody").error().code, kafka_error::group_id_not_found);
  EXPECT_EQ(h.api().delete_group("nobody").error().code, kafka_error::group_id_not_found);
}

TEST(LocalBackendGroups, ResetOffsetsOfAnEmptyGroupAndRefusedWithMembers) {
  harness h;
  h.create("t", 1);
  expect_ok(h.produce("t", values(4)));
  commit(h, "g", "t", 0, 4);
  ASSERT_TRUE(h.api().reset_group_offsets("g", {{"t", 0, 1}}).has_value());
  EXPECT_EQ(h.api().group_offsets("g")->front().committed, 1);
  EXPECT_EQ(h.api().group_offsets("g")->front().lag, 3);
  EXPECT_EQ(h.api().reset_group_offsets("g", {{"t", 0, -3}}).error().code,
            kafka_error::invalid_request);
  EXPECT_EQ(h.api().reset_group_offsets("g", {{"t", 7, 0}}).error().code,
            kafka_error::unknown_topic_or_partition);

  // A member joins (its join waits for the initial rebalance delay): the group is active.
  broker::group::join_request j;
  j.group_id = "g";
  j.client_id = "c";
  j.session_timeout_ms = 10000;
  j.rebalance_timeout_ms = 10000;
  j.protocol_type = "consumer";
  j.protocols = {{"range", {std::byte{0}}}};
  h.groups->join(std::move(j), [](broker::group::join_result) {});
  auto refused = h.api().reset_group_offsets("g", {{"t", 0, 0}});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, kafka_error::rebalance_in_progress);
  EXPECT_EQ(h.api().group_offsets("g")->front().committed, 1);
  EXPECT_EQ(h.api().delete_group("g").error().code, kafka_error::non_empty_group);
}

TEST(LocalBackendGroups, DeleteAnEmptyGroupRemovesItsOffsets) {
  harness h;
  h.create("t", 1);
  commit(h, "g", "t", 0, 0);
  ASSERT_TRUE(h.api().delete_group("g").has_value());
  EXPECT_EQ(h.api().group_offsets("g").error().code, kafka_error::group_id_not_found);
  EXPECT_TRUE(h.api().list_groups()->empty());
}

TEST(LocalBackend, DeleteRecordsMovesTheLogStart) {
  harness h;
  h.create("t", 1);
  expect_ok(h.produce("t", values(6)));
  auto start = h.api().delete_records("t", 0, 4);
  ASSERT_TRUE(start.has_value()) << start.error().message;
  EXPECT_EQ(*start, 4);
  EXPECT_EQ(h.api().offsets("t", 0)->beginning, 4);
  EXPECT_EQ(h.api().delete_records("t", 0, 9).error().code, kafka_error::offset_out_of_range);
  EXPECT_EQ(h.api().delete_records("t", 3, 0).error().code,
            kafka_error::unknown_topic_or_partition);
  EXPECT_EQ(*h.api().delete_records("t", 0, -1), 6);  // -1: up to the high watermark
  auto read = h.fetch("t", 0, 4);
  EXPECT_EQ(read.error().code, kafka_error::offset_out_of_range);
}

TEST(LocalBackend, CreatePartitionsGrowsATopicOnly) {
  harness h;
  h.create("t", 1);
  ASSERT_TRUE(h.api().create_partitions("t", 3).has_value());
  EXPECT_EQ(h.api().describe_topic("t")->partitions.size(), 3u);
  EXPECT_EQ(h.api().create_partitions("t", 3).error().code, kafka_error::invalid_partitions);
  EXPECT_FALSE(h.api().create_partitions("t", 2).has_value());
  ASSERT_TRUE(h.api().create_partitions("t", 5, true).has_value());
  EXPECT_EQ(h.api().describe_topic("t")->partitions.size(), 3u);
  EXPECT_EQ(h.api().create_partitions("x", 2).error().code,
            kafka_error::unknown_topic_or_partition);
}

}  // namespace
}  // namespace brook::backend
