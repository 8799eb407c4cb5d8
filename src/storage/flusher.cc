#include "storage/flusher.h"

#include <unordered_map>

#include "storage/errc.h"
#include "storage/partition_log.h"

namespace brook::storage {

flusher::flusher(unsigned parallel_syncs) : _thread([this] { run(); }) {
  for (unsigned i = 1; i < parallel_syncs; ++i) {
    _helpers.emplace_back([this] { helper_loop(); });
  }
}

flusher::~flusher() {
  stop();
}

void flusher::helper_loop() {
  std::unique_lock lock(_job_mutex);
  for (;;) {
    _job_cv.wait(lock,
                 [this] { return _helpers_stopping || (_jobs && _next_job < _jobs->size()); });
    if (_helpers_stopping) {
      return;
    }
    size_t i = _next_job++;
    auto* log = (*_jobs)[i];
    lock.unlock();
    status st = log->flush();
    lock.lock();
    (*_job_results)[i] = st;
    if (--_jobs_left == 0) {
      _job_done_cv.notify_all();
    }
  }
}

std::vector<status> flusher::flush_all(const std::vector<partition_log*>& logs) {
  std::vector<status> out(logs.size());
  if (logs.size() == 1 || _helpers.empty()) {
    for (size_t i = 0; i < logs.size(); ++i) {
      out[i] = logs[i]->flush();
    }
    return out;
  }
  std::unique_lock lock(_job_mutex);
  _jobs = &logs;
  _job_results = &out;
  _next_job = 0;
  _jobs_left = logs.size();
  _job_cv.notify_all();
  // This thread takes jobs too.
  while (_next_job < logs.size()) {
    size_t i = _next_job++;
    lock.unlock();
    status st = logs[i]->flush();
    lock.lock();
    out[i] = st;
    --_jobs_left;
  }
  _job_done_cv.wait(lock, [this] { return _jobs_left == 0; });
  _jobs = nullptr;
  _job_results = nullptr;
  return out;
}

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
  {
    std::lock_guard lock(_job_mutex);
    _helpers_stopping = true;
    _job_cv.notify_all();
  }
  for (auto& h : _helpers) {
    h.join();
  }
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

    // One flush per distinct log.
    std::unordered_map<partition_log*, size_t> slot;
    std::vector<partition_log*> logs;
    for (auto* log : [&] {
           std::vector<partition_log*> all;
           for (auto& r : batch) {
             all.push_back(r.log.get());
           }
           for (auto& l : due) {
             all.push_back(l.get());
           }
           return all;
         }()) {
      if (slot.emplace(log, logs.size()).second) {
        logs.push_back(log);
      }
    }
    const auto started = clock::now();
    std::vector<status> results = flush_all(logs);
    _round_time.observe(clock::now() - started);
    if (!batch.empty()) {
      _round_appends.observe(static_cast<double>(batch.size()));
    }
    uint64_t flushed = logs.size();
    for (auto& r : batch) {
      r.done(results[slot[r.log.get()]]);
    }
    batch.clear();
    due.clear();

    lock.lock();
    _flushes += flushed;
  }
}

void flusher::write_metrics(metrics_writer& w) const {
  uint64_t rounds = 0;
  uint64_t flushes = 0;
  {
    std::lock_guard lock(_mutex);
    rounds = _rounds;
    flushes = _flushes;
  }
  w.counter("brook_log_flush_rounds",
            "Group-commit rounds of the flusher (each flushes every log waiting, in parallel).");
  w.value({}, rounds);
  w.counter("brook_log_flushes",
            "Partition log flushes (each one fdatasync of a segment or more).");
  w.value({}, flushes);
  w.histogram("brook_log_flush_round_duration_seconds",
              "Time a flush round took: its fdatasyncs, run in parallel.");
  w.value({}, _round_time.read());
  w.histogram("brook_log_flush_round_appends",
              "Appends waiting for durability (acks=all) that one flush round answered.");
  w.value({}, _round_appends.read());
}

}  // namespace brook::storage
