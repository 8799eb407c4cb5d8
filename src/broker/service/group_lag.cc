#include "broker/service/group_lag.h"

#include <algorithm>

#include "broker/broker.h"
#include "broker/group/group_coordinator.h"

namespace brook::broker {

std::vector<partition_lag> group_lag(broker& b, const std::string& group, int64_t now_ms) {
  auto fetched = b.groups().fetch_offsets(group, std::nullopt);
  std::vector<partition_lag> out;
  out.reserve(fetched.size());
  for (auto& f : fetched) {
    partition_lag l;
    l.topic = std::move(f.topic);
    l.partition = f.partition;
    l.committed = f.value.offset;
    l.metadata = std::move(f.value.metadata);
    auto t = b.topics().find(l.topic);
    auto log = t ? t->partition(l.partition) : nullptr;
    if (log) {
      l.end = log->high_watermark();
    }
    if (l.committed >= 0 && l.end >= 0) {
      l.records = std::max<int64_t>(0, l.end - l.committed);
      if (l.records == 0) {
        l.seconds = 0.0;
      } else if (auto ts = log->timestamp_at(l.committed)) {
        l.seconds = static_cast<double>(std::max<int64_t>(0, now_ms - *ts)) / 1000.0;
      }
    }
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace brook::broker
