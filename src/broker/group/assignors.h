// assignors: the "consumer" protocol's eager assignors as Kafka's clients run them in the
// group leader, for Brook's own group members (the REST Proxy's consumer sessions). When
// such a member leads a group it assigns every member's partitions, Kafka clients'
// included, exactly as their own assignors of the same name would:
//   range:      per topic, the partitions in order split into contiguous ranges over the
//               members subscribed to it (sorted by member id); the first
//               `partitions % members` members get one more.
//   roundrobin: every subscribed partition (topics sorted, partitions in order) dealt in
//               turn to the members (sorted by member id), skipping members not
//               subscribed to its topic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace brook::broker::group {

// The protocol names, in the order a Brook member prefers them.
inline constexpr const char* range_assignor = "range";
inline constexpr const char* roundrobin_assignor = "roundrobin";

// Member id -> topic -> partitions. Every member is in the answer (with no partitions if
// it gets none). nullopt when `assignor` is not one of the above. `partition_counts` holds
// the topics that exist (topic -> partition count); subscribed topics missing from it are
// not assigned.
std::optional<std::map<std::string, std::map<std::string, std::vector<int32_t>>>> assign(
    const std::string& assignor, const std::map<std::string, std::vector<std::string>>& members,
    const std::map<std::string, int32_t>& partition_counts);

}  // namespace brook::broker::group
