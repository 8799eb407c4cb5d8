// latency_histogram: latencies in nanoseconds, counted in log-linear buckets (128 per
// power of two, so any percentile is within 0.8 % of the true value) so that a run of
// any length needs the same 60 KB. The maximum is kept exactly. Not thread-safe: one
// thread records.
#pragma once

#include <array>
#include <cstdint>

namespace brook::app {

// CLOCK_MONOTONIC in nanoseconds: the one clock of every latency measured.
int64_t monotonic_ns();

class latency_histogram {
 public:
  void record(int64_t nanoseconds);

  uint64_t count() const { return _count; }
  int64_t max() const { return _max; }
  // The value under which a fraction `q` (0 < q <= 1) of the samples lie, in nanoseconds;
  // 0 when empty.
  int64_t percentile(double q) const;

 private:
  static constexpr int sub_bits = 7;  // 128 buckets per power of two above 256 ns
  static constexpr int bucket_count = (64 - sub_bits) * (1 << sub_bits) + (1 << sub_bits);

  static int bucket_of(uint64_t v);
  static uint64_t bucket_middle(int index);

  std::array<uint64_t, bucket_count> _buckets{};
  uint64_t _count = 0;
  int64_t _max = 0;
};

}  // namespace brook::app
