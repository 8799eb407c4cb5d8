// partitioner: Kafka's default choice of partition for a keyed record, so records produced
// through Brook's REST Proxy land where a Java (or librdkafka murmur2_random) producer would
// put them: murmur2 of the key bytes, made positive, modulo the partition count.
#pragma once

#include <cstdint>
#include <string_view>

namespace brook::backend {

// Kafka's variant of MurmurHash2 (org.apache.kafka.common.utils.Utils.murmur2): seed
// 0x9747b28c, 4-byte little-endian blocks, the tail mixed in before the final avalanche.
int32_t murmur2(std::string_view key);

// The partition of `key` among `partition_count` (> 0): (murmur2(key) & 0x7fffffff) %
// partition_count, as Kafka's BuiltInPartitioner.partitionForKey.
int32_t partition_for_key(std::string_view key, int32_t partition_count);

}  // namespace brook::backend
