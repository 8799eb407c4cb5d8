// consumer_session: a consumer in a consumer group, served by an event backend: what the
// REST Proxy's stateful consumers (and later the console and the sinks) read through. It
// behaves as Kafka's KafkaConsumer with eager rebalancing: subscribe to topics or a
// pattern (the session is then a member of the group, next to Kafka clients, and the
// group assigns its partitions), or assign partitions by hand; poll from the positions;
// seek; commit; close.
//
// Positions: for every assigned partition, the offset of the next record a poll returns.
// A new assignment starts each partition at the group's committed offset, else where
// the reset policy says (earliest, latest; under `none` the partition has no position
// until a seek, and polls name it in poll_result::without_offset). A poll moves the
// positions past the records it returns; with auto commit the positions are committed
// every auto_commit_interval, before a rebalance takes partitions away, and on close.
//
// Every call answers through its callback exactly once, on any thread; calls may come
// from any thread. Polls of one session run one at a time, in the order they came.
// Errors are Kafka error codes with a message (outcome<T>, as the rest of the backend).
#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backend/outcome.h"
#include "protocol/record_batch.h"

namespace brook::backend {

struct topic_partition {
  std::string topic;
  int32_t partition = 0;

  // clang-tidy 14 reports a defaulted <=> as comparing a pointer with 0 (a false positive).
  auto operator<=>(const topic_partition&) const = default;  // NOLINT(modernize-use-nullptr)
};

enum class reset_policy { earliest, latest, none };

struct consumer_options {
  std::string group;
  std::string client_id;
  std::string client_host;  // how `brook group describe` shows the member's host
  // Static membership (Kafka's group.instance.id, KIP-345): a member that comes back under
  // the same id takes its old place at once, with no rebalance wait (the sinks use it).
  std::optional<std::string> instance_id;
  reset_policy reset = reset_policy::latest;
  bool auto_commit = true;
  std::chrono::milliseconds auto_commit_interval{5000};
  std::chrono::milliseconds session_timeout{45000};
  std::chrono::milliseconds rebalance_timeout{60000};
};

// A seek target: an offset, or the log's start or end.
struct seek_target {
  static constexpr int64_t beginning = -2;
  static constexpr int64_t end = -1;

  topic_partition partition;
  int64_t offset = 0;  // >= 0, or beginning, or end
};

struct offset_commit {
  topic_partition partition;
  int64_t offset = 0;  // the next offset to read
  std::optional<std::string> metadata;
};

struct committed_position {
  topic_partition partition;
  int64_t offset = 0;  // the next offset the group reads
  std::string metadata;
};

struct consumed_record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<protocol::record_header> headers;
};

struct poll_request {
  std::chrono::milliseconds max_wait{0};  // wait up to this long for min_bytes
  size_t min_bytes = 1;                   // answer once key and value bytes reach this
  // Key and value bytes together stay within this; a record that would pass it waits for
  // the next poll (one larger than max_bytes is never returned).
  size_t max_bytes = size_t{64} << 20;
};

struct poll_result {
  std::vector<consumed_record> records;  // in offset order within each partition
  // Assigned partitions with no position under reset `none`: seek them. When any are
  // there, the poll answers at once with no records.
  std::vector<topic_partition> without_offset;
};

class consumer_session {
 public:
  template <typename T>
  using callback = std::function<void(outcome<T>)>;

  virtual ~consumer_session() = default;

  // Replaces the subscription (topics, or the topics matching `pattern`) and (re)joins the
  // group in the background; the group's assignment arrives later (assignment() shows it).
  virtual void subscribe(std::vector<std::string> topics, std::optional<std::string> pattern,
                         callback<void> done) = 0;
  // Assigns exactly `partitions` by hand (no group membership). Partitions assigned already
  // keep their positions.
  virtual void assign(std::vector<topic_partition> partitions, callback<void> done) = 0;
  // Leaves the group (committing first with auto commit) or drops the manual assignment.
  virtual void unsubscribe(callback<void> done) = 0;
  // The partitions assigned now. Thread-safe snapshot.
  virtual std::vector<topic_partition> assignment() const = 0;

  // Moves positions; targets naming a partition not assigned now are left out.
  virtual void seek(std::vector<seek_target> targets, callback<void> done) = 0;
  virtual void poll(poll_request request, callback<poll_result> done) = 0;
  // Commits `offsets`, or the positions of the assigned partitions when nullopt.
  virtual void commit(std::optional<std::vector<offset_commit>> offsets, callback<void> done) = 0;
  virtual void committed(std::vector<topic_partition> partitions,
                         callback<std::vector<committed_position>> done) = 0;
  // Commits with auto commit, leaves the group, answers a waiting poll. Later calls answer
  // with an error. Idempotent.
  virtual void close(callback<void> done) = 0;
};

}  // namespace brook::backend
