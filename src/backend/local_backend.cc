#include "backend/local_backend.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "backend/local_consumer_session.h"
#include "backend/log_reader.h"
#include "backend/partitioner.h"
#include "base/assert.h"
#include "base/clock.h"
#include "base/varint.h"
#include "broker/broker.h"
#include "broker/error_mapping.h"
#include "broker/group/group_coordinator.h"
#include "broker/service/long_poll.h"
#include "broker/service/time_lookup.h"
#include "storage/partition_log.h"
#include "storage/topic_config.h"

namespace brook::backend {

namespace {
namespace asio = boost::asio;
using protocol::kafka_error;
namespace layout = protocol::batch_layout;

backend_error topic_not_found(std::string_view topic) {
  return {kafka_error::unknown_topic_or_partition, "Topic '" + std::string(topic) + "' not found"};
}

backend_error partition_not_found(std::string_view topic, int32_t partition) {
  return {kafka_error::unknown_topic_or_partition, "Partition " + std::to_string(partition) +
                                                       " of topic '" + std::string(topic) +
                                                       "' not found"};
}

// The partition's log; null after answering `done` with why there is none.
template <typename T>
std::shared_ptr<storage::partition_log> partition_log_of(broker::broker& b,
                                                         const std::string& topic,
                                                         int32_t partition,
                                                         event_backend::callback<T>& done) {
  auto t = b.topics().find(topic);
  if (!t) {
    done(topic_not_found(topic));
    return nullptr;
  }
  auto log = t->partition(partition);
  if (!log) {
    done(partition_not_found(topic, partition));
  }
  return log;
}

backend_error shutting_down() {
  return {kafka_error::unknown_server_error, "The server is shutting down"};
}

partition_info one_node_partition(int32_t id, int32_t node_id) {
  return {id, node_id, {node_id}};
}

topic_info describe(const broker::topic& t, int32_t node_id) {
  topic_info info;
  info.name = t.name;
  info.replication_factor = 1;
  for (int32_t p = 0; p < t.partition_count(); ++p) {
    info.partitions.push_back(one_node_partition(p, node_id));
  }
  info.configs = t.overrides;
  return info;
}

std::string source_name(storage::config_source s) {
  switch (s) {
    case storage::config_source::topic:
      return "DYNAMIC_TOPIC_CONFIG";
    case storage::config_source::dynamic_broker:
      return "DYNAMIC_BROKER_CONFIG";
    case storage::config_source::dynamic_default_broker:
      return "DYNAMIC_DEFAULT_BROKER_CONFIG";
    case storage::config_source::static_broker:
      return "STATIC_BROKER_CONFIG";
    case storage::config_source::default_config:
      return "DEFAULT_CONFIG";
    default:
      return "UNKNOWN";
  }
}

// ---- produce ----

// The bytes `r` takes inside a v2 batch as the record at `offset_delta` (the encoding
// protocol::build_batch writes: length, attributes, deltas, key, value, headers).
size_t encoded_size(const protocol::record& r, int64_t offset_delta) {
  auto field = [](const std::string& s, bool null) {
    return null ? varint::size(-1) : varint::size(static_cast<int64_t>(s.size())) + s.size();
  };
  size_t body = 1 + varint::size(r.timestamp_delta) + varint::size(offset_delta) +
                field(r.key, r.null_key) + field(r.value, r.null_value) +
                varint::size(static_cast<int64_t>(r.headers.size()));
  for (const auto& h : r.headers) {
    body += field(h.key, false) + field(h.value, h.null_value);
  }
  return varint::size(static_cast<int64_t>(body)) + body;
}

protocol::record to_record(produce_record& in) {
  protocol::record r;
  r.null_key = !in.key;
  r.key = in.key ? std::move(*in.key) : std::string{};
  r.null_value = !in.value;
  r.value = in.value ? std::move(*in.value) : std::string{};
  r.headers = std::move(in.headers);
  return r;
}

// The records of one produce call that go to one partition, as one append.
struct partition_append {
  int32_t partition = 0;
  std::string batches;          // concatenated v2 batches
  std::vector<size_t> records;  // the input index of each record, in offset order
};

// What one produce call shares between its appends, which may complete on the flusher's
// thread: the last one to finish answers.
struct produce_state {
  std::vector<produce_result> results;
  event_backend::produce_callback done;
  std::vector<partition_append> appends;
  std::atomic<size_t> pending{1};

  void complete(size_t k, const outcome<broker::appended>& r) {
    const auto& a = appends[k];
    for (size_t j = 0; j < a.records.size(); ++j) {
      auto& out = results[a.records[j]];
      if (!r) {
        out.error = r.error();
        continue;
      }
      out.offset = r->base_offset + static_cast<int64_t>(j);
      if (r->log_append_time_ms >= 0) {
        out.timestamp_ms = r->log_append_time_ms;
      }
    }
    finish_one();
  }

  void finish_one() {
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      done(std::move(results));
    }
  }
};

// Splits the records `indices` of `in` (one partition's, timestamps already in `results`)
// into uncompressed batches of at most `max_batch` bytes each, into `out`. A record too
// large for a batch of its own gets message_too_large in `results`.
void build_batches(std::vector<produce_record>& in, const std::vector<size_t>& indices,
                   size_t max_batch, const std::string& topic, std::vector<produce_result>& results,
                   partition_append& out) {
  std::vector<protocol::record> batch;
  std::vector<size_t> batch_indices;
  int64_t base_timestamp = 0;
  size_t batch_size = layout::header_size;
  auto flush = [&] {
    if (batch.empty()) {
      return;
    }
    std::string bytes = protocol::build_batch(batch, base_timestamp);
    BROOK_ASSERT(bytes.size() == batch_size, "a batch's size differs from its prediction");
    out.batches += bytes;
    out.records.insert(out.records.end(), batch_indices.begin(), batch_indices.end());
    batch.clear();
    batch_indices.clear();
    batch_size = layout::header_size;
  };
  for (size_t i : indices) {
    auto r = to_record(in[i]);
    const int64_t timestamp = results[i].timestamp_ms;
    if (!batch.empty()) {
      r.timestamp_delta = timestamp - base_timestamp;
      size_t size = encoded_size(r, static_cast<int64_t>(batch.size()));
      if (batch_size + size <= max_batch) {
        batch_size += size;
        batch.push_back(std::move(r));
        batch_indices.push_back(i);
        continue;
      }
      flush();
    }
    base_timestamp = timestamp;
    r.timestamp_delta = 0;
    size_t size = layout::header_size + encoded_size(r, 0);
    if (size > max_batch) {
      results[i].error =
          backend_error{kafka_error::message_too_large,
                        "The record is " + std::to_string(size) +
                            " bytes in a record batch, larger than max.message.bytes of topic '" +
                            topic + "' (" + std::to_string(max_batch) + ")"};
      continue;
    }
    batch_size = size;
    batch.push_back(std::move(r));
    batch_indices.push_back(i);
  }
  flush();
}

}  // namespace

// The wait thread: the executor of the fetches that wait for data (broker::long_poll runs
// every step of a poll there, so each is answered once). stop() makes every poll answer
// with an error at once.
class local_backend::waits : public std::enable_shared_from_this<waits> {
 public:
  waits()
      : _work(_io.get_executor()), _sessions(std::make_shared<executor_gate>(_io.get_executor())) {}
  ~waits() { BROOK_ASSERT(!_thread.joinable(), "the wait thread outlives its backend"); }

  void start() {
    _thread = std::thread([this] { _io.run(); });
  }

  // Waits for records at `next_offset` (read last time up to there) until max_wait.
  void wait(fetch_request request, fetch_callback done, std::shared_ptr<storage::partition_log> log,
            int64_t next_offset) {
    auto entry = std::make_shared<pending_fetch>();
    entry->done = std::move(done);
    std::unique_lock lock(_mutex);
    if (_stopped) {
      lock.unlock();
      entry->done(shutting_down());
      return;
    }
    const auto deadline = broker::long_poll::clock::now() +
                          std::min(request.max_wait, broker::long_poll::longest_wait);
    _pending.insert(entry);
    entry->poll = broker::long_poll::start(
        _io.get_executor(), deadline, {{log, next_offset}},
        [self = shared_from_this(), entry, request = std::move(request),
         log](bool final) -> broker::long_poll::attempt_result {
          if (self->stopping()) {
            self->finish(entry, shutting_down());
            return {true, {}};
          }
          auto got = read_records(*log, request);
          if (!got) {
            self->finish(entry, got.error());
            return {true, {}};
          }
          if (!got->records.empty() || final) {
            self->finish(entry, std::move(got->records));
            return {true, {}};
          }
          return {false, {{log, got->wait_from}}};  // only control batches arrived
        });
  }

  void stop() {
    std::vector<std::shared_ptr<broker::long_poll>> polls;
    {
      std::lock_guard lock(_mutex);
      if (_stopped) {
        return;
      }
      _stopped = true;
      for (const auto& p : _pending) {
        polls.push_back(p->poll);
      }
    }
    BROOK_ASSERT(std::this_thread::get_id() != _thread.get_id(),
                 "the backend stopped from inside a fetch callback");
    for (const auto& p : polls) {
      p->expire();
    }
    _sessions->close();  // answers of the coordinator that come later are dropped
    _work.reset();
    if (_thread.joinable()) {
      _thread.join();
    }
  }

  size_t size() const {
    std::lock_guard lock(_mutex);
    return _pending.size();
  }

  const std::shared_ptr<executor_gate>& sessions() const { return _sessions; }
  bool stopped() const { return stopping(); }

 private:
  struct pending_fetch {
    fetch_callback done;
    std::shared_ptr<broker::long_poll> poll;
  };

  bool stopping() const {
    std::lock_guard lock(_mutex);
    return _stopped;
  }

  void finish(const std::shared_ptr<pending_fetch>& p,
              outcome<std::vector<fetched_record>> result) {
    {
      std::lock_guard lock(_mutex);
      _pending.erase(p);
    }
    auto done = std::move(p->done);
    p->poll.reset();
    done(std::move(result));
  }

  asio::io_context _io;
  asio::executor_work_guard<asio::io_context::executor_type> _work;
  std::thread _thread;
  mutable std::mutex _mutex;
  bool _stopped = false;
  std::set<std::shared_ptr<pending_fetch>> _pending;  // guarded by _mutex
  std::shared_ptr<executor_gate> _sessions;           // the consumer sessions run through it
};

local_backend::local_backend(broker::broker& b) : _broker(b), _waits(std::make_shared<waits>()) {
  _waits->start();
}

local_backend::~local_backend() {
  stop();
}

std::optional<std::string> local_backend::write_problem() const {
  return _broker.writes().problem();
}

void local_backend::stop() {
  std::vector<std::shared_ptr<local_consumer_session>> open;
  {
    std::lock_guard lock(_sessions_mutex);
    for (const auto& w : _sessions) {
      if (auto s = w.lock()) {
        open.push_back(std::move(s));
      }
    }
    _sessions.clear();
  }
  if (!open.empty() && !_waits->stopped()) {
    // The sessions' timers keep the wait thread's loop alive: end them there first.
    std::promise<void> all_done;
    auto left = std::make_shared<std::atomic<size_t>>(open.size());
    for (const auto& s : open) {
      s->shutdown([left, &all_done] {
        if (left->fetch_sub(1) == 1) {
          all_done.set_value();
        }
      });
    }
    all_done.get_future().wait();
  }
  _waits->stop();
}

size_t local_backend::waiting_fetches() const {
  return _waits->size();
}

void local_backend::cluster(callback<cluster_info> done) {
  cluster_info info;
  info.cluster_id = _broker.cluster_id();
  info.controller_id = _broker.node_id();
  info.brokers.push_back({_broker.node_id(), _broker.advertised_host(), _broker.advertised_port()});
  done(std::move(info));
}

void local_backend::list_topics(callback<std::vector<topic_info>> done) {
  std::vector<topic_info> out;
  for (const auto& t : _broker.topics().list()) {
    out.push_back(describe(*t, _broker.node_id()));
  }
  done(std::move(out));
}

void local_backend::describe_topic(std::string name, callback<topic_info> done) {
  auto t = _broker.topics().find(name);
  if (!t) {
    done(topic_not_found(name));
    return;
  }
  done(describe(*t, _broker.node_id()));
}

void local_backend::create_topic(new_topic t, callback<topic_info> done) {
  broker::topic_request request;
  request.name = t.name;
  request.partitions = t.partitions;
  request.replication_factor = t.replication_factor;
  for (const auto& [name, value] : t.configs) {
    request.configs.emplace_back(name, value);
  }
  request.validate_only = t.validate_only;
  auto created = _broker.topic_admin().create(request);
  if (!created) {
    done(created.error());
    return;
  }
  if (auto topic = _broker.topics().find(t.name); topic && !t.validate_only) {
    done(describe(*topic, _broker.node_id()));
    return;
  }
  topic_info info;  // validate_only: what it would be
  info.name = t.name;
  for (int32_t p = 0; p < created->partitions; ++p) {
    info.partitions.push_back(one_node_partition(p, _broker.node_id()));
  }
  info.configs = created->overrides;
  done(std::move(info));
}

void local_backend::delete_topic(std::string name, callback<void> done) {
  if (!_broker.topics().find(name)) {
    done(topic_not_found(name));
    return;
  }
  auto removed = _broker.topic_admin().remove(name);
  if (!removed) {
    done(removed.error());
    return;
  }
  done({});
}

void local_backend::create_partitions(std::string topic, int32_t total, bool validate_only,
                                      callback<void> done) {
  if (!_broker.topics().find(topic)) {
    done(topic_not_found(topic));
    return;
  }
  done(_broker.topic_admin().create_partitions(topic, total, false, validate_only));
}

void local_backend::topic_configs(std::string name, callback<std::vector<config_entry>> done) {
  auto t = _broker.topics().find(name);
  if (!t) {
    done(topic_not_found(name));
    return;
  }
  std::vector<config_entry> out;
  for (auto& e :
       storage::describe_topic_configs(_broker.topics().server_defaults(), t->overrides)) {
    config_entry c;
    c.name = std::move(e.name);
    if (!e.sensitive) {
      c.value = std::move(e.value);
    }
    c.is_default = e.is_default;
    c.read_only = e.read_only;
    c.sensitive = e.sensitive;
    c.source = source_name(e.source);
    out.push_back(std::move(c));
  }
  done(std::move(out));
}

void local_backend::alter_topic_configs(std::string name, std::vector<config_change> changes,
                                        bool validate_only, callback<void> done) {
  if (!_broker.topics().find(name)) {
    done(topic_not_found(name));
    return;
  }
  std::vector<broker::config_alteration> alterations;
  for (auto& c : changes) {
    const auto op = c.value ? broker::config_op::set : broker::config_op::remove;
    alterations.push_back({std::move(c.name), op, std::move(c.value)});
  }
  done(_broker.topic_admin().alter_configs(name, alterations, validate_only));
}

void local_backend::offsets(std::string topic, int32_t partition,
                            callback<partition_offsets> done) {
  if (auto log = partition_log_of(_broker, topic, partition, done)) {
    done(partition_offsets{log->log_start_offset(), log->high_watermark()});
  }
}

void local_backend::offset_for_time(std::string topic, int32_t partition, int64_t timestamp_ms,
                                    callback<int64_t> done) {
  if (auto log = partition_log_of(_broker, topic, partition, done)) {
    const int64_t offset = broker::record_offset_for_time(*log, timestamp_ms).first;
    done(offset >= 0 ? offset : log->high_watermark());
  }
}

void local_backend::delete_records(std::string topic, int32_t partition, int64_t before,
                                   callback<int64_t> done) {
  auto t = _broker.topics().find(topic);
  if (!t) {
    done(topic_not_found(topic));
    return;
  }
  if (!t->partition(partition)) {
    done(partition_not_found(topic, partition));
    return;
  }
  done(_broker.topic_admin().delete_records(topic, partition, before));
}

void local_backend::produce(const std::string& topic, std::vector<produce_record> records,
                            produce_callback done) {
  auto state = std::make_shared<produce_state>();
  state->results.resize(records.size());
  state->done = std::move(done);
  auto& results = state->results;
  auto found = _broker.topic_admin().find_or_create(topic, _broker.config().auto_create_topics);
  if (!found) {
    auto error = found.error().code == kafka_error::unknown_topic_or_partition
                     ? topic_not_found(topic)
                     : found.error();
    for (auto& r : results) {
      r.error = error;
    }
    state->finish_one();
    return;
  }
  const auto& t = *found;

  // Choose each record's partition; records without key share one, in turn per call.
  const int64_t now = wall_clock_ms();
  std::map<int32_t, std::vector<size_t>> by_partition;
  std::optional<int32_t> null_key_partition;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    int32_t p = 0;
    if (r.partition) {
      p = *r.partition;
    } else if (r.key) {
      p = partition_for_key(*r.key, t->partition_count());
    } else {
      if (!null_key_partition) {
        null_key_partition = static_cast<int32_t>(_next_partition.fetch_add(1) %
                                                  static_cast<uint32_t>(t->partition_count()));
      }
      p = *null_key_partition;
    }
    results[i].partition = p;
    results[i].timestamp_ms = r.timestamp_ms.value_or(now);
    if (!t->partition(p)) {
      results[i].error = partition_not_found(topic, p);
    } else if (results[i].timestamp_ms < 0) {
      results[i].error =
          backend_error{kafka_error::invalid_timestamp,
                        "Invalid timestamp: " + std::to_string(results[i].timestamp_ms) +
                            ". Timestamp should always be non-negative or null."};
    } else {
      by_partition[p].push_back(i);
    }
  }

  for (const auto& [p, indices] : by_partition) {
    partition_append a;
    a.partition = p;
    build_batches(records, indices, t->config.max_message_bytes, topic, results, a);
    if (!a.records.empty()) {
      state->appends.push_back(std::move(a));
    }
  }
  state->pending.store(state->appends.size() + 1, std::memory_order_relaxed);
  for (size_t k = 0; k < state->appends.size(); ++k) {
    auto& a = state->appends[k];
    // The REST Proxy produces with acks=all.
    _broker.appender().append(
        *t, a.partition, std::as_writable_bytes(std::span(a.batches)), -1,
        [state, k](const outcome<broker::appended>& r) { state->complete(k, r); });
  }
  state->finish_one();
}

void local_backend::fetch(fetch_request request, fetch_callback done) {
  auto t = _broker.topics().find(request.topic);
  if (!t) {
    done(topic_not_found(request.topic));
    return;
  }
  auto log = t->partition(request.partition);
  if (!log) {
    done(partition_not_found(request.topic, request.partition));
    return;
  }
  auto got = read_records(*log, request);
  if (!got) {
    done(got.error());
    return;
  }
  if (!got->records.empty() || request.max_wait.count() <= 0) {
    done(std::move(got->records));
    return;
  }
  int64_t next = got->wait_from;
  _waits->wait(std::move(request), std::move(done), std::move(log), next);
}

std::shared_ptr<consumer_session> local_backend::open_consumer(consumer_options options) {
  auto s = local_consumer_session::open(_broker, _waits->sessions(), std::move(options));
  std::lock_guard lock(_sessions_mutex);
  std::erase_if(_sessions, [](const auto& w) { return w.expired(); });
  _sessions.push_back(s);
  return s;
}

}  // namespace brook::backend
