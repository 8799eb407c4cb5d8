// kafka_metrics: what the Kafka port served, per API (requests, errors by code, latency,
// bytes in and out) and on the fetch path (long polls, record bytes sent with sendfile or
// copied through TLS). Recorded once per request by the connection when the answer is
// ready, so no handler counts anything itself; read by /metrics. Fixed arrays indexed by
// API key and error code: recording is a few relaxed atomic adds, never a lock or a map.
// Label cardinality: `api` is one of the APIs served (about 30), `error` one of Kafka's
// error names (about 120).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>

#include "base/metric_counter.h"
#include "base/metric_histogram.h"
#include "base/metrics_writer.h"

namespace brook::broker {

class kafka_metrics {
 public:
  kafka_metrics();

  // One request of `api_key` answered after `elapsed`, its frame `bytes_in` long, its
  // answer `bytes_out`, with the nonzero error codes the answer holds.
  void record_request(int16_t api_key, std::chrono::nanoseconds elapsed, uint64_t bytes_in,
                      uint64_t bytes_out, std::span<const int16_t> errors);
  // A Fetch that waited for data; `timed_out` when max_wait_ms ended the wait.
  void record_long_poll(bool timed_out);
  // Record bytes sent from a segment file, with sendfile or through TLS.
  void record_file_bytes(uint64_t bytes, bool sendfile);

  void write(metrics_writer& w) const;

 private:
  static constexpr size_t max_api_key = 128;
  static constexpr int16_t min_error = -1;
  static constexpr size_t error_codes = 160;  // -1 .. 158
  struct api_counters {
    metric_counter requests;
    metric_counter bytes_in;
    metric_counter bytes_out;
    metric_histogram latency{metric_histogram::latency_bounds()};
    std::array<metric_counter, error_codes> errors;
  };
  std::array<std::unique_ptr<api_counters>, max_api_key> _apis;  // the APIs served only
  metric_counter _long_polls_answered;
  metric_counter _long_polls_timed_out;
  metric_counter _sendfile_bytes;
  metric_counter _copied_file_bytes;
};

}  // namespace brook::broker
