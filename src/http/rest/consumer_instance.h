// consumer_instance: one stateful consumer of the REST Proxy v2
// (/consumers/<group>/instances/<name>). Each instance owns a librdkafka high-level consumer
// connected to the Kafka listener, so it is a member of a real consumer group: Kafka
// clients and `brook group` see it, and it shares partitions with them.
//
// The API is synchronous: the HTTP routes call it from the blocking pool. Every call takes
// the instance's own mutex, so one librdkafka handle is never used by two threads at once.
// Errors are values in Confluent's codes (rest_error).
//
// Positions. The instance keeps, for every partition it is assigned, the position of its
// *client*: the offset after the last record a poll returned, or where a seek put it.
// Records librdkafka has fetched but no poll returned yet wait in a small buffer; they do not
// move the position. Start offsets handed to librdkafka are explicit (the committed offset,
// or auto.offset.reset resolved with ListOffsets). A seek on a partition whose fetcher has
// not started yet (librdkafka refuses it then) is retried by the next polls, and records
// fetched meanwhile are dropped.
//
// librdkafka 2.0 aborts the process when a partition is unassigned again while the fetcher
// stop of an earlier unassignment is still under way (confluentinc/librdkafka#5573). So a seek
// never re-assigns, and a manual assign() first waits until every assigned partition's
// fetcher has started.
//
// Offsets work as in Confluent's proxy with enable.auto.offset.store off: records a poll
// returns count as consumed. With auto commit those positions are committed every
// auto.commit.interval.ms, on a rebalance and on close; commit() without offsets commits
// the positions now.
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "http/rest/rest_error.h"
#include "protocol/record_batch.h"

namespace brook::http::rest {

// One record as a poll returns it.
struct consumed_record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;  // -1: the record has none
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<protocol::record_header> headers;
};

struct topic_partition {
  std::string topic;
  int32_t partition = 0;

  // clang-tidy 14 reports a defaulted <=> as comparing a pointer with 0 (a false positive).
  auto operator<=>(const topic_partition&) const = default;  // NOLINT(modernize-use-nullptr)
};

// A partition and an offset: a seek target, or an offset to commit.
struct partition_offset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> metadata;  // commit only
};

struct committed_offset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;  // the next offset the group will read
  std::string metadata;
};

// The settings of POST /consumers/<group> (Confluent's names in the comments). The routes
// parse the body; consumer_instance validates the values.
struct consumer_settings {
  std::string group;
  std::string name;  // empty: the registry makes one up ("rest-consumer-<hex>")
  // "format": binary or json, any case; empty means binary. avro, jsonschema and protobuf
  // need a Schema Registry, which Brook does not have: 42204.
  std::string format;
  // "auto.offset.reset": earliest (or smallest), latest (or largest), none.
  std::string auto_offset_reset = "latest";
  bool auto_commit = true;                // "auto.commit.enable"
  std::optional<int> fetch_min_bytes;     // "fetch.min.bytes", 0 to 100000000
  std::optional<int> request_timeout_ms;  // "consumer.request.timeout.ms", 0 to 300000
  std::string client_id;                  // empty: brook-rest-<group>-<name>
};

// 42204 invalid_consumer_config when a value is out of range or unknown; nullopt when the
// settings can be used. An empty name is fine here (the registry fills it in).
std::optional<rest_error> validate_consumer_settings(const consumer_settings& s);

struct records_answer {
  std::vector<consumed_record> records;
  std::optional<rest_error> error;
};

struct subscription_answer {
  std::vector<std::string> topics;           // a topic-list subscription
  std::optional<std::string> topic_pattern;  // a pattern subscription, as given
  std::optional<rest_error> error;
};

struct assignment_answer {
  std::vector<topic_partition> partitions;  // sorted
  std::optional<rest_error> error;
};

struct committed_answer {
  std::vector<committed_offset> offsets;  // partitions without a committed offset are left out
  std::optional<rest_error> error;
};

class consumer_instance {
 public:
  // Confluent's consumer.request.timeout.ms: how long a poll waits at most by default.
  static constexpr std::chrono::milliseconds default_request_timeout{1000};
  // Confluent's consumer.request.max.bytes: the default response size bound of a poll.
  static constexpr size_t default_max_bytes = size_t{64} << 20;

  struct open_answer {
    std::shared_ptr<consumer_instance> instance;
    std::optional<rest_error> error;
  };
  // Validates `settings` (which must have a name) and creates the consumer. Nothing is sent
  // to Kafka before subscribe() or assign().
  static open_answer open(const consumer_settings& settings, const std::string& bootstrap_servers);

  ~consumer_instance();
  consumer_instance(const consumer_instance&) = delete;
  consumer_instance& operator=(const consumer_instance&) = delete;

  const std::string& group() const { return _settings.group; }
  const std::string& name() const { return _settings.name; }
  // "binary" or "json": the embedded format records are returned in (40601 on a mismatch is
  // the route's to answer).
  const std::string& format() const { return _format; }

  // Subscribes to `topics` or to the topics matching `topic_pattern` (exactly one: else 422),
  // replacing any earlier subscription. The pattern is a POSIX extended regular expression
  // that must match the whole topic name. 40901 when the instance has a manual assignment.
  std::optional<rest_error> subscribe(const std::vector<std::string>& topics,
                                      const std::optional<std::string>& topic_pattern);
  subscription_answer subscription();
  // Leaves the subscription (and the group) or drops the manual assignment.
  std::optional<rest_error> unsubscribe();

  // Assigns exactly `partitions` (replacing an earlier assignment; empty: none). Partitions
  // assigned already keep their positions; the others start from their committed offset,
  // else from auto.offset.reset. 40903 when subscribed.
  std::optional<rest_error> assign(const std::vector<topic_partition>& partitions);
  // The partitions assigned now: by assign(), or by the group (after a poll has joined it).
  assignment_answer assignment();

  // Moves the positions; each partition must be assigned now (else 40903 illegal_state,
  // "No current assignment for partition t-0", as Kafka says). 42202 for a negative offset.
  std::optional<rest_error> seek(const std::vector<partition_offset>& offsets);
  std::optional<rest_error> seek_to_beginning(const std::vector<topic_partition>& partitions);
  std::optional<rest_error> seek_to_end(const std::vector<topic_partition>& partitions);

  // Returns records from the positions on, in offset order within each partition. Waits up
  // to the timeout (nullopt or <= 0: the instance's consumer.request.timeout.ms; else the
  // smaller of the two) for a first record (or for fetch.min.bytes when set), then returns
  // what is there without waiting more. Key and value bytes together stay within
  // `max_bytes`; a record that would pass it waits for the next poll (a record larger than
  // `max_bytes` is never returned: ask for more). Errors such as an unknown topic are not
  // errors of the poll. 40903 when neither subscribed nor assigned, or when an assigned
  // partition has no offset to start from under auto.offset.reset=none (seek it first).
  records_answer poll(std::optional<std::chrono::milliseconds> timeout, size_t max_bytes);

  // Without offsets: commits the positions of the assigned partitions. With offsets:
  // commits each given offset + 1, as Confluent's v2 does (the body names the last record
  // consumed). Synchronous.
  std::optional<rest_error> commit(const std::optional<std::vector<partition_offset>>& offsets);
  // The group's committed offsets of `partitions`.
  committed_answer committed(const std::vector<topic_partition>& partitions);

  // Leaves the group (committing first with auto commit) and frees the consumer. Calls
  // after this answer 40403 consumer_instance_not_found. Idempotent.
  void close();
  bool closed() const { return _closed.load(); }

  // When a call last started or ended, and whether one is running now: the registry closes
  // instances left idle.
  std::chrono::steady_clock::time_point last_used() const;
  void touch();
  bool in_use() const { return _calls.load() > 0; }

 private:
  class call_guard;

  consumer_instance(consumer_settings settings, std::string format);

  std::optional<rest_error> check_open() const;
  // Sets the positions of `parts` for a new assignment: kept for partitions assigned already
  // (when `keep_current`), else the committed offset, else auto.offset.reset resolved to an
  // offset (partitions under "none" go to _without_offset). When the coordinator does not
  // answer: an error if `strict`, else librdkafka looks the offsets up itself.
  std::optional<rest_error> set_start_positions(const std::vector<topic_partition>& parts,
                                                bool keep_current, bool strict);
  // Offsets of `parts` at the log start (`timestamp` -2) or end (-1); unresolved ones are
  // left out.
  std::map<topic_partition, int64_t> list_offsets(const std::vector<topic_partition>& parts,
                                                  int64_t timestamp);
  // Hands _positions to librdkafka as the assignment (partitions without an offset paused);
  // drops the buffered records and the seeks not done yet.
  std::optional<rest_error> apply_assignment();
  // Waits (bounded) until every partition librdkafka has assigned has a started fetcher, so
  // that the assignment may change (see the file comment).
  void settle_assignment();
  // Moves librdkafka's fetchers of `parts` to their positions; a fetcher not started yet goes
  // to _unsettled_seeks for the next poll. Errors other than that are returned.
  std::optional<rest_error> seek_fetchers(const std::vector<topic_partition>& parts);
  // Stores the absolute positions of `parts` for auto commit.
  void store_positions(const std::vector<topic_partition>& parts);
  // Serves queued events (a rebalance) without keeping any fetched record.
  void serve_events();
  std::optional<rest_error> check_assigned(const std::vector<topic_partition>& parts) const;
  std::optional<rest_error> seek_to(const std::vector<topic_partition>& parts, int64_t timestamp);
  // Takes one message from librdkafka into the buffer; an error worth reporting goes to
  // `error`.
  void take_message(const rd_kafka_message_t& message, std::optional<rest_error>& error);
  void clear_assignment_state();
  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  static void rebalance_callback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void log_callback(const rd_kafka_t* rk, int level, const char* facility,
                           const char* message);

  const consumer_settings _settings;
  const std::string _format;
  const std::chrono::milliseconds _request_timeout;

  mutable std::mutex _mutex;
  rd_kafka_t* _rk = nullptr;  // null once closed
  std::atomic<bool> _closed{false};
  std::atomic<int64_t> _last_used_ns;
  std::atomic<int> _calls{0};

  // What the client asked for: a subscription (topics or a pattern), or a manual assignment.
  bool _subscribed = false;
  std::vector<std::string> _topics;
  std::optional<std::string> _topic_pattern;
  // The assigned partitions and the client's position in each: an offset, or a librdkafka
  // logical offset (-1 end, -2 beginning, -1001 unknown) until resolved.
  std::map<topic_partition, int64_t> _positions;
  // Assigned partitions with no offset to start from under auto.offset.reset=none: paused
  // until a seek; a poll answers 40903 meanwhile (Kafka's NoOffsetForPartitionException).
  std::set<topic_partition> _without_offset;
  // Seeks librdkafka refused because the fetcher had not started: retried by poll(), which
  // drops these partitions' records until then.
  std::set<topic_partition> _unsettled_seeks;
  // Fetched records no poll has returned yet, in the order librdkafka gave them.
  std::deque<consumed_record> _buffered;
};

}  // namespace brook::http::rest
