#include "base/metric_histogram.h"

#include <algorithm>

#include "base/assert.h"

namespace brook {

namespace {
constexpr double latency[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                              0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
constexpr double sizes[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};
}  // namespace

metric_histogram::metric_histogram(std::span<const double> bounds)
    : _bounds(bounds), _buckets(new std::atomic<uint64_t>[bounds.size() + 1]) {
  BROOK_ASSERT(std::is_sorted(bounds.begin(), bounds.end()), "histogram bounds must increase");
  for (size_t i = 0; i <= bounds.size(); ++i) {
    _buckets[i].store(0, std::memory_order_relaxed);
  }
}

void metric_histogram::observe(double value) {
  // Prometheus buckets are "less than or equal": the first bound not below the value.
  const auto at = std::lower_bound(_bounds.begin(), _bounds.end(), value) - _bounds.begin();
  _buckets[static_cast<size_t>(at)].fetch_add(1, std::memory_order_relaxed);
  _sum.fetch_add(value, std::memory_order_relaxed);
}

metric_histogram::snapshot metric_histogram::read() const {
  snapshot s;
  s.bounds = _bounds;
  s.cumulative.resize(_bounds.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= _bounds.size(); ++i) {
    total += _buckets[i].load(std::memory_order_relaxed);
    s.cumulative[i] = total;
  }
  s.sum = _sum.load(std::memory_order_relaxed);
  return s;
}

std::span<const double> metric_histogram::latency_bounds() {
  return latency;
}

std::span<const double> metric_histogram::size_bounds() {
  return sizes;
}

}  // namespace brook
