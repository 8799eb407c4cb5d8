// metric_histogram: how observations (latencies in seconds, sizes) are distributed over
// fixed upper bounds, as Prometheus histograms report them: a count per bucket, the sum and
// the count of all observations. observe() is a search over the bounds and two relaxed
// atomic adds, from any thread; a scrape reads a snapshot (buckets cumulative, the last one
// +Inf) that may be a moment behind concurrent observations but never decreases.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace brook {

class metric_histogram {
 public:
  // `bounds`: the buckets' upper bounds, strictly increasing (+Inf is implicit).
  explicit metric_histogram(std::span<const double> bounds);

  void observe(double value);
  void observe(std::chrono::nanoseconds elapsed) {
    observe(std::chrono::duration<double>(elapsed).count());
  }

  struct snapshot {
    std::span<const double> bounds;
    std::vector<uint64_t> cumulative;  // one per bound, then the +Inf bucket (== count)
    double sum = 0;
    uint64_t count() const { return cumulative.empty() ? 0 : cumulative.back(); }
  };
  snapshot read() const;

  // Request and disk latencies in seconds: 100 µs to 10 s.
  static std::span<const double> latency_bounds();
  // Sizes in units (records in a batch, appends in a group commit): 1 to 10,000.
  static std::span<const double> size_bounds();

 private:
  std::span<const double> _bounds;
  std::unique_ptr<std::atomic<uint64_t>[]> _buckets;  // _bounds.size() + 1
  std::atomic<double> _sum{0};
};

}  // namespace brook
