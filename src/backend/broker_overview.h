// broker_overview: what the console's Overview and Topics pages show of the in-process
// broker (beside local_backend: both read the broker itself; http/ sees only this) (GET
// /v1/overview, GET /v1/topics): its listeners, the data directory's disk, and per topic its size,
// records and traffic, with rates. A sampler thread reads the partitions' traffic counters every
// `interval` and keeps the last `keep` samples of the totals (the live throughput chart: 10 minutes
// at 5 s by default); rates are per second between the last two samples. Reading is cheap: one pass
// over the partitions, no I/O but one statvfs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace brook::broker {
class broker;
}

namespace brook::backend {

struct listener_summary {
  std::string name;               // "SASL_PLAINTEXT"
  std::string security_protocol;  // "SASL_PLAINTEXT"
  std::string host;
  uint16_t port = 0;  // bound
  std::string advertised_host;
  uint16_t advertised_port = 0;
};

struct traffic_totals {
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  uint64_t records_in = 0;
};

struct traffic_rates {
  double bytes_in = 0;  // per second
  double bytes_out = 0;
  double records_in = 0;
};

struct topic_summary {
  std::string name;
  int32_t partitions = 0;
  bool internal = false;
  uint64_t size_bytes = 0;
  int64_t records = 0;         // log end - log start, summed (compaction may leave fewer)
  int64_t retention_ms = 0;    // < 0: kept forever
  std::string cleanup_policy;  // "delete", "compact", "compact,delete"
  traffic_totals totals;
  traffic_rates rates;  // over the last sampling interval
};

struct traffic_sample {
  int64_t at_ms = 0;  // wall clock
  traffic_totals totals;
  traffic_rates rates;  // since the previous sample
};

struct broker_summary {
  int64_t started_at_ms = 0;
  std::string data_dir;
  uint64_t disk_total_bytes = 0;
  uint64_t disk_free_bytes = 0;  // available to Brook (statvfs f_bavail)
  uint64_t log_bytes = 0;        // every partition's segments
  std::vector<listener_summary> listeners;
  std::vector<topic_summary> topics;    // by name
  traffic_totals totals;                // every topic's, now
  std::vector<traffic_sample> history;  // oldest first
};

class broker_overview {
 public:
  broker_overview(broker::broker& b, std::vector<listener_summary> listeners,
                  std::chrono::milliseconds interval = std::chrono::seconds(5), size_t keep = 120);
  ~broker_overview();
  broker_overview(const broker_overview&) = delete;
  broker_overview& operator=(const broker_overview&) = delete;

  broker_summary summary() const;
  // Takes a sample now (the sampler thread does every interval; tests call it).
  void sample();

 private:
  struct reading {
    std::chrono::steady_clock::time_point at;
    traffic_totals totals;
  };
  static traffic_rates rate(const reading& older, const reading& newer);

  broker::broker& _broker;
  const std::vector<listener_summary> _listeners;
  const std::chrono::milliseconds _interval;
  const size_t _keep;
  const int64_t _started_at_ms;

  mutable std::mutex _mutex;
  std::deque<traffic_sample> _history;
  std::optional<reading> _last_total;
  // Per topic: the two last readings (rates between them).
  std::map<std::string, std::pair<reading, reading>> _topics;

  std::condition_variable _wake;
  bool _stopping = false;
  std::thread _sampler;
};

}  // namespace brook::backend
