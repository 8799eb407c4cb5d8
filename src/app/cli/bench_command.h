// `brook bench produce|consume|e2e`: a load generator built on librdkafka, so that a real
// client measures the broker. Prints records/s, MB/s and latency percentiles (p50, p99,
// p99.9, max), as text or as one JSON object (--json). Exit status: 0 when every record
// was delivered or read, 1 when the run failed (broker unreachable, delivery errors,
// records missing), 2 for bad options.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "app/cli/command_outcome.h"

namespace CLI {
class App;
}

namespace brook::app {

struct bench_options {
  std::string mode;  // produce, consume or e2e
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic = "brook-bench";
  int64_t record_size = 1024;        // value bytes per record; no key
  int64_t count = 0;                 // records; 0: not given
  double duration_s = 0;             // seconds; 0: not given
  int32_t partitions = 0;            // create the topic so; 0: use it as it is
  std::string acks = "all";          // 0, 1, all (-1)
  std::string compression = "none";  // none, gzip, snappy, lz4, zstd
  int32_t linger_ms = -1;            // -1: 5 (librdkafka's) for produce, 0 for e2e
  int32_t batch_size = -1;           // -1: librdkafka's default (1,000,000)
  double rate = 0;                   // records/s; 0: as fast as possible
  // produce: commit a transaction every this many records (0: not transactional).
  int64_t transaction_records = 0;
  bool json = false;
  // More librdkafka properties for the producer and the consumer (-X name=value), such as
  // security.protocol, sasl.*, ssl.ca.location: what a secured listener needs.
  std::vector<std::string> properties;
  // The producer options given (--acks, --rate, ...): consume refuses them.
  std::vector<std::string> producer_options_given;
};

// Adds the `bench` subcommand and its options to `app`; parsing fills `options`.
CLI::App* add_bench_command(CLI::App& app, bench_options& options);

// Checks what a parser cannot check alone; the error says which option is wrong.
done validate_bench_options(const bench_options& options);

// Runs the benchmark (after validation) and prints its report to `out`, progress and
// errors to `err`. Returns the exit status.
int run_bench(const bench_options& options, std::ostream& out, std::ostream& err);

}  // namespace brook::app
