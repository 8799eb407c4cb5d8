// produce_service: appending records to a partition, once for every front door. Kafka's
// Produce handler hands it the batches a client sent; the local event backend (REST Proxy,
// later sinks' dead-letter topics and the registry) hands it batches it built. The rules
// about where records may go and when an append is acknowledged live here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "broker/topic_table.h"
#include "protocol/kafka_result.h"
#include "protocol/record_batch.h"

namespace brook::broker {

// An acknowledged append.
struct appended {
  int64_t base_offset = -1;
  int64_t log_append_time_ms = -1;  // -1 unless the topic stamps LogAppendTime
  int64_t log_start_offset = -1;
};

class write_health;

class produce_service {
 public:
  using append_callback = std::function<void(protocol::kafka_result<appended>)>;

  // Appends' outcomes tell `writes` whether the data directory takes writes.
  explicit produce_service(write_health& writes) : _writes(writes) {}

  // Appends `batches` (record batches v2, one or more, rewritten in place with their
  // offsets) to partition `partition` of `t`. `done` runs exactly once, on any thread (often
  // the flusher's), when the append is as durable as the topic asks, or failed.
  // `acks` is the producer's (-1: all in-sync replicas). The topic's configs apply here:
  // min.insync.replicas above 1 refuses acks=all (NOT_ENOUGH_REPLICAS: a partition has one
  // replica); message.timestamp.{before,after,difference}.max.ms refuse CreateTime records
  // too far from the broker's clock (INVALID_TIMESTAMP); cleanup.policy with compact refuses
  // records without a key (INVALID_RECORD); both name the records in record_errors
  // (KIP-467); compression.type recompresses batches that arrive with another codec.
  // `admit`, if given, is asked of each batch under the log's append lock
  // (storage::append_options::admit; a refusal is INVALID_TXN_STATE).
  void append(const topic& t, int32_t partition, std::span<std::byte> batches, int16_t acks,
              append_callback done,
              std::function<bool(const protocol::batch_header&)> admit = nullptr);

 private:
  write_health& _writes;
};

}  // namespace brook::broker
