// The three runs of `brook bench`: produce, consume and e2e. Each returns what it measured
// in a bench_report, or why it could not measure at all.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "app/cli/bench_command.h"
#include "app/cli/bench_kafka.h"
#include "app/cli/bench_latency.h"

namespace brook::app {

struct latency_summary {
  uint64_t samples = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;

  static latency_summary of(const latency_histogram& h);
};

struct bench_report {
  int32_t partitions = 0;
  int32_t linger_ms = -1;  // as configured; -1: librdkafka's default
  uint64_t records = 0;    // delivered (produce) or consumed (consume, e2e)
  uint64_t bytes = 0;      // their values' bytes
  double seconds = 0;      // first send (or assign) to last delivery (or record)
  uint64_t errors = 0;     // records failed, missing, or error events
  std::string first_error;
  uint64_t pacer_skipped = 0;              // sends the pacer gave up because the sender ran late
  std::optional<latency_summary> latency;  // produce: send to delivery report;
                                           // e2e: send to consume
  std::optional<latency_summary> delivery_latency;  // e2e: send to delivery report
};

// `progress` gets warnings (a topic with another partition count than asked, ...).
outcome<bench_report> run_produce(const bench_options& options, std::ostream& progress);
outcome<bench_report> run_consume(const bench_options& options, std::ostream& progress);
outcome<bench_report> run_e2e(const bench_options& options, std::ostream& progress);

}  // namespace brook::app
