// consumer_instance: one stateful consumer of the REST Proxy v2
// (/consumers/<group>/instances/<name>): the REST side of an event backend's consumer
// session (backend/consumer_session.h), which is a real member of the consumer group:
// Kafka clients and `brook group` see it, and it shares partitions with them.
//
// The instance checks what the REST API asks of a request (Confluent's codes: 40901 and
// 40903 for subscription and assignment used together, 40903 for a seek of a partition not
// assigned or a poll with nothing to read, 42202 for negative offsets, 422 for bad names
// and patterns), holds the embedded format and when it was last used (the registry closes
// idle ones), and maps the session's errors once (from_backend). Its calls are coroutines
// that wait for the session without blocking a thread.
//
// Offsets work as in Confluent's proxy: records a poll returns count as consumed. With auto
// commit those positions are committed every auto.commit.interval.ms (5 s), on a rebalance
// and on close; commit() without offsets commits the positions now.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "backend/consumer_session.h"
#include "backend/event_backend.h"
#include "http/rest/rest_error.h"
#include "security/principal.h"

namespace brook::http::rest {

using backend::consumed_record;
using backend::topic_partition;

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
  // Who created the instance: it acts as this principal, and only this principal may use it
  // (consumer_registry::find).
  security::principal owner;
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

  template <typename T>
  using awaitable = boost::asio::awaitable<T>;

  struct open_answer {
    std::shared_ptr<consumer_instance> instance;
    std::optional<rest_error> error;
  };
  // Validates `settings` (which must have a name) and opens the backend's session. Nothing
  // happens in the group before subscribe() or assign().
  static open_answer open(const consumer_settings& settings, backend::event_backend& backend);

  ~consumer_instance();
  consumer_instance(const consumer_instance&) = delete;
  consumer_instance& operator=(const consumer_instance&) = delete;

  const std::string& group() const { return _settings.group; }
  const std::string& name() const { return _settings.name; }
  const security::principal& owner() const { return _settings.owner; }
  // "binary" or "json": the embedded format records are returned in (40601 on a mismatch is
  // the route's to answer).
  const std::string& format() const { return _format; }

  // Subscribes to `topics` or to the topics matching `topic_pattern` (exactly one: else 422),
  // replacing any earlier subscription. The pattern is a POSIX extended regular expression
  // that must match the whole topic name. 40901 when the instance has a manual assignment.
  awaitable<std::optional<rest_error>> subscribe(std::vector<std::string> topics,
                                                 std::optional<std::string> topic_pattern);
  awaitable<subscription_answer> subscription();
  // Leaves the subscription (and the group) or drops the manual assignment.
  awaitable<std::optional<rest_error>> unsubscribe();

  // Assigns exactly `partitions` (replacing an earlier assignment; empty: none). Partitions
  // assigned already keep their positions; the others start from their committed offset,
  // else from auto.offset.reset. 40903 when subscribed.
  awaitable<std::optional<rest_error>> assign(std::vector<topic_partition> partitions);
  // The partitions assigned now: by assign(), or by the group.
  awaitable<assignment_answer> assignment();

  // Moves the positions; each partition must be assigned now (else 40903 illegal_state,
  // "No current assignment for partition t-0", as Kafka says). 42202 for a negative offset.
  awaitable<std::optional<rest_error>> seek(std::vector<partition_offset> offsets);
  awaitable<std::optional<rest_error>> seek_to_beginning(std::vector<topic_partition> partitions);
  awaitable<std::optional<rest_error>> seek_to_end(std::vector<topic_partition> partitions);

  // Returns records from the positions on, in offset order within each partition. Waits up
  // to the timeout (nullopt or <= 0: the instance's consumer.request.timeout.ms; else the
  // smaller of the two) for a first record (or for fetch.min.bytes when set). Key and value
  // bytes together stay within `max_bytes`; a record that would pass it waits for the next
  // poll (a record larger than `max_bytes` is never returned: ask for more). 40903 when
  // neither subscribed nor assigned, or when an assigned partition has no offset to start
  // from under auto.offset.reset=none (seek it first).
  awaitable<records_answer> poll(std::optional<std::chrono::milliseconds> timeout,
                                 size_t max_bytes);

  // Without offsets: commits the positions of the assigned partitions. With offsets:
  // commits each given offset + 1, as Confluent's v2 does (the body names the last record
  // consumed). Answers once the commit is durable.
  awaitable<std::optional<rest_error>> commit(std::optional<std::vector<partition_offset>> offsets);
  // The group's committed offsets of `partitions`.
  awaitable<committed_answer> committed(std::vector<topic_partition> partitions);

  // Leaves the group (committing first with auto commit); `done` runs once that is over,
  // on any thread. Calls after this answer 40403 consumer_instance_not_found. Idempotent.
  void close(std::function<void()> done);
  bool closed() const { return _closed.load(); }

  // When a call last started or ended, and whether one is running now: the registry closes
  // instances left idle.
  std::chrono::steady_clock::time_point last_used() const;
  void touch();
  bool in_use() const { return _calls.load() > 0; }

 private:
  class call_guard;

  consumer_instance(consumer_settings settings, std::string format,
                    std::shared_ptr<backend::consumer_session> session);

  std::optional<rest_error> check_open() const;
  // A session error as the REST answer (40403 once the instance is closed).
  rest_error failure_of(const backend::backend_error& e) const;
  // 40903 unless every one of `parts` is assigned now.
  std::optional<rest_error> check_assigned(const std::vector<topic_partition>& parts) const;
  awaitable<std::optional<rest_error>> seek_to(std::vector<topic_partition> parts, int64_t target);

  const consumer_settings _settings;
  const std::string _format;
  const std::chrono::milliseconds _request_timeout;
  const std::shared_ptr<backend::consumer_session> _session;

  std::atomic<bool> _closed{false};
  std::atomic<int64_t> _last_used_ns;
  std::atomic<int> _calls{0};

  // What the client asked for: a subscription (topics or a pattern), or a manual
  // assignment. Guarded by _mutex.
  mutable std::mutex _mutex;
  bool _subscribed = false;
  bool _assigned = false;
  std::vector<std::string> _topics;
  std::optional<std::string> _topic_pattern;
};

}  // namespace brook::http::rest
