// time_lookup: the first record of a partition at or after a time, as Kafka's ListOffsets
// answers it: the log's time index finds the batch (partition_log::offset_for_timestamp),
// and the record inside it is found by decoding the batch. The one lookup behind ListOffsets
// and the event backend's offset_for_time (the REST API, the registry's logins).
#pragma once

#include <cstdint>
#include <utility>

#include "storage/partition_log.h"

namespace brook::broker {

// (offset, timestamp) of the first record at or after `target`, or (-1, -1) when none is.
std::pair<int64_t, int64_t> record_offset_for_time(const storage::partition_log& log,
                                                   int64_t target);

}  // namespace brook::broker
