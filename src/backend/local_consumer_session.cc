#include "backend/local_consumer_session.h"

#include <algorithm>
#include <set>
#include <utility>

#include <boost/asio/post.hpp>

#include "backend/log_reader.h"
#include "base/log.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/service/long_poll.h"
#include "storage/partition_log.h"

namespace brook::backend {

namespace {
namespace asio = boost::asio;
namespace group = broker::group;
using protocol::kafka_error;
using std::chrono::steady_clock;

backend_error closed_error() {
  return {kafka_error::unknown_member_id, "The consumer is closed"};
}

std::string describe(const topic_partition& tp) {
  return tp.topic + "-" + std::to_string(tp.partition);
}

size_t record_size(const fetched_record& r) {
  return (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
}

}  // namespace

bool executor_gate::post(std::function<void()> f) {
  std::lock_guard lock(_mutex);
  if (_closed) {
    return false;
  }
  asio::post(_executor, std::move(f));
  return true;
}

bool executor_gate::closed() const {
  std::lock_guard lock(_mutex);
  return _closed;
}

void executor_gate::close() {
  std::lock_guard lock(_mutex);
  _closed = true;
}

std::shared_ptr<local_consumer_session> local_consumer_session::open(
    broker::broker& b, std::shared_ptr<executor_gate> gate, consumer_options options) {
  auto s = std::make_shared<local_consumer_session>(b, std::move(gate), std::move(options));
  s->on_executor([s] { s->schedule_tick(); });
  return s;
}

local_consumer_session::local_consumer_session(broker::broker& b,
                                               std::shared_ptr<executor_gate> gate,
                                               consumer_options options)
    : _broker(b),
      _gate(std::move(gate)),
      _executor(_gate->executor()),
      _options(std::move(options)) {
  _next_auto_commit = steady_clock::now() + _options.auto_commit_interval;
}

template <typename T>
bool local_consumer_session::refuse_when_stopped(const callback<T>& done) {
  if (!_gate->closed()) {
    return false;
  }
  done(closed_error());
  return true;
}

// ---- the calls ----

void local_consumer_session::subscribe(std::vector<std::string> topics,
                                       std::optional<std::string> pattern, callback<void> done) {
  if (refuse_when_stopped(done)) {
    return;
  }
  on_executor([this, topics = std::move(topics), pattern = std::move(pattern),
               done = std::move(done)]() mutable {
    if (_closed) {
      done(closed_error());
      return;
    }
    if (_mode == mode::assigned) {
      done(backend_error{kafka_error::invalid_request,
                         "Subscription to topics, partitions and pattern are mutually exclusive"});
      return;
    }
    std::optional<protocol::topic_pattern> compiled;
    if (pattern) {
      auto p = protocol::topic_pattern::compile(*pattern);
      if (!p) {
        done(p.error());
        return;
      }
      compiled = std::move(*p);
    }
    std::sort(topics.begin(), topics.end());
    topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
    _topics = std::move(topics);
    _pattern = std::move(compiled);
    if (_mode == mode::subscribed) {
      // Records of topics no longer subscribed are not returned: the rebalance that follows
      // takes their partitions away.
      rejoin();
    } else {
      _mode = mode::subscribed;
      start_join();
    }
    done(outcome<void>{});
  });
}

void local_consumer_session::assign(std::vector<topic_partition> partitions, callback<void> done) {
  if (refuse_when_stopped(done)) {
    return;
  }
  on_executor([this, partitions = std::move(partitions), done = std::move(done)]() mutable {
    if (_closed) {
      done(closed_error());
      return;
    }
    if (_mode == mode::subscribed) {
      done(backend_error{kafka_error::invalid_request,
                         "Subscription to topics, partitions and pattern are mutually exclusive"});
      return;
    }
    if (_options.auto_commit && _mode == mode::assigned) {
      // As Kafka's assign(): the positions of the partitions given up are committed.
      std::set<topic_partition> kept(partitions.begin(), partitions.end());
      auto offsets = positions_to_commit();
      std::erase_if(offsets, [&](const offset_commit& o) { return kept.contains(o.partition); });
      commit_now(std::move(offsets), [group = _options.group](const outcome<void>& r) {
        if (!r) {
          log::debug("REST consumer session of group '{}': commit of unassigned partitions: {}",
                     group, r.error().message);
        }
      });
    }
    _mode = partitions.empty() ? mode::none : mode::assigned;
    set_assignment(partitions, true);
    done(outcome<void>{});
  });
}

void local_consumer_session::unsubscribe(callback<void> done) {
  if (refuse_when_stopped(done)) {
    return;
  }
  on_executor([this, done = std::move(done)]() mutable {
    if (_closed) {
      done(closed_error());
      return;
    }
    auto finish = [this, done = std::move(done)](const outcome<void>&) mutable {
      if (_mode == mode::subscribed) {
        leave_group();
      }
      _mode = mode::none;
      _topics.clear();
      _pattern.reset();
      clear_assignment();
      done(outcome<void>{});
    };
    commit_before_leaving(std::move(finish));
  });
}

std::vector<topic_partition> local_consumer_session::assignment() const {
  std::lock_guard lock(_snapshot_mutex);
  return _snapshot;
}

void local_consumer_session::seek(std::vector<seek_target> targets, callback<void> done) {
  if (refuse_when_stopped(done)) {
    return;
  }
  on_executor([this, targets = std::move(targets), done = std::move(done)]() mutable {
    if (_closed) {
      done(closed_error());
      return;
    }
    for (const auto& t : targets) {
      auto it = _positions.find(t.partition);
      if (it == _positions.end()) {
        continue;  // taken away by a rebalance meanwhile
      }
      if (t.offset >= 0) {
        it->second = t.offset;
        continue;
      }
      auto topic = _broker.topics().find(t.partition.topic);
      auto log = topic ? topic->partition(t.partition.partition) : nullptr;
      if (log) {
        it->second =
            t.offset == seek_target::beginning ? log->log_start_offset() : log->high_watermark();
      }
    }
    wake_poll();
    done(outcome<void>{});
  });
}

void local_consumer_session::poll(poll_request request, callback<poll_result> done) {
  if (refuse_when_stopped(done)) {
    return;
  }
  on_executor([this, request, done = std::move(done)]() mutable {
    if (_closed) {
      done(closed_error());
      return;
    }
    _polls.push_back({request, std::move(done)});
    if (!_polling) {
      start_next_poll();
    }
  });
}

void local_consumer_session::commit(std::optional<std::vector<offset_commit>> offsets,
                                    callback<void> done) {
  if (refuse_when_stopped(done)) {
    return;
  }
  on_executor([this, offsets = std::move(offsets), done = std::move(done)]() mutable {
    if (_closed) {
      done(closed_error());
      return;
    }
    commit_now(offsets ? std::move(*offsets) : positions_to_commit(), std::move(done));
  });
}

void local_consumer_session::committed(std::vector<topic_partition> partitions,
                                       callback<std::vector<committed_position>> done) {
  if (refuse_when_stopped(done)) {
    return;
  }
  on_executor([this, partitions = std::move(partitions), done = std::move(done)]() mutable {
    if (_closed) {
      done(closed_error());
      return;
    }
    std::vector<group::topic_partition> parts;
    for (const auto& tp : partitions) {
      parts.emplace_back(tp.topic, tp.partition);
    }
    std::vector<committed_position> out;
    if (!parts.empty()) {
      for (auto& f : _broker.groups().fetch_offsets(_options.group, parts)) {
        if (f.value.offset >= 0) {
          out.push_back({{f.topic, f.partition}, f.value.offset, std::move(f.value.metadata)});
        }
      }
    }
    done(std::move(out));
  });
}

void local_consumer_session::close(callback<void> done) {
  if (refuse_when_stopped(done)) {
    return;
  }
  on_executor([this, done = std::move(done)]() mutable {
    if (_closed) {
      done(outcome<void>{});
      return;
    }
    auto finish = [this, done = std::move(done)](const outcome<void>&) mutable {
      if (_closed) {
        done(outcome<void>{});  // two closes raced: the first did the work
        return;
      }
      if (_mode == mode::subscribed) {
        leave_group();
      }
      _closed = true;
      _mode = mode::none;
      clear_assignment();
      _timer.reset();
      done(outcome<void>{});
    };
    commit_before_leaving(std::move(finish));
  });
}

bool local_consumer_session::owns_positions() const {
  return _mode == mode::assigned || (_mode == mode::subscribed && _joined);
}

void local_consumer_session::commit_before_leaving(callback<void> then) {
  auto offsets = positions_to_commit();
  if (!_options.auto_commit || !owns_positions() || offsets.empty()) {
    then(outcome<void>{});
    return;
  }
  commit_now(std::move(offsets),
             [group = _options.group, then = std::move(then)](const outcome<void>& r) {
               if (!r) {
                 log::debug("REST consumer session of group '{}': commit before leaving: {}", group,
                            r.error().message);
               }
               then(outcome<void>{});
             });
}

void local_consumer_session::shutdown(std::function<void()> done) {
  on_executor([this, done = std::move(done)] {
    leave_group();  // a close may have left a join in flight behind: leave for sure
    _closed = true;
    _mode = mode::none;
    clear_assignment();
    _timer.reset();
    // Polls waiting their turn are answered now: nothing runs here after the gate closes.
    std::deque<pending_poll> waiting;
    if (!_polls.empty()) {
      waiting.assign(std::make_move_iterator(_polls.begin() + (_polling ? 1 : 0)),
                     std::make_move_iterator(_polls.end()));
      _polls.erase(_polls.begin() + (_polling ? 1 : 0), _polls.end());
    }
    for (auto& p : waiting) {
      p.done(closed_error());
    }
    done();
  });
}

// ---- positions ----

int64_t local_consumer_session::reset_position(const topic_partition& tp) const {
  if (_options.reset == reset_policy::none) {
    return -1;
  }
  auto t = _broker.topics().find(tp.topic);
  auto log = t ? t->partition(tp.partition) : nullptr;
  if (!log) {
    return 0;
  }
  return _options.reset == reset_policy::earliest ? log->log_start_offset() : log->high_watermark();
}

void local_consumer_session::set_assignment(const std::vector<topic_partition>& parts,
                                            bool keep_current) {
  std::map<topic_partition, int64_t> positions;
  std::vector<group::topic_partition> fresh;
  for (const auto& tp : parts) {
    auto it = _positions.find(tp);
    if (keep_current && it != _positions.end()) {
      positions[tp] = it->second;
    } else {
      fresh.emplace_back(tp.topic, tp.partition);
    }
  }
  if (!fresh.empty()) {
    for (const auto& f : _broker.groups().fetch_offsets(_options.group, fresh)) {
      topic_partition tp{f.topic, f.partition};
      positions[tp] = f.value.offset >= 0 ? f.value.offset : reset_position(tp);
    }
    for (const auto& [topic, partition] : fresh) {
      topic_partition tp{topic, partition};
      if (!positions.contains(tp)) {
        positions[tp] = reset_position(tp);
      }
    }
  }
  _positions = std::move(positions);
  std::erase_if(_committed_positions, [&](const auto& e) { return !_positions.contains(e.first); });
  publish_assignment();
  wake_poll();
}

void local_consumer_session::clear_assignment() {
  _positions.clear();
  _committed_positions.clear();
  publish_assignment();
  wake_poll();
}

void local_consumer_session::publish_assignment() {
  std::vector<topic_partition> parts;
  for (const auto& [tp, position] : _positions) {
    parts.push_back(tp);
  }
  std::lock_guard lock(_snapshot_mutex);
  _snapshot = std::move(parts);
}

std::vector<offset_commit> local_consumer_session::positions_to_commit() const {
  std::vector<offset_commit> out;
  for (const auto& [tp, position] : _positions) {
    if (position >= 0) {
      out.push_back({tp, position, std::nullopt});
    }
  }
  return out;
}

void local_consumer_session::commit_now(std::vector<offset_commit> offsets, callback<void> done) {
  if (offsets.empty()) {
    done(outcome<void>{});
    return;
  }
  group::offset_commit_request req;
  req.group_id = _options.group;
  if (_mode == mode::subscribed && !_member_id.empty() && _generation >= 0) {
    req.generation = _generation;
    req.member_id = _member_id;
    req.instance_id = _options.instance_id;
  }
  for (const auto& o : offsets) {
    req.offsets.push_back({o.partition.topic, o.partition.partition, o.offset, -1, o.metadata});
  }
  auto self = shared_from_this();
  auto answer = std::make_shared<callback<void>>(std::move(done));
  _broker.groups().commit_offsets(std::move(req), [self, offsets = std::move(offsets), answer](
                                                      std::vector<kafka_error> errors) mutable {
    bool posted = self->on_executor([self, offsets = std::move(offsets), done = *answer,
                                     errors = std::move(errors)]() mutable {
      for (size_t i = 0; i < errors.size() && i < offsets.size(); ++i) {
        if (errors[i] == kafka_error::none && self->_positions.contains(offsets[i].partition)) {
          self->_committed_positions[offsets[i].partition] = offsets[i].offset;
        }
      }
      for (size_t i = 0; i < errors.size() && i < offsets.size(); ++i) {
        if (errors[i] != kafka_error::none) {
          done(backend_error{errors[i], "Commit of partition " + describe(offsets[i].partition) +
                                            ": " +
                                            std::string(protocol::kafka_error_name(errors[i]))});
          return;
        }
      }
      done(outcome<void>{});
    });
    if (!posted) {
      (*answer)(closed_error());  // the backend stopped: the session runs no more
    }
  });
}

// ---- polls ----

void local_consumer_session::start_next_poll() {
  if (_polls.empty()) {
    _polling = false;
    return;
  }
  _polling = true;
  if (attempt_poll(false)) {
    return;
  }
  const auto& req = _polls.front().request;
  auto deadline =
      broker::long_poll::clock::now() + std::min(req.max_wait, broker::long_poll::longest_wait);
  std::weak_ptr<local_consumer_session> weak = weak_from_this();
  _wait = broker::long_poll::start(_executor, deadline, watches(),
                                   [weak](bool final) -> broker::long_poll::attempt_result {
                                     auto self = weak.lock();
                                     if (!self || !self->_polling || self->_polls.empty()) {
                                       return {true, {}};
                                     }
                                     if (self->attempt_poll(final)) {
                                       return {true, {}};
                                     }
                                     return {false, self->watches()};
                                   });
}

std::vector<broker::long_poll::watch> local_consumer_session::watches() const {
  std::vector<broker::long_poll::watch> out;
  if (!owns_positions()) {
    return out;  // woken when the assignment comes (wake_poll)
  }
  for (const auto& [tp, position] : _positions) {
    auto t = _broker.topics().find(tp.topic);
    auto log = t ? t->partition(tp.partition) : nullptr;
    if (!log || position < 0) {
      continue;
    }
    // Past what the last attempt read already (records kept back for fetch.min.bytes):
    // waiting at the position itself would wake at once, again and again.
    auto read = _read_to.find(tp);
    out.push_back({std::move(log), std::max(position, read != _read_to.end() ? read->second : 0)});
  }
  return out;
}

bool local_consumer_session::attempt_poll(bool final) {
  const auto request = _polls.front().request;
  if (_closed) {
    finish_poll(closed_error());
    return true;
  }
  poll_result result;
  for (const auto& [tp, position] : _positions) {
    if (position < 0 && owns_positions()) {
      result.without_offset.push_back(tp);
    }
  }
  if (!result.without_offset.empty()) {
    finish_poll(std::move(result));
    return true;
  }
  std::vector<topic_partition> order;
  if (owns_positions()) {
    for (const auto& [tp, position] : _positions) {
      order.push_back(tp);
    }
  }
  if (!order.empty()) {
    std::rotate(order.begin(), order.begin() + static_cast<long>(_next_partition % order.size()),
                order.end());
  }
  size_t bytes = 0;
  bool full = false;
  _read_to.clear();
  for (const auto& tp : order) {
    if (full) {
      break;
    }
    auto t = _broker.topics().find(tp.topic);
    auto log = t ? t->partition(tp.partition) : nullptr;
    if (!log) {
      continue;  // not there (yet, or any more)
    }
    int64_t& position = _positions.at(tp);
    fetch_request f{tp.topic, tp.partition, position, request.max_bytes - bytes, {}};
    auto got = read_records(*log, f);
    if (!got && got.error().code == kafka_error::offset_out_of_range) {
      // Retention passed the position, or the log was truncated: the reset policy decides.
      position = reset_position(tp);
      if (position < 0) {
        result.without_offset.push_back(tp);
        continue;
      }
      f.offset = position;
      got = read_records(*log, f);
    }
    if (!got) {
      log::debug("REST consumer session of group '{}': read of {}: {}", _options.group,
                 describe(tp), got.error().message);
      continue;
    }
    for (auto& r : got->records) {
      size_t size = record_size(r);
      if (bytes + size > request.max_bytes) {
        full = true;
        break;
      }
      bytes += size;
      position = r.offset + 1;
      result.records.push_back({tp.topic, r.partition, r.offset, r.timestamp_ms, std::move(r.key),
                                std::move(r.value), std::move(r.headers)});
    }
    if (!full && got->records.empty()) {
      position = std::max(position, got->next_offset);  // past control batches
    }
    _read_to[tp] = full ? position : got->wait_from;
  }
  if (!order.empty()) {
    _next_partition = (_next_partition + 1) % order.size();
  }
  if (!result.without_offset.empty()) {
    // A partition lost its position (reset `none`): as Kafka's NoOffsetForPartition, the
    // poll hands out nothing and no position moves.
    rewind(result.records);
    result.records.clear();
    finish_poll(std::move(result));
    return true;
  }
  const bool enough = !result.records.empty() && bytes >= request.min_bytes;
  if (enough || full || final) {
    finish_poll(std::move(result));
    return true;
  }
  // Fewer bytes than min_bytes: they are handed out with what comes next.
  rewind(result.records);
  return false;
}

void local_consumer_session::rewind(const std::vector<consumed_record>& records) {
  for (const auto& r : records) {
    auto it = _positions.find({r.topic, r.partition});
    if (it != _positions.end()) {
      it->second = std::min(it->second, r.offset);
    }
  }
}

void local_consumer_session::finish_poll(outcome<poll_result> result) {
  auto p = std::move(_polls.front());
  _polls.pop_front();
  _wait.reset();
  p.done(std::move(result));
  // The next poll starts from a fresh stack, after this one's long_poll has finished.
  on_executor([this] { start_next_poll(); });
}

void local_consumer_session::wake_poll() {
  if (_wait) {
    _wait->wake();  // reads the new positions; a closed session's attempt answers
  }
}

}  // namespace brook::backend
