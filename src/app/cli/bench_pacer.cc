#include "app/cli/bench_pacer.h"

#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cmath>

#include "app/cli/bench_latency.h"

namespace brook::app {

rate_pacer::rate_pacer(double per_second) {
  if (per_second > 0) {
    _interval_ns = std::max<int64_t>(1, std::llround(1e9 / per_second));
    // The calling thread's default timer slack (50 us) would be half the interval at
    // 10,000/s.
    prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
  }
}

void rate_pacer::wait_turn() {
  if (_interval_ns == 0) {
    return;
  }
  int64_t now = monotonic_ns();
  if (_next_ns == 0) {
    _next_ns = now;
  } else if (now - _next_ns > _interval_ns) {
    _skipped += static_cast<uint64_t>((now - _next_ns) / _interval_ns);
    _next_ns = now;
  }
  if (_next_ns > now) {
    timespec due{static_cast<time_t>(_next_ns / 1'000'000'000),
                 static_cast<long>(_next_ns % 1'000'000'000)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, nullptr) == EINTR) {
    }
  }
  _next_ns += _interval_ns;
}

}  // namespace brook::app
