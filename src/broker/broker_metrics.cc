#include "broker/broker_metrics.h"

#include <chrono>
#include <string>
#include <vector>

#include "base/clock.h"
#include "broker/broker.h"
#include "broker/group/group.h"
#include "broker/group/group_coordinator.h"
#include "broker/service/group_lag.h"

namespace brook::broker {

namespace {

struct partition_sample {
  std::string topic;
  std::string partition;
  std::shared_ptr<storage::partition_log> log;
};

void write_partitions(broker& b, metrics_writer& w) {
  std::vector<partition_sample> all;
  for (const auto& t : b.topics().list()) {
    for (int32_t p = 0; p < t->partition_count(); ++p) {
      if (auto log = t->partition(p)) {
        all.push_back({t->name, std::to_string(p), std::move(log)});
      }
    }
  }
  auto each = [&all, &w](auto value) {
    for (const auto& s : all) {
      w.value({{"topic", s.topic}, {"partition", s.partition}}, value(*s.log));
    }
  };
  using log = storage::partition_log;
  w.counter("brook_partition_records_in", "Records appended to the partition (its offsets).");
  each([](const log& l) { return l.traffic().records_in.value(); });
  w.counter("brook_partition_batches_in", "Record batches appended to the partition.");
  each([](const log& l) { return l.traffic().batches_in.value(); });
  w.counter("brook_partition_bytes_in", "Record batch bytes appended to the partition.");
  each([](const log& l) { return l.traffic().bytes_in.value(); });
  w.counter("brook_partition_bytes_out",
            "Record batch bytes read from the partition by consumers (Kafka Fetch, REST).");
  each([](const log& l) { return l.traffic().bytes_out.value(); });
  w.gauge("brook_partition_log_start_offset", "The first offset the partition keeps.");
  each([](const log& l) { return l.log_start_offset(); });
  w.gauge("brook_partition_log_end_offset",
          "The high watermark: the offset the next record gets once durable.");
  each([](const log& l) { return l.high_watermark(); });
  w.gauge("brook_partition_size_bytes", "Bytes of the partition's segments on disk.");
  each([](const log& l) { return l.size_bytes(); });
  w.gauge("brook_partition_segments", "Segments of the partition.");
  each([](const log& l) { return static_cast<uint64_t>(l.segment_count()); });
}

void write_groups(broker& b, metrics_writer& w) {
  auto groups = b.groups().list_groups();
  w.gauge("brook_consumer_group_members", "Members of the consumer group.");
  for (const auto& g : groups) {
    w.value({{"group", g.group_id}}, static_cast<uint64_t>(g.members));
  }
  w.gauge("brook_consumer_group_state",
          "1 for the consumer group's current state (Empty, PreparingRebalance, "
          "CompletingRebalance, Stable, Dead).");
  for (const auto& g : groups) {
    w.value({{"group", g.group_id}, {"state", group::state_name(g.state)}}, uint64_t{1});
  }
  w.counter("brook_consumer_group_rebalances",
            "Rebalances the consumer group completed (its generation).");
  for (const auto& g : groups) {
    w.value({{"group", g.group_id}}, static_cast<uint64_t>(std::max(g.generation, 0)));
  }
  // Lag: one pass over the groups, then the two families.
  struct lag_sample {
    std::string group;
    partition_lag lag;
    std::string partition;
  };
  std::vector<lag_sample> lags;
  const int64_t now_ms = epoch_ms(std::chrono::system_clock::now());
  for (const auto& g : groups) {
    for (auto& l : group_lag(b, g.group_id, now_ms)) {
      if (l.records >= 0) {
        std::string p = std::to_string(l.partition);
        lags.push_back({g.group_id, std::move(l), std::move(p)});
      }
    }
  }
  w.gauge("brook_consumer_group_lag_records",
          "Records the consumer group has yet to consume in the partition (log end offset - "
          "committed offset), computed by the broker.");
  for (const auto& s : lags) {
    w.value({{"group", s.group}, {"topic", s.lag.topic}, {"partition", s.partition}},
            s.lag.records);
  }
  w.gauge("brook_consumer_group_lag_seconds",
          "Age of the first record the consumer group has yet to consume in the partition "
          "(now - its timestamp); 0 when caught up.");
  for (const auto& s : lags) {
    if (s.lag.seconds) {
      w.value({{"group", s.group}, {"topic", s.lag.topic}, {"partition", s.partition}},
              *s.lag.seconds);
    }
  }
}

}  // namespace

void write_broker_metrics(broker& b, metrics_writer& w) {
  b.metrics().write(w);
  b.logs().log_flusher().write_metrics(w);
  write_partitions(b, w);
  write_groups(b, w);
}

}  // namespace brook::broker
