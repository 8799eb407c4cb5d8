// group_lag: how far a consumer group is behind, per partition it committed in, measured by
// the broker from the committed offsets and the partition logs (no client fetch): in
// records (the last stable offset - committed: what a read_committed consumer still has to
// read; the high watermark - committed unless a transaction is open) and in seconds (now - the
// timestamp of the first record not yet consumed; 0 once caught up). The one computation behind the
// local backend's group offsets (GET /v1/groups/{group}/lag, the REST v3 lags), OffsetFetch's
// brook_include_lag (`brook group describe`) and the lag families of /metrics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace brook::broker {

class broker;

struct partition_lag {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = -1;  // -1: nothing committed
  std::string metadata;    // the commit's metadata string
  int64_t end = -1;        // the high watermark; -1 when the partition is gone
  // The last stable offset - committed (never below 0): end - committed unless a
  // transaction is open; -1 when either is unknown.
  int64_t records = -1;
  // Seconds since the first unconsumed record was written (its timestamp); 0 when caught
  // up; nullopt when unknown (nothing committed, the partition gone or unreadable).
  std::optional<double> seconds;
};

// The lag of every partition `group` has a committed offset in (none for an unknown
// group), at wall-clock `now_ms`.
std::vector<partition_lag> group_lag(broker& b, const std::string& group, int64_t now_ms);

// The lag of one partition whose group committed `committed` (-1: nothing), at `now_ms`
// (OffsetFetch with brook_include_lag).
partition_lag partition_lag_of(broker& b, std::string topic, int32_t partition, int64_t committed,
                               int64_t now_ms);

}  // namespace brook::broker
