// Settings of the group coordinator (doc/configuration.md, `groups.*`), with Kafka's
// defaults.
#pragma once

#include <cstdint>

namespace brook::broker::group {

struct group_config {
  // group.initial.rebalance.delay.ms: how long the first rebalance of an empty group waits
  // for more members (extended by each join, up to the rebalance timeout).
  int64_t initial_rebalance_delay_ms = 3000;
  // group.min/max.session.timeout.ms: the session timeouts members may ask for.
  int32_t min_session_timeout_ms = 6000;
  int32_t max_session_timeout_ms = 1800000;
  // group.max.size: members per group; 0 is unlimited.
  int32_t max_size = 0;
  // offsets.retention.minutes, in ms: committed offsets of an empty group are removed this
  // long after the group became empty (or, for groups that only store offsets, after the
  // commit).
  int64_t offsets_retention_ms = 7LL * 24 * 60 * 60 * 1000;
  // offsets.retention.check.interval.ms
  int64_t offsets_retention_check_interval_ms = 600000;
  // offset.metadata.max.bytes: larger commit metadata gets OFFSET_METADATA_TOO_LARGE.
  int32_t offset_metadata_max_bytes = 4096;
};

}  // namespace brook::broker::group
