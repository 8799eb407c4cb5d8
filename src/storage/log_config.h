// log_config: the per-topic settings the storage engine honours, with Kafka's names in the
// comments. Defaults are Kafka's, except durability: Brook acknowledges after fdatasync.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>

#include "base/result.h"
#include "protocol/compression.h"

namespace brook::storage {

enum class durability {
  // Appends complete after their bytes are on disk (fdatasync). Concurrent appends, to
  // this partition and to others, share flushes (group commit). Readers see a batch
  // only once it is durable.
  sync,
  // Appends complete after the write to the page cache; a background flush runs every
  // flush_interval. A machine crash (not a process crash) can lose the last interval.
  interval,
};

// message.timestamp.type: which time a batch carries once appended.
enum class timestamp_type {
  create_time,      // the producer's timestamps, as sent
  log_append_time,  // the broker's clock at append (append_options::log_append_time)
};

struct log_config {
  uint64_t segment_bytes = 1024ull * 1024 * 1024;                  // segment.bytes
  std::chrono::milliseconds segment_ms{7LL * 24 * 3600 * 1000};    // segment.ms
  int64_t retention_bytes = -1;                                    // retention.bytes, -1: none
  std::chrono::milliseconds retention_ms{7LL * 24 * 3600 * 1000};  // retention.ms, <0: none
  uint32_t max_message_bytes = 1024 * 1024 + 12;                   // max.message.bytes
  uint32_t index_interval_bytes = 4096;                            // index.interval.bytes
  enum durability durability = durability::sync;                   // brook.durability
  std::chrono::milliseconds flush_interval{1000};                  // flush.ms (interval mode)
  // message.timestamp.type
  enum timestamp_type timestamp_type = timestamp_type::create_time;
  // message.timestamp.difference.max.ms, .before.max.ms, .after.max.ms: how far a
  // CreateTime record's timestamp may be from the broker's clock (checked by the broker's
  // produce service, not by storage).
  int64_t timestamp_difference_max_ms = std::numeric_limits<int64_t>::max();
  int64_t timestamp_before_max_ms = std::numeric_limits<int64_t>::max();
  int64_t timestamp_after_max_ms = std::numeric_limits<int64_t>::max();
  // compression.type: the codec batches are stored with (recompressed by the produce
  // service when they arrive with another); nullopt is "producer": as they arrive.
  std::optional<protocol::compression> compression;
  // min.insync.replicas: appends with acks=all need this many in-sync replicas; a Brook
  // partition has one.
  int32_t min_insync_replicas = 1;
  // cleanup.policy: `delete` removes old segments by retention.ms and retention.bytes;
  // `compact` keeps the last record of each key (storage/log_cleaner.h); both may be on,
  // or neither (data kept until DeleteRecords or the topic goes).
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  int64_t delete_retention_ms = 86'400'000;  // delete.retention.ms: tombstones kept this long
  int64_t min_compaction_lag_ms = 0;         // min.compaction.lag.ms
  int64_t max_compaction_lag_ms = std::numeric_limits<int64_t>::max();  // max.compaction.lag.ms
  double min_cleanable_dirty_ratio = 0.5;                               // min.cleanable.dirty.ratio

  // Checks ranges: segments of at least 14 bytes (Kafka's minimum) and at most 2 GiB
  // (positions are int32).
  status validate() const;
};

}  // namespace brook::storage
