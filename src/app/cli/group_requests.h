// group_requests: the requests that more than one `brook group` action sends
// (DescribeGroups, OffsetFetch, ListOffsets).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/group_cli.h"
#include "protocol/messages/describe_groups.h"

namespace brook::app::group_cli {

// DescribeGroups for one group, from its coordinator `c`; an unknown group has state Dead.
outcome<protocol::describe_groups_response::described_group> describe_group(
    kafka_client& c, const std::string& group);

// The coordinator of `group` and the group as it describes it.
struct coordinated_group {
  kafka_client* coordinator = nullptr;
  protocol::describe_groups_response::described_group group;
};
outcome<coordinated_group> describe_at_coordinator(kafka_cluster& cl, const std::string& group);

// A partition's log end offset and lag as the broker measured them (Brook's OffsetFetch
// extension, doc/kafka-protocol.md).
struct measured_lag {
  int64_t log_end = -1;
  std::optional<int64_t> lag_ms;  // none when the broker could not tell
};

// The group's committed offsets: of `only`, or of every partition it has committed. With
// `lag`, asks the broker for each partition's lag too (OffsetFetch v6+ with the tagged
// field brook_include_lag): a Brook broker answers it, into `lag`; any other ignores it.
outcome<std::map<topic_partition, int64_t>> committed_offsets(
    kafka_client& c, const std::string& group, const std::vector<topic_partition>* only,
    std::map<topic_partition, measured_lag>* lag = nullptr);

struct listed_offset {
  int64_t offset = -1;
  int16_t error_code = 0;
};

// ListOffsets for `timestamp` (-2 earliest, -1 latest, or milliseconds), each partition
// asked of its leader (kafka_cluster::metadata must have named the partitions).
outcome<std::map<topic_partition, listed_offset>> list_offsets(
    kafka_cluster& cl, const std::vector<topic_partition>& parts, int64_t timestamp);

}  // namespace brook::app::group_cli
