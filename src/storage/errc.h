// The storage module's own errors. I/O failures stay std::system_category codes (ENOSPC,
// EIO, ...); these name what the storage engine itself decided.
#pragma once

#include <system_error>

namespace brook::storage {

enum class errc {
  offset_out_of_range = 1,  // read or seek outside [log start, high watermark]
  batch_too_large,          // batch above max.message.bytes
  empty_append,             // append of zero bytes
  log_failed,               // an earlier flush failed: the log refuses writes until reopened
  log_closed,               // the log was closed
  bad_index,                // index file malformed (rebuilt on open)
  bad_file_name,            // a file in a partition directory that Brook does not name
  bad_directory_name,       // a directory that is not <topic>-<partition>
  invalid_config,           // a configuration value out of range
  offsets_not_rising,       // a batch's base offset is not above the previous batch's last
  // Idempotent producers (producer_state.h). A duplicate batch is not an error: the append
  // succeeds with append_result::duplicate and the original offsets.
  out_of_order_sequence,   // not the next sequence: Kafka's OUT_OF_ORDER_SEQUENCE_NUMBER (45)
  invalid_producer_epoch,  // an epoch below the producer's current one: INVALID_PRODUCER_EPOCH (47)
  invalid_sequence,        // a producer id with a negative base sequence: INVALID_RECORD (87)
  bad_snapshot,            // producer state snapshot malformed (ignored, state rebuilt on open)
  data_dir_locked,         // another process holds the data directory's lock (data_dir_lock.h)
  corrupt_segment,         // a sealed segment read by the cleaner does not parse
  cleaning_stopped,        // the log cleaner was asked to stop (shutdown)
  cleaner_map_too_small,   // not one batch of a dirty segment fits in the cleaner's map
  control_batch_refused,   // a control batch from a producer: only the broker writes markers
  transaction_refused,     // append_options::admit refused a batch: INVALID_TXN_STATE (48)
};

const std::error_category& storage_category();
std::error_code make_error_code(errc e);

}  // namespace brook::storage

template <>
struct std::is_error_code_enum<brook::storage::errc> : std::true_type {};
