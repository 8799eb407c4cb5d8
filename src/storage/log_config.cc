#include "storage/log_config.h"

#include "storage/errc.h"

namespace brook::storage {

status log_config::validate() const {
  constexpr uint64_t max_segment = (1ull << 31) - 1;
  if (segment_bytes < 14 || segment_bytes > max_segment || segment_ms.count() <= 0 ||
      max_message_bytes < 64 || index_interval_bytes == 0 || flush_interval.count() <= 0 ||
      timestamp_difference_max_ms < 0 || timestamp_before_max_ms < 0 ||
      timestamp_after_max_ms < 0 || min_insync_replicas < 1 || delete_retention_ms < 0 ||
      min_compaction_lag_ms < 0 || max_compaction_lag_ms < 1 ||
      min_compaction_lag_ms > max_compaction_lag_ms || !(min_cleanable_dirty_ratio >= 0) ||
      min_cleanable_dirty_ratio > 1) {
    return errc::invalid_config;
  }
  return {};
}

}  // namespace brook::storage
