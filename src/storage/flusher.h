// flusher: the thread that makes appends durable. Appends to `sync` logs queue a request;
// each round takes every request queued so far and flushes each log they name once, so
// concurrent appends to one partition share one fdatasync, and appends to many
// partitions share one round (group commit). Logs in `interval` mode are flushed when
// their interval since the first unflushed write has passed. When a round names several
// logs their fdatasyncs run in parallel on a few helper threads: the filesystem then
// commits its journal once for all of them instead of once per file.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/metric_histogram.h"
#include "base/metrics_writer.h"
#include "base/result.h"

namespace brook::storage {

class partition_log;

class flusher {
 public:
  explicit flusher(unsigned parallel_syncs = 8);
  ~flusher();
  flusher(const flusher&) = delete;
  flusher& operator=(const flusher&) = delete;

  // Flushes `log` in the next round and then calls `done` with the outcome.
  void sync(std::shared_ptr<partition_log> log, std::function<void(status)> done);
  // Flushes `log` within `interval` from now, unless it is already due sooner.
  void schedule(const std::shared_ptr<partition_log>& log, std::chrono::milliseconds interval);
  // Runs the queued requests and stops the thread. Later requests complete at once with
  // errc::log_closed.
  void stop();

  uint64_t rounds() const;   // flush rounds run so far
  uint64_t flushes() const;  // log flushes run so far (each one fdatasync or more)
  // Its families for /metrics: flush rounds and log flushes, the time each round took and
  // how many appends waiting for durability it answered (the group commit's size).
  void write_metrics(metrics_writer& w) const;

 private:
  void run();
  void helper_loop();
  // Flushes every log in `logs`, in parallel when there are several; returns each log's
  // status, in the order of `logs`.
  std::vector<status> flush_all(const std::vector<partition_log*>& logs);
  struct request {
    std::shared_ptr<partition_log> log;
    std::function<void(status)> done;
  };
  using clock = std::chrono::steady_clock;

  mutable std::mutex _mutex;
  std::condition_variable _cv;
  std::vector<request> _pending;
  std::map<partition_log*, std::pair<std::weak_ptr<partition_log>, clock::time_point>> _scheduled;
  bool _stopping = false;
  uint64_t _rounds = 0;
  uint64_t _flushes = 0;
  metric_histogram _round_time{metric_histogram::latency_bounds()};
  metric_histogram _round_appends{metric_histogram::size_bounds()};

  // The parallel fdatasync helpers and the jobs of the current round.
  std::mutex _job_mutex;
  std::condition_variable _job_cv;
  std::condition_variable _job_done_cv;
  const std::vector<partition_log*>* _jobs = nullptr;
  std::vector<status>* _job_results = nullptr;
  size_t _next_job = 0;
  size_t _jobs_left = 0;
  bool _helpers_stopping = false;
  std::vector<std::thread> _helpers;
  std::thread _thread;  // last: it starts once every member above exists
};

}  // namespace brook::storage
