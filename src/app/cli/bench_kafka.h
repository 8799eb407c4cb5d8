// What `brook bench` needs of librdkafka beyond producing and consuming: owning handles,
// configuration, creating the topic, its partition count and watermarks. Every error
// carries librdkafka's own text, since the person reading it is debugging a broker.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/cli/command_outcome.h"

namespace brook::app {

struct kafka_handle_deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using kafka_handle = std::unique_ptr<rd_kafka_t, kafka_handle_deleter>;

struct kafka_conf_deleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using kafka_conf = std::unique_ptr<rd_kafka_conf_t, kafka_conf_deleter>;

struct kafka_topic_deleter {
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
};
using kafka_topic = std::unique_ptr<rd_kafka_topic_t, kafka_topic_deleter>;

using property_list = std::vector<std::pair<std::string, std::string>>;

// A configuration with every property set, or the first one librdkafka refused.
outcome<kafka_conf> make_conf(const property_list& properties);

// The partitions of `topic` as the cluster reports them, waiting up to `timeout` for the
// topic to appear (a topic just created, or auto-created by this very request).
outcome<int32_t> partition_count(rd_kafka_t* rk, const std::string& topic,
                                 std::chrono::milliseconds timeout);

// Creates `topic` with `partitions` partitions through the admin API (CreateTopics) unless
// it exists. Returns the partition count the topic has afterwards, which differs from
// `partitions` when it already existed with another count.
outcome<int32_t> ensure_topic(rd_kafka_t* rk, const std::string& topic, int32_t partitions,
                              std::chrono::milliseconds timeout);

struct watermarks {
  int64_t low;
  int64_t high;
};
// Low and high watermark of each partition, asked of the broker (ListOffsets).
outcome<std::vector<watermarks>> query_watermarks(rd_kafka_t* rk, const std::string& topic,
                                                  int32_t partitions,
                                                  std::chrono::milliseconds timeout);

}  // namespace brook::app
