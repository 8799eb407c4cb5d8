// metric_counter: a count that only goes up (requests served, bytes sent), read by /metrics.
// Increments are one relaxed atomic add: safe from any thread, never a lock on the data path.
#pragma once

#include <atomic>
#include <cstdint>

namespace brook {

class metric_counter {
 public:
  void add(uint64_t n = 1) { _value.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return _value.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> _value{0};
};

}  // namespace brook
