// rate_pacer: spaces events evenly at a target rate. The n-th turn is due at
// start + n / rate (an absolute schedule, so sleep overshoot does not accumulate); a caller
// that falls more than one interval behind skips the missed turns instead of bursting to
// catch up.
#pragma once

#include <cstdint>

namespace brook::app {

class rate_pacer {
 public:
  // per_second <= 0: no pacing, wait_turn() returns at once.
  explicit rate_pacer(double per_second);

  // Sleeps until the next turn is due.
  void wait_turn();

  // Turns given up because the caller was late.
  uint64_t skipped() const { return _skipped; }

 private:
  int64_t _interval_ns = 0;
  int64_t _next_ns = 0;  // CLOCK_MONOTONIC; 0 until the first turn
  uint64_t _skipped = 0;
};

}  // namespace brook::app
