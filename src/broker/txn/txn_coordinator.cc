#include "broker/txn/txn_coordinator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>

#include "base/clock.h"
#include "base/log.h"
#include "broker/group/group_coordinator.h"
#include "storage/errc.h"
#include "storage/group_store.h"
#include "storage/partition_log.h"

namespace brook::broker::txn {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool completed(txn_state s) {
  return s == txn_state::empty || s == txn_state::complete_commit || s == txn_state::complete_abort;
}

bool preparing(txn_state s) {
  return s == txn_state::prepare_commit || s == txn_state::prepare_abort;
}

// The epoch after `epoch`, or nullopt when it would pass the largest one (a new producer
// id is due: Kafka's rule, which keeps INT16_MAX for markers of a fenced producer).
std::optional<int16_t> next_epoch(int16_t epoch) {
  if (epoch >= std::numeric_limits<int16_t>::max() - 1) {
    return std::nullopt;
  }
  return static_cast<int16_t>(epoch + 1);
}

}  // namespace

txn_coordinator::txn_coordinator(txn_config config, storage::group_store& store,
                                 group::group_coordinator& groups, log_lookup logs,
                                 pid_allocator allocate, boost::asio::any_io_executor executor)
    : _config(config),
      _store(store),
      _groups(groups),
      _logs(std::move(logs)),
      _allocate(std::move(allocate)),
      _timer(std::move(executor), [this] { return on_timer(); }) {}

txn_coordinator::~txn_coordinator() {
  stop();
}

void txn_coordinator::stop() {
  _timer.stop();
  std::unique_lock lock(_mutex);
  _settled.wait(lock, [this] { return _busy == 0; });
}

result<std::unique_ptr<txn_coordinator>> txn_coordinator::open(
    txn_config config, storage::group_store& store, group::group_coordinator& groups,
    log_lookup logs, pid_allocator allocate, boost::asio::any_io_executor timer_executor) {
  auto stored = store.load_transactions();
  if (!stored) {
    return stored.error();
  }
  std::unique_ptr<txn_coordinator> c(new txn_coordinator(
      config, store, groups, std::move(logs), std::move(allocate), std::move(timer_executor)));
  std::vector<std::string> unfinished;
  for (auto& [id, blob] : *stored) {
    auto meta = decode_txn(blob);
    if (!meta) {
      log::error("transactional id '{}': stored state does not decode ({}): forgotten", id,
                 meta.error().message());
      continue;
    }
    if (preparing(meta->state)) {
      unfinished.push_back(id);
    }
    c->_txns[id].meta = std::move(meta).value();
  }
  // Transactions decided before the restart: their markers and offsets again.
  for (const auto& id : unfinished) {
    {
      std::lock_guard lock(c->_mutex);
      c->_txns[id].completing = true;
    }
    log::info("transactional id '{}': completing the transaction decided before the restart", id);
    c->complete(id, nullptr);
  }
  c->_timer.arm(std::chrono::steady_clock::now() +
                std::chrono::milliseconds(config.abort_check_interval_ms));
  return c;
}

kafka_error txn_coordinator::check_producer(const std::string& id, int64_t producer_id,
                                            int16_t epoch, const entry** found) const {
  auto it = _txns.find(id);
  if (it == _txns.end() || it->second.meta.producer_id != producer_id) {
    return kafka_error::invalid_producer_id_mapping;
  }
  if (it->second.meta.producer_epoch != epoch) {
    return kafka_error::producer_fenced;
  }
  *found = &it->second;
  return kafka_error::none;
}

txn_coordinator::entry* txn_coordinator::open_entry_locked(std::unique_lock<std::mutex>& lock,
                                                           const std::string& id,
                                                           int64_t producer_id, int16_t epoch,
                                                           const error_callback& done) {
  const entry* found = nullptr;
  auto error = check_producer(id, producer_id, epoch, &found);
  if (error == kafka_error::none && (found->completing || preparing(found->meta.state))) {
    error = kafka_error::concurrent_transactions;  // the last transaction is still ending
  }
  if (error != kafka_error::none) {
    lock.unlock();
    done(error);
    return nullptr;
  }
  return &_txns.at(id);
}

void txn_coordinator::persist_locked(const std::string& id, const txn_metadata& meta,
                                     std::function<void(status)> done) {
  storage::txn_changes changes;
  changes.transactional_id = id;
  changes.state = encode_txn(meta);
  ++_busy;
  _store.write(std::move(changes), [this, id, done = std::move(done)](status st) {
    if (!st) {
      log::error("transactional id '{}': cannot store its state: {}", id, st.error().message());
    }
    if (done) {
      done(st);
    }
    leave();
  });
}

void txn_coordinator::leave() {
  std::lock_guard lock(_mutex);
  --_busy;
  _settled.notify_all();
}

void txn_coordinator::init_producer_id(const std::string& id, int32_t timeout_ms,
                                       int64_t expected_producer_id, int16_t expected_epoch,
                                       std::function<void(init_result)> done) {
  if (timeout_ms <= 0 || timeout_ms > _config.max_timeout_ms) {
    done({kafka_error::invalid_transaction_timeout});
    return;
  }
  std::unique_lock lock(_mutex);
  auto it = _txns.find(id);
  if (it == _txns.end()) {
    lock.unlock();
    auto pid = _allocate();
    if (!pid) {
      log::error("cannot reserve producer ids: {}", pid.error().message());
      done({kafka_error::kafka_storage_error});
      return;
    }
    lock.lock();
    it = _txns.find(id);
    if (it != _txns.end()) {
      lock.unlock();
      done({kafka_error::concurrent_transactions});  // another init won the race
      return;
    }
    auto& e = _txns[id];
    e.meta.producer_id = *pid;
    e.meta.producer_epoch = 0;
    e.meta.timeout_ms = timeout_ms;
    e.meta.update_ms = now_ms();
    auto meta = e.meta;
    persist_locked(id, meta, [meta, done = std::move(done)](status st) {
      done(st ? init_result{kafka_error::none, meta.producer_id, meta.producer_epoch}
              : init_result{kafka_error::coordinator_not_available});
    });
    return;
  }
  entry& e = it->second;
  if (e.completing || preparing(e.meta.state)) {
    lock.unlock();
    done({kafka_error::concurrent_transactions});
    return;
  }
  if (expected_producer_id >= 0 &&
      (expected_producer_id != e.meta.producer_id || expected_epoch != e.meta.producer_epoch)) {
    lock.unlock();
    // KIP-360: a producer bumping an epoch it no longer holds.
    done({kafka_error::producer_fenced});
    return;
  }
  e.meta.timeout_ms = timeout_ms;
  if (e.meta.state == txn_state::ongoing) {
    // The previous holder's transaction is aborted, with its epoch bumped: fenced.
    auto bumped = next_epoch(e.meta.producer_epoch);
    decide_locked(
        id, e, false, bumped ? 1 : 0,
        [this, id, timeout_ms, done = std::move(done)](kafka_error error, int64_t, int16_t) {
          if (error != kafka_error::none) {
            done({error});
            return;
          }
          // The transaction is aborted: the new holder gets the next epoch.
          init_producer_id(id, timeout_ms, -1, -1, done);
        });
    return;
  }
  auto bumped = next_epoch(e.meta.producer_epoch);
  if (!bumped) {
    lock.unlock();
    auto pid = _allocate();
    if (!pid) {
      done({kafka_error::kafka_storage_error});
      return;
    }
    lock.lock();
    it = _txns.find(id);
    if (it == _txns.end() || it->second.completing || !completed(it->second.meta.state)) {
      lock.unlock();
      done({kafka_error::concurrent_transactions});
      return;
    }
    it->second.meta.producer_id = *pid;
    it->second.meta.producer_epoch = 0;
  } else {
    e.meta.producer_epoch = *bumped;
  }
  auto& meta = _txns[id].meta;
  meta.state = txn_state::empty;
  meta.update_ms = now_ms();
  auto copy = meta;
  persist_locked(id, copy, [copy, done = std::move(done)](status st) {
    done(st ? init_result{kafka_error::none, copy.producer_id, copy.producer_epoch}
            : init_result{kafka_error::coordinator_not_available});
  });
}

void txn_coordinator::add_partitions(const std::string& id, int64_t producer_id, int16_t epoch,
                                     const std::vector<txn_partition>& partitions,
                                     error_callback done) {
  std::unique_lock lock(_mutex);
  entry* found = open_entry_locked(lock, id, producer_id, epoch, done);
  if (found == nullptr) {
    return;
  }
  entry& e = *found;
  std::vector<txn_partition> added;
  for (auto& p : partitions) {
    if (e.pending.contains(p)) {
      // A retry while the first request is being stored: answered once it is durable.
      lock.unlock();
      done(kafka_error::concurrent_transactions);
      return;
    }
    if (!e.meta.partitions.contains(p)) {
      added.push_back(p);
    }
  }
  if (added.empty() && e.meta.state == txn_state::ongoing) {
    lock.unlock();
    done(kafka_error::none);
    return;
  }
  bool began = e.meta.state != txn_state::ongoing;
  if (began) {
    e.meta.state = txn_state::ongoing;
    e.meta.start_ms = now_ms();
  }
  e.meta.partitions.insert(added.begin(), added.end());
  e.pending.insert(added.begin(), added.end());
  e.meta.update_ms = now_ms();
  // The partitions must be durable before the producer writes to them (verify() refuses
  // them while pending): a restart that forgot one would never write its marker.
  persist_locked(id, e.meta, [this, id, added, done = std::move(done)](status st) {
    {
      std::lock_guard relock(_mutex);
      if (auto it = _txns.find(id); it != _txns.end()) {
        for (const auto& p : added) {
          it->second.pending.erase(p);
          if (!st) {
            it->second.meta.partitions.erase(p);
          }
        }
      }
    }
    done(st ? kafka_error::none : kafka_error::coordinator_not_available);
  });
}

kafka_error txn_coordinator::verify(const std::string& id, int64_t producer_id, int16_t epoch,
                                    const txn_partition& p) const {
  std::lock_guard lock(_mutex);
  const entry* e = nullptr;
  if (auto error = check_producer(id, producer_id, epoch, &e); error != kafka_error::none) {
    return error;
  }
  if (e->meta.state != txn_state::ongoing || !e->meta.partitions.contains(p) ||
      e->pending.contains(p)) {
    return kafka_error::invalid_txn_state;
  }
  return kafka_error::none;
}

void txn_coordinator::add_offsets(const std::string& id, int64_t producer_id, int16_t epoch,
                                  const std::string& group, error_callback done) {
  std::unique_lock lock(_mutex);
  entry* found = open_entry_locked(lock, id, producer_id, epoch, done);
  if (found == nullptr) {
    return;
  }
  entry& e = *found;
  if (e.meta.state == txn_state::ongoing && e.meta.groups.contains(group)) {
    lock.unlock();
    done(kafka_error::none);
    return;
  }
  if (e.meta.state != txn_state::ongoing) {
    e.meta.state = txn_state::ongoing;
    e.meta.start_ms = now_ms();
  }
  e.meta.groups.insert(group);
  e.meta.update_ms = now_ms();
  persist_locked(id, e.meta, [done = std::move(done)](status st) {
    done(st ? kafka_error::none : kafka_error::coordinator_not_available);
  });
}

void txn_coordinator::commit_offsets(const std::string& id, int64_t producer_id, int16_t epoch,
                                     std::vector<txn_offset> offsets, error_callback done) {
  std::unique_lock lock(_mutex);
  entry* found = open_entry_locked(lock, id, producer_id, epoch, done);
  if (found == nullptr) {
    return;
  }
  entry& e = *found;
  bool added = std::all_of(offsets.begin(), offsets.end(),
                           [&e](const txn_offset& o) { return e.meta.groups.contains(o.group); });
  if (e.meta.state != txn_state::ongoing || !added) {
    // AddOffsetsToTxn comes first: without it the commit would have no marker.
    lock.unlock();
    done(kafka_error::invalid_txn_state);
    return;
  }
  for (auto& o : offsets) {
    std::erase_if(e.meta.offsets, [&o](const txn_offset& x) {
      return x.group == o.group && x.topic == o.topic && x.partition == o.partition;
    });
    e.meta.offsets.push_back(std::move(o));
  }
  e.meta.update_ms = now_ms();
  persist_locked(id, e.meta, [done = std::move(done)](status st) {
    done(st ? kafka_error::none : kafka_error::coordinator_not_available);
  });
}

void txn_coordinator::end(const std::string& id, int64_t producer_id, int16_t epoch, bool commit,
                          error_callback done) {
  std::unique_lock lock(_mutex);
  const entry* found = nullptr;
  if (auto error = check_producer(id, producer_id, epoch, &found); error != kafka_error::none) {
    lock.unlock();
    done(error);
    return;
  }
  entry& e = _txns[id];
  auto wanted = commit ? txn_state::complete_commit : txn_state::complete_abort;
  auto deciding = commit ? txn_state::prepare_commit : txn_state::prepare_abort;
  if (e.completing || preparing(e.meta.state)) {
    lock.unlock();
    // A retry of the EndTxn being completed waits its turn; the other decision is too late.
    done(e.meta.state == deciding ? kafka_error::concurrent_transactions
                                  : kafka_error::invalid_txn_state);
    return;
  }
  if (e.meta.state != txn_state::ongoing) {
    lock.unlock();
    // A retry of an EndTxn that completed succeeds; anything else has no transaction to end.
    done(e.meta.state == wanted ? kafka_error::none : kafka_error::invalid_txn_state);
    return;
  }
  decide_locked(id, e, commit, 0,
                [done = std::move(done)](kafka_error error, int64_t, int16_t) { done(error); });
}

void txn_coordinator::decide_locked(const std::string& id, entry& e, bool commit, int16_t bump,
                                    completion_done done) {
  auto previous = e.meta;
  e.meta.state = commit ? txn_state::prepare_commit : txn_state::prepare_abort;
  e.meta.producer_epoch = static_cast<int16_t>(e.meta.producer_epoch + bump);
  e.meta.update_ms = now_ms();
  e.completing = true;
  e.marked.clear();
  persist_locked(id, e.meta, [this, id, previous, done = std::move(done)](status st) mutable {
    if (!st) {
      // Not decided: the transaction stays open, as the store still has it.
      {
        std::lock_guard lock(_mutex);
        if (auto it = _txns.find(id); it != _txns.end()) {
          it->second.meta = previous;
          it->second.completing = false;
        }
        _settled.notify_all();
      }
      if (done) {
        done(kafka_error::coordinator_not_available, -1, -1);
      }
      return;
    }
    complete(id, std::move(done));
  });
}

void txn_coordinator::complete(const std::string& id, completion_done done) {
  txn_metadata meta;
  std::set<txn_partition> marked;
  {
    std::lock_guard lock(_mutex);
    meta = _txns.at(id).meta;
    marked = _txns.at(id).marked;
    ++_busy;  // until `done` has run
  }
  const bool commit = meta.state == txn_state::prepare_commit;
  // What is left to do, counted down by each marker and offset commit as it lands.
  struct progress {
    std::atomic<size_t> pending{1};
    std::atomic<bool> failed{false};
    std::function<void()> then;
    void finish_one() {
      if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        // `then` may hold the progress itself: released before it runs, no cycle is left.
        auto last = std::move(then);
        then = nullptr;
        last();
      }
    }
  };
  auto finish = [this, id, commit, done = std::move(done)](bool ok) {
    txn_metadata after;
    {
      std::lock_guard lock(_mutex);
      auto& e = _txns.at(id);
      e.completing = false;
      if (!ok) {
        after = e.meta;  // still decided: the timer tries again
      } else {
        e.meta.state = commit ? txn_state::complete_commit : txn_state::complete_abort;
        e.meta.partitions.clear();
        e.meta.groups.clear();
        e.meta.offsets.clear();
        e.meta.start_ms = -1;
        e.meta.update_ms = now_ms();
        e.marked.clear();
        after = e.meta;
        // Not waited for: a restart that lost it completes the transaction again.
        persist_locked(id, after, nullptr);
      }
    }
    if (!ok) {
      log::warn(
          "transactional id '{}': the transaction's {} is decided but not yet complete; "
          "retried every transactions.abort_check_interval_ms",
          id, commit ? "commit" : "abort");
    }
    if (done) {
      // The decision is durable: it holds whether or not every marker is written yet.
      done(kafka_error::none, after.producer_id, after.producer_epoch);
    }
    leave();
  };

  // Markers first, then (for a commit) the offsets.
  auto markers = std::make_shared<progress>();
  auto offsets_step = [this, id, commit, meta, finish]() mutable {
    if (!commit || meta.offsets.empty()) {
      finish(true);
      return;
    }
    std::map<std::string, group::offset_commit_request> by_group;
    for (const auto& o : meta.offsets) {
      auto& r = by_group[o.group];
      r.group_id = o.group;
      r.transactional = true;
      r.offsets.push_back({o.topic, o.partition, o.offset, o.leader_epoch, o.metadata});
    }
    auto commits = std::make_shared<progress>();
    commits->then = [commits, finish]() mutable { finish(!commits->failed.load()); };
    for (auto& [group_id, request] : by_group) {
      commits->pending.fetch_add(1, std::memory_order_relaxed);
      _groups.commit_offsets(
          std::move(request), [commits, id](const std::vector<kafka_error>& errors) {
            for (auto e : errors) {
              if (e == kafka_error::none) {
                continue;
              }
              // The store failed: tried again. Anything else (a partition deleted meanwhile)
              // would fail again: that offset is dropped, the rest committed.
              bool retried = e == kafka_error::coordinator_not_available;
              log::warn("transactional id '{}': committing its offsets: {}{}", id,
                        protocol::kafka_error_name(e), retried ? ", retried" : ", offset dropped");
              if (retried) {
                commits->failed = true;
              }
            }
            commits->finish_one();
          });
    }
    commits->finish_one();
  };
  // The offsets wait until every marker is written.
  markers->then = [markers, offsets_step, finish]() mutable {
    if (markers->failed.load()) {
      finish(false);
    } else {
      offsets_step();
    }
  };
  auto type = commit ? protocol::control_type::commit : protocol::control_type::abort;
  for (const auto& p : meta.partitions) {
    auto log = _logs(p.topic, p.partition);
    if (!log || marked.contains(p)) {
      continue;  // the topic was deleted, or an earlier try wrote this one
    }
    markers->pending.fetch_add(1, std::memory_order_relaxed);
    log->append_marker(meta.producer_id, meta.producer_epoch, type,
                       [this, markers, id, p](result<storage::append_result> r) {
                         // A stale epoch would be refused forever: the partition saw a newer epoch
                         // of this producer id (not from this coordinator), so there is nothing of
                         // this transaction's left to end there.
                         bool done_here = r || r.error() == storage::errc::invalid_producer_epoch;
                         if (!r) {
                           log::warn("transactional id '{}': marker to {}-{}: {}{}", id, p.topic,
                                     p.partition, r.error().message(),
                                     done_here ? ", given up" : ", retried");
                         }
                         if (done_here) {
                           std::lock_guard lock(_mutex);
                           _txns.at(id).marked.insert(p);
                         } else {
                           markers->failed = true;
                         }
                         markers->finish_one();
                       });
  }
  markers->finish_one();
}

std::optional<txn_metadata> txn_coordinator::describe(const std::string& id) const {
  std::lock_guard lock(_mutex);
  auto it = _txns.find(id);
  if (it == _txns.end()) {
    return std::nullopt;
  }
  return it->second.meta;
}

std::vector<std::pair<std::string, txn_metadata>> txn_coordinator::list() const {
  std::lock_guard lock(_mutex);
  std::vector<std::pair<std::string, txn_metadata>> out;
  out.reserve(_txns.size());
  for (const auto& [id, e] : _txns) {
    out.emplace_back(id, e.meta);
  }
  return out;
}

bool txn_coordinator::has_pending_offset(const std::string& group, const std::string& topic,
                                         int32_t partition) const {
  std::lock_guard lock(_mutex);
  for (const auto& [id, e] : _txns) {
    if (e.meta.state == txn_state::ongoing || e.meta.state == txn_state::prepare_commit) {
      for (const auto& o : e.meta.offsets) {
        if (o.group == group && o.topic == topic && o.partition == partition) {
          return true;
        }
      }
    }
  }
  return false;
}

void txn_coordinator::run_checks(int64_t now) {
  std::vector<std::string> retry;
  std::vector<std::string> expired;
  {
    std::lock_guard lock(_mutex);
    for (auto& [id, e] : _txns) {
      if (e.completing) {
        continue;
      }
      if (preparing(e.meta.state)) {
        e.completing = true;
        retry.push_back(id);
      } else if (e.meta.state == txn_state::ongoing && e.meta.start_ms >= 0 &&
                 now - e.meta.start_ms > e.meta.timeout_ms) {
        log::info(
            "transactional id '{}': transaction open for {} ms, past its timeout of {} ms: "
            "aborted, producer {} fenced",
            id, now - e.meta.start_ms, e.meta.timeout_ms, e.meta.producer_id);
        decide_locked(id, e, false, next_epoch(e.meta.producer_epoch) ? 1 : 0, nullptr);
      } else if (completed(e.meta.state) && now - e.meta.update_ms > _config.id_expiration_ms) {
        expired.push_back(id);
      }
    }
    for (const auto& id : expired) {
      _txns.erase(id);
    }
  }
  for (const auto& id : retry) {
    complete(id, nullptr);
  }
  for (const auto& id : expired) {
    log::info("transactional id '{}': unused for transactional.id.expiration.ms: forgotten", id);
    storage::txn_changes changes;
    changes.transactional_id = id;
    _store.write(std::move(changes), nullptr);
  }
}

std::chrono::steady_clock::time_point txn_coordinator::on_timer() {
  run_checks(now_ms());
  return std::chrono::steady_clock::now() +
         std::chrono::milliseconds(_config.abort_check_interval_ms);
}

}  // namespace brook::broker::txn
