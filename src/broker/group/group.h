// One consumer group as the coordinator holds it: its state (Kafka's classic group
// protocol: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead), generation,
// members and committed offsets. Plain data: group_coordinator drives the transitions
// under its lock (group_coordinator.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// Times since the epoch in the groups (state_since_ms, commit times) are wall-clock ms and
// the time points are steady-clock times, both read from the coordinator's group_clock.
#include "base/clock.h"
#include "protocol/kafka_error.h"

namespace brook::broker::group {

using clock = std::chrono::steady_clock;
using bytes = std::vector<std::byte>;
using protocol::kafka_error;

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable, dead };

// Kafka's names: "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead".
const char* state_name(group_state s);
// The state of a name, case-insensitive (ListGroups' states filter); nullopt if unknown.
std::optional<group_state> parse_state(std::string_view name);

struct protocol_entry {
  std::string name;
  bytes metadata;
  bool operator==(const protocol_entry&) const = default;
};

// A member as JoinGroup's leader sees it.
struct join_member {
  std::string member_id;
  std::optional<std::string> instance_id;
  bytes metadata;
};

struct join_result {
  kafka_error error = kafka_error::none;
  int32_t generation = -1;
  std::string protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<join_member> members;  // for the leader only
};
using join_callback = std::function<void(join_result)>;

struct sync_result {
  kafka_error error = kafka_error::none;
  std::string protocol_type;
  std::optional<std::string> protocol_name;
  bytes assignment;
};
using sync_callback = std::function<void(sync_result)>;

struct member {
  std::string id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<protocol_entry> protocols;  // in the member's order of preference
  bytes assignment;
  join_callback awaiting_join;  // set while its JoinGroup waits for the rebalance
  sync_callback awaiting_sync;  // set while its SyncGroup waits for the leader
  bool is_new = false;          // joined in the current rebalance, not yet answered
  clock::time_point last_heartbeat;

  // The metadata the member gave for `protocol` (empty if none).
  const bytes& metadata_for(const std::string& protocol) const;
};

struct committed {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_time_ms = 0;
};

using topic_partition = std::pair<std::string, int32_t>;

struct group {
  std::string id;
  group_state state = group_state::empty;
  int32_t generation = 0;
  std::string protocol_type;  // empty: the group only stores offsets
  std::optional<std::string> protocol_name;
  std::string leader;  // member id; empty when none
  std::map<std::string, member> members;
  // Member ids handed out with MEMBER_ID_REQUIRED, not yet joined, and when they expire.
  std::map<std::string, clock::time_point> pending_members;
  std::map<std::string, std::string> static_members;  // instance id -> member id
  std::map<topic_partition, committed> offsets;
  // When the current state began, in wall-clock ms (offset expiry of an empty group).
  int64_t state_since_ms = 0;
  // The rebalance: when PreparingRebalance gives up waiting, and whether that is the
  // initial delay of a group that was empty (which new joins extend).
  clock::time_point join_deadline;
  clock::time_point rebalance_started;
  bool initial_delay = false;
  // CompletingRebalance: when the members that were told to sync are given up on.
  clock::time_point sync_deadline;

  bool has_member(const std::string& member_id) const { return members.contains(member_id); }
  // A static member's request whose member id is not the instance's current one.
  bool is_fenced(const std::optional<std::string>& instance_id, const std::string& member_id) const;
  // The largest rebalance timeout of the members (how long a rebalance may wait).
  int32_t rebalance_timeout_ms() const;
  bool all_members_joined() const;
  // The protocol every member supports that the most members prefer (ties: the first
  // preferred by the earliest member); nullopt if no protocol is common to all.
  std::optional<std::string> select_protocol() const;
  // Whether a member with this protocol type and these protocols could join.
  bool supports(const std::string& type, const std::vector<protocol_entry>& protocols) const;
  // The topics the members subscribe to, from the consumer protocol's metadata (empty for
  // other protocol types).
  std::vector<std::string> subscribed_topics() const;
};

}  // namespace brook::broker::group
