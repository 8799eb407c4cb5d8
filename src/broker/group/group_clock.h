// group_clock: where the group coordinator reads the time. Deadlines (session timeouts,
// rebalance and sync deadlines, pending member ids) are measured on `steady`; commit times,
// the time a group became empty and offset expiry in wall-clock milliseconds from `wall_ms`.
// `brook serve` uses the real clocks (the default); a test gives its own and moves time on
// without sleeping. Both are called from any thread, the coordinator's timer included.
#pragma once

#include <cstdint>
#include <functional>

#include "base/clock.h"
#include "broker/group/group.h"

namespace brook::broker::group {

struct group_clock {
  std::function<clock::time_point()> steady = [] { return clock::now(); };
  std::function<int64_t()> wall_ms = [] { return wall_clock_ms(); };
};

}  // namespace brook::broker::group
