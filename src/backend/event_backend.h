// event_backend: what the HTTP layer (REST Proxy, later the registry, sinks and console)
// needs from an event store: topic metadata and administration, produce, fetch, offsets,
// and the address Kafka clients use for consumer groups. Two implementations: `local`
// (the in-process broker of `brook serve`) and, in gateway mode, an upstream Kafka
// cluster. Nothing above this interface includes broker/ or storage/.
//
// Errors are Kafka error codes with a message (backend_error): both implementations
// speak Kafka, and the HTTP layer maps them to Confluent's codes in one place.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

class event_backend {
 public:
  using produce_callback = std::function<void(std::vector<produce_result>)>;
  using fetch_callback = std::function<void(outcome<std::vector<fetched_record>>)>;

  virtual ~event_backend() = default;

  // Shutting down: every waiting fetch is answered now (with an error) and later ones are
  // answered at once. Call before what the backend stands on stops. Not from inside a
  // callback of the backend's.
  virtual void stop() = 0;

  virtual outcome<cluster_info> cluster() = 0;
  virtual outcome<std::vector<topic_info>> list_topics() = 0;
  // unknown_topic_or_partition when absent.
  virtual outcome<topic_info> describe_topic(std::string_view name) = 0;
  virtual outcome<topic_info> create_topic(const new_topic& t) = 0;
  virtual outcome<void> delete_topic(const std::string& name) = 0;
  // Every config of the topic, defaults included, by name.
  virtual outcome<std::vector<config_entry>> topic_configs(const std::string& name) = 0;
  // Applies the changes together, or none of them.
  virtual outcome<void> alter_topic_configs(const std::string& name,
                                            const std::vector<config_change>& changes,
                                            bool validate_only) = 0;
  virtual outcome<partition_offsets> offsets(const std::string& topic, int32_t partition) = 0;

  // Produces `records` to `topic` (created first if absent and auto-creation is on).
  // `done` gets one result per record, in order, once each is acknowledged as the
  // topic's durability asks; it may run on any thread, and runs exactly once.
  virtual void produce(const std::string& topic, std::vector<produce_record> records,
                       produce_callback done) = 0;

  // Reads records of one partition from `offset`; waits up to `max_wait` when none are
  // there yet. offset_out_of_range outside [beginning, end]. `done` may run on any
  // thread, exactly once.
  virtual void fetch(fetch_request request, fetch_callback done) = 0;

  // Where Kafka clients reach this backend's brokers ("host:port,..."): the REST
  // consumer instances are Kafka consumers in real consumer groups.
  virtual std::string bootstrap_servers() const = 0;
};

}  // namespace brook::backend
