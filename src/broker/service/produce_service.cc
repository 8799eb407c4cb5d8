#include "broker/service/produce_service.h"

#include "broker/error_mapping.h"
#include "broker/service/write_health.h"
#include "storage/partition_log.h"

namespace brook::broker {

namespace {
using protocol::kafka_error;
using protocol::kafka_failure;
}  // namespace

void produce_service::append(const topic& t, int32_t partition, std::span<std::byte> batches,
                             append_callback done) {
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
  storage::append_options options;
  options.log_append_time = t.config.timestamp_type == storage::timestamp_type::log_append_time;
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
