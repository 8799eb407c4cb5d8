// s3_sink: records into S3 objects in the Confluent S3 connector's layout, exactly once.
//
// Keys: <topics.dir>/<topic>/<encoded partition>/<topic>+<partition>+<start offset, 10
// digits>.<ext>, the encoded partition "partition=<p>" (DefaultPartitioner) or, with
// partitioner.class TimeBasedPartitioner, path.format applied to the record's timestamp
// floored to partition.duration.ms ('year'=YYYY/'month'=MM/'day'=dd/'hour'=HH, UTC).
// Formats: JsonFormat (each value, which must be JSON, compacted on a line of its own;
// .json, or .json.gz with s3.compression.type gzip) and ByteArrayFormat (each value's bytes
// then format.bytearray.separator, "\n" by default; .bin).
//
// An object is written when it holds flush.size records, when the next record's timestamp
// is rotate.interval.ms or more after its first record's, or when the next record belongs
// to another encoded partition. All three depend only on the records, so a replay after a
// crash (from the committed offset: the first record of the object not yet written)
// writes the same keys with the same contents: exactly-once objects. The offset committed
// for a partition is the first offset of its unwritten object (or past everything taken).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "connect/connector_config.h"
#include "connect/json_fields.h"
#include "connect/s3_client.h"
#include "connect/sink.h"

namespace brook::connect {

struct s3_sink_options {
  s3_settings s3;
  std::string topics_dir = "topics";
  int64_t flush_size = 0;
  int64_t rotate_interval_ms = -1;  // -1: none
  bool bytes = false;               // ByteArrayFormat (else JsonFormat)
  bool gzip = false;                // JsonFormat with s3.compression.type gzip
  std::string separator = "\n";     // ByteArrayFormat
  bool time_based = false;          // TimeBasedPartitioner
  std::string path_format;          // with it
  int64_t partition_duration_ms = 0;

  // The options of `config` (errors recorded in it); credentials from aws.access.key.id and
  // aws.secret.access.key, else the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
  // AWS_SESSION_TOKEN).
  static s3_sink_options from(connector_config& config);
};

// path.format (Joda-style: YYYY, MM, dd, HH, mm, 'literal') applied to `ms` (UTC).
std::string format_s3_path(const std::string& format, int64_t ms);

class s3_sink final : public sink {
 public:
  // Checks that the bucket is there and may be written.
  static sink_result<std::unique_ptr<s3_sink>> open(s3_sink_options options);

  sink_result<std::optional<int64_t>> resume_offset(const topic_partition& tp) override;
  sink_result<std::vector<rejected_record>> put(std::span<const consumed_record> records) override;
  sink_result<std::map<topic_partition, int64_t>> flush() override;

  // The key of the object that starts at `offset` (for tests and the docs' examples).
  std::string key_of(const topic_partition& tp, const std::string& encoded, int64_t offset) const;

 private:
  struct pending_object {
    std::string encoded;  // the encoded partition
    int64_t start_offset = -1;
    int64_t start_timestamp = -1;
    int64_t records = 0;
    std::string body;
  };

  explicit s3_sink(s3_sink_options options) : _options(std::move(options)), _client(_options.s3) {}

  sink_result<void> write_object(const topic_partition& tp, pending_object& o);
  std::string encoded_partition(const consumed_record& r) const;

  s3_sink_options _options;
  s3_client _client;
  std::map<topic_partition, pending_object> _pending;
  std::map<topic_partition, int64_t> _next;  // after the records taken
  json_fields _json;
};

}  // namespace brook::connect
