#include "storage/flusher.h"

#include <unordered_map>

#include "storage/errc.h"
#include "storage/partition_log.h"

namespace brook::storage {

flusher::flusher() : _thread([this] { run(); }) {}

flusher::~flusher() { stop(); }

void flusher::sync(std::shared_ptr<partition_log> log, std::function<void(status)> done) {
  {
    std::lock_guard lock(_mutex);
    if (!_stopping) {
      _pending.push_back({std::move(log), std::move(done)});
      _cv.notify_one();
      return;
    }
  }
  done(errc::log_closed);
}

void flusher::schedule(const std::shared_ptr<partition_log>& log,
                       std::chrono::milliseconds interval) {
  std::lock_guard lock(_mutex);
  if (_stopping) {
    return;
  }
  auto due = clock::now() + interval;
  auto [it, inserted] = _scheduled.try_emplace(log.get(), log, due);
  if (!inserted && it->second.first.expired()) {
    it->second = {log, due};  // a new log at a closed one's address
  } else if (!inserted && due < it->second.second) {
    it->second.second = due;
  }
  if (inserted) {
    _cv.notify_one();
  }
}

void flusher::stop() {
  {
    std::lock_guard lock(_mutex);
    if (_stopping) {
      return;
    }
    _stopping = true;
    _cv.notify_one();
  }
  _thread.join();
}

uint64_t flusher::rounds() const {
  std::lock_guard lock(_mutex);
  return _rounds;
}

uint64_t flusher::flushes() const {
  std::lock_guard lock(_mutex);
  return _flushes;
}

void flusher::run() {
  std::unique_lock lock(_mutex);
  for (;;) {
    auto now = clock::now();
    auto next_due = clock::time_point::max();
    std::vector<std::shared_ptr<partition_log>> due;
    for (auto it = _scheduled.begin(); it != _scheduled.end();) {
      if (it->second.second <= now || _stopping) {
        if (auto log = it->second.first.lock()) {
          due.push_back(std::move(log));
        }
        it = _scheduled.erase(it);
      } else {
        next_due = std::min(next_due, it->second.second);
        ++it;
      }
    }
    if (_pending.empty() && due.empty()) {
      if (_stopping) {
        return;
      }
      if (next_due == clock::time_point::max()) {
        _cv.wait(lock);
      } else {
        _cv.wait_until(lock, next_due);
      }
      continue;
    }
    std::vector<request> batch;
    batch.swap(_pending);
    ++_rounds;
    lock.unlock();

    // One flush per distinct log, in first-request order.
    std::unordered_map<partition_log*, status> outcome;
    uint64_t flushed = 0;
    auto flush_once = [&](partition_log* log) {
      if (outcome.find(log) == outcome.end()) {
        outcome.emplace(log, log->flush());
        ++flushed;
      }
    };
    for (auto& r : batch) {
      flush_once(r.log.get());
    }
    for (auto& log : due) {
      flush_once(log.get());
    }
    for (auto& r : batch) {
      r.done(outcome[r.log.get()]);
    }
    batch.clear();
    due.clear();

    lock.lock();
    _flushes += flushed;
  }
}

}  // namespace brook::storage
