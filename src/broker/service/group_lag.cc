#include "broker/service/group_lag.h"

#include <algorithm>

#include "broker/broker.h"
#include "broker/group/group_coordinator.h"

namespace brook::broker {

partition_lag partition_lag_of(broker& b, std::string topic, int32_t partition, int64_t committed,
                               int64_t now_ms) {
  partition_lag l;
  l.topic = std::move(topic);
  l.partition = partition;
  l.committed = committed;
  auto t = b.topics().find(l.topic);
  auto log = t ? t->partition(l.partition) : nullptr;
  int64_t stable = -1;
  if (log) {
    l.end = log->high_watermark();
    stable = log->last_stable_offset();
  }
  if (l.committed >= 0 && l.end >= 0) {
    // What a read_committed consumer can still read: up to the last stable offset (the
    // high watermark unless a transaction is open).
    l.records = std::max<int64_t>(0, stable - l.committed);
    if (l.records == 0) {
      l.seconds = 0.0;
    } else if (auto ts = log->timestamp_at(l.committed)) {
      l.seconds = static_cast<double>(std::max<int64_t>(0, now_ms - *ts)) / 1000.0;
    }
  }
  return l;
}

std::vector<partition_lag> group_lag(broker& b, const std::string& group, int64_t now_ms) {
  auto fetched = b.groups().fetch_offsets(group, std::nullopt);
  std::vector<partition_lag> out;
  out.reserve(fetched.size());
  for (auto& f : fetched) {
    auto l = partition_lag_of(b, std::move(f.topic), f.partition, f.value.offset, now_ms);
    l.metadata = std::move(f.value.metadata);
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace brook::broker
