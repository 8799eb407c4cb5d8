// group_coordinator: Kafka's classic consumer-group protocol for every group of this
// broker (it coordinates them all: FindCoordinator names this node).
//
// Members join (JoinGroup), the coordinator waits for every known member to rejoin or for
// the rebalance timeout, picks the protocol and the leader and answers every join; the
// leader's SyncGroup hands out the assignments, which are stored before anyone receives
// them, and the group is Stable. Heartbeats keep sessions alive; a member silent for its
// session timeout is removed and the group rebalances. Static members (group.instance.id)
// rejoin under a new member id without a rebalance. The assignors run in the clients, so
// eager and cooperative rebalancing both work unchanged.
//
// Committed offsets and each group's generation, members and assignments live in
// storage::group_store (groups.db): a commit is answered only once it is durable, and the
// groups come back after a restart (their members then have a full session timeout to
// heartbeat again). Offsets of an empty group expire after offsets_retention_ms.
//
// Threads: every call may come from any network thread; one mutex guards all groups.
// Answers (the callbacks) always run after that mutex is released: on the caller's
// thread, the store's writer thread (after a durable write) or the coordinator's timer
// (rebalance and session deadlines, offset expiry), which runs on an executor it is given
// (a network thread in `brook serve`).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "base/result.h"
#include "broker/group/group.h"
#include "broker/group/group_clock.h"
#include "broker/group/group_config.h"
#include "net/deadline_timer.h"

namespace brook::storage {
class group_store;
}

namespace brook::broker::group {

struct join_request {
  std::string group_id;
  std::string member_id;  // empty: a new member
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<protocol_entry> protocols;
  bool require_known_member_id = false;  // JoinGroup v4+
};

struct sync_request {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::optional<std::string> protocol_type;                // v5+
  std::optional<std::string> protocol_name;                // v5+
  std::vector<std::pair<std::string, bytes>> assignments;  // from the leader
};

struct leave_member {
  std::string member_id;
  std::optional<std::string> instance_id;
};

struct leave_result {
  kafka_error error = kafka_error::none;  // the group's
  std::vector<kafka_error> members;       // one per leave_member, in order
};

struct offset_commit_entry {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
};

struct offset_commit_request {
  std::string group_id;
  int32_t generation = -1;  // -1: a commit outside group management
  std::string member_id;
  std::optional<std::string> instance_id;
  std::vector<offset_commit_entry> offsets;
  // The offsets of a transaction that committed (the transaction coordinator's): stored
  // whatever the group's membership now is, as Kafka applies its commit marker.
  bool transactional = false;
};
// One error per entry of the request, in order.
using commit_callback = std::function<void(std::vector<kafka_error>)>;

struct fetched_offset {
  std::string topic;
  int32_t partition = 0;
  committed value;  // offset -1 when nothing is committed
};

struct group_listing {
  std::string group_id;
  std::string protocol_type;
  group_state state = group_state::empty;
  size_t members = 0;
  int32_t generation = 0;  // rebalances completed since the group was created
};

struct member_description {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  bytes metadata;    // for the group's protocol; empty unless Stable
  bytes assignment;  // empty unless Stable
};

struct group_description {
  std::string group_id;
  group_state state = group_state::dead;  // Dead: no such group
  std::string protocol_type;
  std::string protocol_name;  // empty unless Stable
  std::vector<member_description> members;
};

class group_coordinator {
 public:
  // Whether a topic partition exists (commits to others get UNKNOWN_TOPIC_OR_PARTITION).
  using partition_exists_fn = std::function<bool(const std::string&, int32_t)>;

  // Loads every group from `store` and starts the timer on `timer_executor` (whose
  // context outlives the coordinator). The coordinator reads the time from `time` only
  // (tests give a clock they move by hand; it outlives the coordinator).
  static result<std::unique_ptr<group_coordinator>> open(
      group_config config, storage::group_store& store, partition_exists_fn partition_exists,
      boost::asio::any_io_executor timer_executor, group_clock time = {});
  ~group_coordinator();
  group_coordinator(const group_coordinator&) = delete;
  group_coordinator& operator=(const group_coordinator&) = delete;

  // Stops the timer. Waiting joins and syncs are answered COORDINATOR_NOT_AVAILABLE
  // (the network goes down first, so they reach nobody).
  void stop();

  const group_config& config() const { return _config; }

  void join(join_request req, join_callback done);
  void sync(sync_request req, sync_callback done);
  kafka_error heartbeat(const std::string& group_id, const std::string& member_id,
                        const std::optional<std::string>& instance_id, int32_t generation);
  leave_result leave(const std::string& group_id, const std::vector<leave_member>& leaving);

  void commit_offsets(offset_commit_request req, commit_callback done);
  // TxnOffsetCommit's check of the member committing inside a transaction (KIP-447): none
  // when it gives no generation and no member id; else the member must be in the group at
  // that generation (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID).
  kafka_error check_transactional_member(const std::string& group_id, int32_t generation,
                                         const std::string& member_id,
                                         const std::optional<std::string>& instance_id);
  // The committed offsets of the given partitions, or of every partition with one when
  // `partitions` is nullopt. An unknown group has none.
  std::vector<fetched_offset> fetch_offsets(
      const std::string& group_id, const std::optional<std::vector<topic_partition>>& partitions);
  std::vector<group_listing> list_groups();
  group_description describe(const std::string& group_id);
  // One error per group: NONE, GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP (answered once the
  // deletion is durable).
  void delete_groups(std::vector<std::string> group_ids,
                     std::function<void(std::vector<kafka_error>)> done);
  // OffsetDelete: the group's error, then one per partition.
  void delete_offsets(const std::string& group_id, std::vector<topic_partition> partitions,
                      std::function<void(kafka_error, std::vector<kafka_error>)> done);
  // The topic was deleted: its committed offsets go with it.
  void topic_deleted(const std::string& topic);

  // Runs the deadlines due at `now` (the timer calls this with the clock's time; tests may
  // too).
  void run_deadlines(clock::time_point now);
  // Removes the offsets that have outlived their retention at wall-clock `now_ms` (the
  // timer calls this every offsets_retention_check_interval_ms; tests may too).
  void expire_offsets(int64_t now_ms);

 private:
  // A new member's JoinGroup waits at most this long for the rebalance (Kafka's
  // GroupCoordinator.NewMemberJoinTimeoutMs); after that it is dropped and must rejoin.
  static constexpr auto new_member_join_timeout = std::chrono::minutes(5);

  class actions;  // answers gathered under the lock, run after it

  group_coordinator(group_config config, storage::group_store& store,
                    partition_exists_fn partition_exists, boost::asio::any_io_executor executor,
                    group_clock time);
  status load();
  // The timer's callback: the deadlines due, offset expiry when due; returns when to run
  // next (the earliest deadline of any group, as a time of the timer's steady clock).
  clock::time_point on_timer();
  // A deadline was set: the timer runs now and looks again.
  void wake_timer();

  group* find(const std::string& id);
  group& find_or_create(const std::string& id);
  void remove_group(const std::string& id);

  void add_member_and_rebalance(group& g, const join_request& req, const std::string& member_id,
                                join_callback done, actions& out);
  void update_member_and_rebalance(group& g, member& m, const join_request& req, join_callback done,
                                   actions& out);
  void replace_static_member(group& g, const join_request& req, join_callback done, actions& out);
  void maybe_prepare_rebalance(group& g, actions& out);
  void prepare_rebalance(group& g, actions& out);
  void try_complete_join(group& g, actions& out);
  void complete_join(group& g, actions& out);
  void remove_member(group& g, const std::string& member_id, actions& out);
  void answer_join(group& g, member& m, actions& out);
  void store_assignments(group& g, actions& out);
  void persist_state(group& g, actions& out);
  join_result current_join_result(const group& g, const member& m, bool with_members) const;
  bool member_alive(const member& m, clock::time_point now) const;

  group_config _config;
  group_clock _clock;
  storage::group_store& _store;
  partition_exists_fn _partition_exists;

  std::mutex _mutex;
  std::map<std::string, std::unique_ptr<group>> _groups;

  clock::time_point _next_expiry;  // of offsets; the timer's alone
  bool _stopped = false;
  net::deadline_timer _timer;  // last: it calls into everything above
};

}  // namespace brook::broker::group
