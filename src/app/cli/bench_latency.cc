#include "app/cli/bench_latency.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <ctime>

namespace brook::app {

int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Values below 256 have a bucket each. Above, a value whose highest bit is m is shifted
// right by m - 7, leaving a mantissa in [128, 256); the bucket is shift * 128 + mantissa,
// which continues the first 256 without a gap.
int latency_histogram::bucket_of(uint64_t v) {
  int msb = 63 - std::countl_zero(v | 1);
  int shift = std::max(0, msb - sub_bits);
  return shift * (1 << sub_bits) + static_cast<int>(v >> shift);
}

uint64_t latency_histogram::bucket_middle(int index) {
  if (index < 2 * (1 << sub_bits)) {
    return static_cast<uint64_t>(index);
  }
  int shift = index / (1 << sub_bits) - 1;
  uint64_t mantissa = static_cast<uint64_t>(index - shift * (1 << sub_bits));
  return (mantissa << shift) + ((uint64_t{1} << shift) >> 1);
}

void latency_histogram::record(int64_t nanoseconds) {
  uint64_t v = nanoseconds < 0 ? 0 : static_cast<uint64_t>(nanoseconds);
  ++_buckets[bucket_of(v)];
  ++_count;
  _max = std::max(_max, static_cast<int64_t>(v));
}

int64_t latency_histogram::percentile(double q) const {
  if (_count == 0) {
    return 0;
  }
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(_count)));
  rank = std::clamp<uint64_t>(rank, 1, _count);
  uint64_t seen = 0;
  for (int i = 0; i < bucket_count; ++i) {
    seen += _buckets[i];
    if (seen >= rank) {
      return std::min(static_cast<int64_t>(bucket_middle(i)), _max);
    }
  }
  return _max;
}

}  // namespace brook::app
