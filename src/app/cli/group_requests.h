// group_requests: the requests that more than one `brook group` action sends
// (DescribeGroups, OffsetFetch, ListOffsets).
#pragma once

#include <cstdint>
#include <map>
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

// The group's committed offsets: of `only`, or of every partition it has committed.
outcome<std::map<topic_partition, int64_t>> committed_offsets(
    kafka_client& c, const std::string& group, const std::vector<topic_partition>* only);

struct listed_offset {
  int64_t offset = -1;
  int16_t error_code = 0;
};

// ListOffsets for `timestamp` (-2 earliest, -1 latest, or milliseconds), each partition
// asked of its leader (kafka_cluster::metadata must have named the partitions).
outcome<std::map<topic_partition, listed_offset>> list_offsets(
    kafka_cluster& cl, const std::vector<topic_partition>& parts, int64_t timestamp);

}  // namespace brook::app::group_cli
