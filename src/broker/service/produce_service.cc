#include "broker/service/produce_service.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "broker/error_mapping.h"
#include "broker/service/write_health.h"
#include "storage/partition_log.h"

namespace brook::broker {

namespace {
using protocol::kafka_error;
using protocol::kafka_failure;

constexpr int64_t no_limit = std::numeric_limits<int64_t>::max();

bool checks_timestamps(const storage::log_config& c) {
  return c.timestamp_type == storage::timestamp_type::create_time &&
         (c.timestamp_difference_max_ms != no_limit || c.timestamp_before_max_ms != no_limit ||
          c.timestamp_after_max_ms != no_limit);
}

// now + limit, saturating (now - limit cannot overflow: both are >= 0).
int64_t plus(int64_t now, int64_t limit) {
  return limit > no_limit - now ? no_limit : now + limit;
}

// A batch's refused records as Kafka's LogValidator words the partition's error.
kafka_failure rejected(kafka_error code, std::vector<protocol::record_error> errors) {
  std::string message = "One or more records have been rejected due to " +
                        std::to_string(errors.size()) +
                        " record errors in total, and only showing the first three errors at "
                        "most: [";
  for (size_t i = 0; i < errors.size() && i < 3; ++i) {
    message += (i ? ", " : "") + std::string("RecordError(batchIndex=") +
               std::to_string(errors[i].batch_index) + ", message='" +
               errors[i].message.value_or("") + "')";
  }
  message += "]";
  return kafka_failure{code, std::move(message), std::move(errors)};
}

// The topic's rules that look into the records (timestamps, keys of a compacted topic) or
// rebuild batches (a compression.type codec). Returns the batches to append: `batches`
// itself when nothing changes, else `rebuilt`. Batches that do not check out (length, CRC)
// are passed through untouched: the log refuses them with the precise error. A refused
// record fails the partition's append with the records to blame (KIP-467), nothing written.
protocol::kafka_result<std::span<std::byte>> apply_record_rules(const topic& t, int32_t partition,
                                                                std::span<std::byte> batches,
                                                                std::string& rebuilt) {
  const auto& c = t.config;
  bool timestamps = checks_timestamps(c);
  bool keys = c.cleanup_compact;  // a compacted topic needs a key on every record
  if (!timestamps && !keys && !c.compression) {
    return batches;
  }
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  int64_t earliest = now - std::min(c.timestamp_before_max_ms, c.timestamp_difference_max_ms);
  int64_t latest =
      std::min(plus(now, c.timestamp_after_max_ms), plus(now, c.timestamp_difference_max_ms));
  bool changed = false;
  std::string out;
  size_t max_batch = std::max<size_t>(c.max_message_bytes, protocol::batch_layout::header_size);
  for (size_t at = 0; at < batches.size();) {
    auto rest = batches.subspan(at);
    auto header = protocol::validate_batch(rest, std::min(rest.size(), max_batch));
    if (!header) {
      return batches;
    }
    auto bytes = rest.first(header->total_size());
    at += bytes.size();
    bool recompress = c.compression && *c.compression != header->codec() && !header->control() &&
                      !header->transactional();
    bool check_keys = keys && !header->control();
    if (!timestamps && !check_keys && !recompress) {
      out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      continue;
    }
    auto records = protocol::decode_records(bytes);
    if (!records) {
      if (check_keys) {
        // The cleaner could never read it: refused here, where the log would take it.
        return kafka_failure{kafka_error::corrupt_message,
                             "a record batch to compacted topic " + t.name +
                                 " whose records do not decode: " + records.error().message()};
      }
      return batches;  // the log refuses it if its CRC or length is wrong
    }
    std::vector<protocol::record_error> key_errors;
    std::vector<protocol::record_error> timestamp_errors;
    for (size_t i = 0; i < records->size(); ++i) {
      const auto& r = (*records)[i];
      auto index = static_cast<int32_t>(i);
      if (check_keys && r.null_key) {
        key_errors.push_back({index,
                              "Compacted topic cannot accept message without key in topic "
                              "partition " +
                                  t.name + "-" + std::to_string(partition) + "."});
      }
      int64_t ts = header->base_timestamp + r.timestamp_delta;
      if (timestamps && (ts < earliest || ts > latest)) {
        timestamp_errors.push_back(
            {index, "Timestamp " + std::to_string(ts) + " of record " + std::to_string(i) +
                        " of a batch to " + t.name + " is out of range: it must be within [" +
                        std::to_string(earliest) + ", " + std::to_string(latest) +
                        "] (message.timestamp.before.max.ms, .after.max.ms, .difference.max.ms)"});
      }
    }
    if (!timestamp_errors.empty()) {
      // As Kafka: any timestamp error makes the partition's error INVALID_TIMESTAMP.
      auto failure = rejected(kafka_error::invalid_timestamp, std::move(timestamp_errors));
      failure.record_errors.insert(failure.record_errors.end(), key_errors.begin(),
                                   key_errors.end());
      return failure;
    }
    if (!key_errors.empty()) {
      return rejected(kafka_error::invalid_record, std::move(key_errors));
    }
    if (!recompress) {
      out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      continue;
    }
    auto batch =
        protocol::build_batch(*records, header->base_timestamp, *c.compression, header->producer_id,
                              header->producer_epoch, header->base_sequence);
    if (!batch) {
      return kafka_failure{kafka_error::unknown_server_error,
                           "cannot recompress a batch with " +
                               std::string(protocol::compression_name(*c.compression)) + ": " +
                               batch.error().message()};
    }
    out += *batch;
    changed = true;
  }
  if (!changed) {
    return batches;
  }
  rebuilt = std::move(out);
  return std::as_writable_bytes(std::span(rebuilt));
}

}  // namespace

void produce_service::append(const topic& t, int32_t partition, std::span<std::byte> batches,
                             int16_t acks, append_callback done,
                             std::function<bool(const protocol::batch_header&)> admit) {
  auto log = t.partition(partition);
  if (!log) {
    done(kafka_failure{
        kafka_error::unknown_topic_or_partition,
        "Partition " + std::to_string(partition) + " of topic '" + t.name + "' does not exist"});
    return;
  }
  if (batches.empty()) {
    done(kafka_failure{kafka_error::corrupt_message, "empty record set"});
    return;
  }
  if (acks == -1 && t.config.min_insync_replicas > 1) {
    // Kafka's answer on a cluster with fewer in-sync replicas than the topic asks for.
    done(kafka_failure{kafka_error::not_enough_replicas,
                       "The size of the current ISR (1) is insufficient to satisfy the min.isr "
                       "requirement of " +
                           std::to_string(t.config.min_insync_replicas) + " for partition " +
                           t.name + "-" + std::to_string(partition) +
                           ": a Brook partition has one replica"});
    return;
  }
  std::string rebuilt;
  auto to_append = apply_record_rules(t, partition, batches, rebuilt);
  if (!to_append) {
    done(to_append.error());
    return;
  }
  batches = *to_append;
  storage::append_options options;
  options.log_append_time = t.config.timestamp_type == storage::timestamp_type::log_append_time;
  options.admit = std::move(admit);
  log->append(batches, options,
              [this, log, done = std::move(done)](result<storage::append_result> r) {
                if (!r) {
                  _writes.failed(r.error());
                  done(kafka_failure{to_kafka_error(r.error()), r.error().message()});
                  return;
                }
                _writes.succeeded();
                done(appended{r->base_offset, r->log_append_time_ms, log->log_start_offset()});
              });
}

}  // namespace brook::broker
