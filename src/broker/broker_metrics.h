// broker_metrics: every family /metrics shows about the broker, written at scrape time:
// the Kafka APIs and the fetch path (kafka_metrics), the flusher (group commit and
// fdatasync), each partition (records, batches and bytes in, bytes out, log start and end
// offsets, size on disk, segments) and each consumer group (members, state, rebalances, and
// its lag per partition in records and in seconds, from group_lag). Reads only: atomics,
// the topic table's and the coordinator's short locks, and for lag in seconds the batch
// header at each group's committed offset (one read from the page cache).
//
// Label cardinality: topic x partition for the partition families; group for the group
// families; group x topic x partition for lag (only partitions the group committed in).
// doc/operations.md lists every family.
#pragma once

#include "base/metrics_writer.h"

namespace brook::broker {

class broker;

void write_broker_metrics(broker& b, metrics_writer& w);

}  // namespace brook::broker
