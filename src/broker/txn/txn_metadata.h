// txn_metadata: what the transaction coordinator knows of one transactional id, Kafka's
// TransactionMetadata: the producer id and epoch it hands out, the transaction's state,
// the partitions and groups it wrote to, and the offsets it will commit. Stored as one
// blob per id in groups.db (encode_txn / decode_txn; doc/formats/groups-db.md).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/result.h"

namespace brook::broker::txn {

// Kafka's transaction states (TransactionState), with their numbers in the stored blob.
enum class txn_state : int8_t {
  empty = 0,            // no transaction open
  ongoing = 1,          // partitions or offsets added, not yet ended
  prepare_commit = 2,   // decided: commit; markers being written
  prepare_abort = 3,    // decided: abort; markers being written
  complete_commit = 4,  // every marker written
  complete_abort = 5,
};
// Kafka's names: "Empty", "Ongoing", "PrepareCommit", ...
std::string_view state_name(txn_state s);
std::optional<txn_state> state_from_name(std::string_view name);

struct txn_partition {
  std::string topic;
  int32_t partition = 0;
  bool operator==(const txn_partition&) const = default;
  bool operator<(const txn_partition& o) const {
    return std::tie(topic, partition) < std::tie(o.topic, o.partition);
  }
};

// An offset a transaction commits for a group when it commits.
struct txn_offset {
  std::string group;
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  bool operator==(const txn_offset&) const = default;
};

struct txn_metadata {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t timeout_ms = 60000;
  txn_state state = txn_state::empty;
  int64_t start_ms = -1;  // when the open transaction began (its first AddPartitions/Offsets)
  int64_t update_ms = 0;  // the last change
  std::set<txn_partition> partitions;
  std::set<std::string> groups;
  std::vector<txn_offset> offsets;  // in the order given; a later one for a partition wins

  bool operator==(const txn_metadata&) const = default;
};

std::vector<std::byte> encode_txn(const txn_metadata& t);
// protocol_errc::malformed (or unsupported_version) for a blob that does not check out.
result<txn_metadata> decode_txn(std::span<const std::byte> blob);

}  // namespace brook::broker::txn
