// event_backend: what the HTTP layer (REST Proxy, later the registry, sinks and console)
// needs from an event store: topic metadata and administration, produce, fetch, offsets,
// consumer groups and consumer sessions (members of a group, consumer_session.h). Two
// implementations: `local` (the in-process broker of `brook serve`) and, in gateway mode, an
// upstream Kafka cluster. Nothing above this interface includes broker/ or storage/.
//
// Errors are Kafka error codes with a message (backend_error): both implementations
// speak Kafka, and the HTTP layer maps them to Confluent's codes in one place.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/consumer_session.h"
#include "backend/outcome.h"
#include "protocol/record_batch.h"

namespace brook::backend {

struct broker_info {
  int32_t id = 0;
  std::string host;
  int32_t port = 0;
};

struct cluster_info {
  std::string cluster_id;
  int32_t controller_id = 0;
  std::vector<broker_info> brokers;
};

struct partition_info {
  int32_t id = 0;
  int32_t leader = 0;
  std::vector<int32_t> replicas;  // in-sync replicas are the same on one node
};

struct topic_info {
  std::string name;
  bool internal = false;
  int16_t replication_factor = 1;
  std::vector<partition_info> partitions;
  std::map<std::string, std::string> configs;  // overrides only (not the defaults)
};

struct config_entry {
  std::string name;
  std::optional<std::string> value;  // nullopt: sensitive or unset
  bool is_default = true;
  bool read_only = false;
  bool sensitive = false;
  std::string source;  // DYNAMIC_TOPIC_CONFIG, DEFAULT_CONFIG, STATIC_BROKER_CONFIG
};

// One config change: set `name` to `value`, or back to its default when `value` is nullopt.
struct config_change {
  std::string name;
  std::optional<std::string> value;
};

struct new_topic {
  std::string name;
  int32_t partitions = -1;          // -1: the server's default
  int16_t replication_factor = -1;  // -1: the server's default; only 1 exists on one node
  std::map<std::string, std::string> configs;
  bool validate_only = false;
};

struct partition_offsets {
  int64_t beginning = 0;  // log start offset
  int64_t end = 0;        // high watermark: the next offset a consumer will see
};

// A record to produce. `partition` nullopt: the partitioner picks (Kafka's default: murmur2
// of the key modulo the partition count; records without a key go to one partition per
// request, chosen in turn).
struct produce_record {
  std::optional<std::string> key;  // nullopt: null key
  std::optional<std::string> value;
  std::vector<protocol::record_header> headers;
  std::optional<int64_t> timestamp_ms;  // nullopt: now
  std::optional<int32_t> partition;
};

// The outcome of one produced record, in the order the records were given.
struct produce_result {
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t timestamp_ms = -1;
  std::optional<backend_error> error;
};

struct fetched_record {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;
  bool log_append_time = false;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<protocol::record_header> headers;
};

struct fetch_request {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  size_t max_bytes = 1 << 20;  // about this many record bytes; at least one record if any
  std::chrono::milliseconds max_wait{0};  // wait up to this long for a first record
};

// A consumer group as a list shows it.
struct group_summary {
  std::string group_id;
  std::string protocol_type;  // "consumer" for Kafka consumers; empty for offsets-only groups
  std::string state;          // Kafka's names: Empty, PreparingRebalance, Stable, ...
};

struct group_member {
  std::string member_id;
  std::optional<std::string> instance_id;  // static members (group.instance.id)
  std::string client_id;
  std::string client_host;
  // The partitions assigned to it (decoded for the "consumer" protocol; empty otherwise).
  std::vector<std::pair<std::string, int32_t>> assignment;
};

struct group_info {
  std::string group_id;
  std::string state;  // "Dead" when no such group exists
  std::string protocol_type;
  std::string protocol;  // the assignor chosen, once Stable
  std::vector<group_member> members;
};

// A group's committed position in one partition, and how far behind the log's end it is.
struct group_partition_offset {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = -1;  // -1: nothing committed
  int64_t end = -1;        // the partition's high watermark; -1 when the partition is gone
  int64_t lag = -1;        // end - committed, or -1 when either is unknown
  // Seconds since the first record not yet consumed was written (0 once caught up), or
  // -1 when unknown (broker/service/group_lag.h says how it is measured).
  double lag_seconds = -1;
  std::string metadata;  // the commit's metadata string
};

// Where to move a group's position in one partition.
struct offset_reset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

class event_backend {
 public:
  // Every call answers through a callback that runs exactly once, on any thread (the
  // caller's, the flusher's, a wait thread; in gateway mode a client's thread), so that a
  // network round trip to an upstream cluster never blocks the caller. Errors are Kafka
  // error codes with a message (outcome<T>).
  template <typename T>
  using callback = std::function<void(outcome<T>)>;
  using produce_callback = std::function<void(std::vector<produce_result>)>;
  using fetch_callback = callback<std::vector<fetched_record>>;

  virtual ~event_backend() = default;

  // Shutting down: every waiting fetch is answered now (with an error) and later ones are
  // answered at once. Call before what the backend stands on stops. Not from inside a
  // callback of the backend's.
  virtual void stop() = 0;

  // Why the backend cannot take writes now (the data directory is full or failing; later,
  // an upstream cluster out of reach), or nullopt. No I/O: cheap enough for /readyz.
  virtual std::optional<std::string> write_problem() const = 0;

  // ---- cluster and topics ----
  virtual void cluster(callback<cluster_info> done) = 0;
  virtual void list_topics(callback<std::vector<topic_info>> done) = 0;
  // unknown_topic_or_partition when absent.
  virtual void describe_topic(std::string name, callback<topic_info> done) = 0;
  virtual void create_topic(new_topic t, callback<topic_info> done) = 0;
  virtual void delete_topic(std::string name, callback<void> done) = 0;
  // Grows the topic to `total` partitions (never shrinks).
  virtual void create_partitions(std::string topic, int32_t total, bool validate_only,
                                 callback<void> done) = 0;
  // Every config of the topic, defaults included, by name.
  virtual void topic_configs(std::string name, callback<std::vector<config_entry>> done) = 0;
  // Applies the changes together, or none of them.
  virtual void alter_topic_configs(std::string name, std::vector<config_change> changes,
                                   bool validate_only, callback<void> done) = 0;
  virtual void offsets(std::string topic, int32_t partition, callback<partition_offsets> done) = 0;
  // The first offset of the partition whose record's timestamp is at or after
  // `timestamp_ms` (ListOffsets by time), or the log's end when no record is that late.
  virtual void offset_for_time(std::string topic, int32_t partition, int64_t timestamp_ms,
                               callback<int64_t> done) = 0;
  // Deletes the records of the partition before `before` (-1: before the end); answers the
  // new log start offset.
  virtual void delete_records(std::string topic, int32_t partition, int64_t before,
                              callback<int64_t> done) = 0;

  // ---- records ----
  // Produces `records` to `topic` (created first if absent and auto-creation is on).
  // `done` gets one result per record, in order, once each is acknowledged as the
  // topic's durability asks.
  virtual void produce(const std::string& topic, std::vector<produce_record> records,
                       produce_callback done) = 0;

  // Reads records of one partition from `offset`; waits up to `max_wait` when none are
  // there yet. offset_out_of_range outside [beginning, end].
  virtual void fetch(fetch_request request, fetch_callback done) = 0;

  // ---- consumer groups ----
  virtual void list_groups(callback<std::vector<group_summary>> done) = 0;
  // A group that does not exist is described with state "Dead" and no members.
  virtual void describe_group(std::string group, callback<group_info> done) = 0;
  // The group's committed offsets with the lag of each; group_id_not_found when the group
  // does not exist.
  virtual void group_offsets(std::string group,
                             callback<std::vector<group_partition_offset>> done) = 0;
  // Moves the group's committed positions; refused (rebalance_in_progress /
  // unknown_member_id) while the group has members, as Kafka's tools refuse it.
  virtual void reset_group_offsets(std::string group, std::vector<offset_reset> positions,
                                   callback<void> done) = 0;
  // Deletes an empty group and its committed offsets (non_empty_group while it has members).
  virtual void delete_group(std::string group, callback<void> done) = 0;

  // ---- consumer sessions ----
  // A new consumer of `options.group` (consumer_session.h); it does nothing in the group
  // before subscribe() or assign(). Synchronous: opening sends nothing anywhere. Close
  // every session (close()) before stop(); stop() ends those still open.
  virtual std::shared_ptr<consumer_session> open_consumer(consumer_options options) = 0;
};

}  // namespace brook::backend
