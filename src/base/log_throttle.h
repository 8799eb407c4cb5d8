// log_throttle: at most one log line per interval for an event that a client can repeat at
// will (connections refused, requests for a foreign Host), so a flood of them cannot flood
// the log. Thread-safe; the caller counts what it wants to report in the line it writes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace brook {

class log_throttle {
 public:
  explicit log_throttle(std::chrono::milliseconds interval) : _interval_ms(interval.count()) {}

  // True for the first call, then for the first call after each interval.
  bool allow() {
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    int64_t last = _last_ms.load(std::memory_order_relaxed);
    return (last == never || now - last >= _interval_ms) &&
           _last_ms.compare_exchange_strong(last, now, std::memory_order_relaxed);
  }

 private:
  static constexpr int64_t never = INT64_MIN;
  const int64_t _interval_ms;
  std::atomic<int64_t> _last_ms{never};
};

}  // namespace brook
