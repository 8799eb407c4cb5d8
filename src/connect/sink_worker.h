// sink_worker: runs one sink connector on a thread of its own: a member of the consumer
// group connect-<name> (as Kafka Connect names its groups, so `brook group describe` and
// the lag metrics show its progress), reading its topics in order, handing the records to
// the sink, and committing only the offsets the sink's flush() says are durable.
//
// Errors. A record the sink cannot convert follows errors.tolerance: none fails the task
// (FAILED, with the record and the reason); all skips it, to the dead-letter topic
// errors.deadletterqueue.topic.name when set (with Connect's __connect.errors.* headers).
// Destination trouble drops the sink and the group membership and retries with backoff
// (1 s doubling to errors.retry.delay.max.ms) from what the destination holds, until
// errors.retry.timeout (-1: forever) passes; then the task is FAILED until restarted.
//
// pause() commits what is durable and leaves the group; resume() joins again; restart()
// starts over from the destination's state (also out of FAILED); stop() ends the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backend/event_backend.h"
#include "connect/connector_config.h"
#include "connect/connector_worker.h"
#include "connect/sink.h"

namespace brook::connect {

// What every sink connector's configuration says to the worker (the sink's own keys are
// its plugin's).
struct worker_settings {
  std::string name;
  std::vector<std::string> topics;                   // topics
  std::optional<std::string> topics_regex;           // topics.regex
  bool tolerate_errors = false;                      // errors.tolerance all
  std::string dead_letter_topic;                     // errors.deadletterqueue.topic.name
  std::chrono::milliseconds retry_timeout{-1};       // errors.retry.timeout; -1 forever
  std::chrono::milliseconds retry_delay_max{60000};  // errors.retry.delay.max.ms
  std::chrono::milliseconds flush_interval{1000};    // offset.flush.interval.ms

  // The settings of `config` (errors recorded in it).
  static worker_settings from(connector_config& config);
  std::string group() const { return "connect-" + name; }
};

using sink_factory = std::function<sink_result<std::unique_ptr<sink>>()>;

class sink_worker final : public connector_worker {
 public:
  // Starts the thread (paused: it waits for resume()).
  sink_worker(backend::event_backend& events, worker_settings settings, sink_factory make_sink,
              bool paused);
  ~sink_worker() override;
  sink_worker(const sink_worker&) = delete;
  sink_worker& operator=(const sink_worker&) = delete;

  void pause() override;
  void resume() override;
  void restart() override;
  // Flushes and commits what it can, leaves the group and ends the thread. Idempotent.
  void stop() override;

  worker_status status() const override;
  const worker_settings& settings() const { return _settings; }

 private:
  void run();
  // One round: connect if needed, poll, put, flush when due. False on a failure handled.
  void round();
  // Where a round can fail, in the order a round goes: a failure is over only once a
  // round got past the step that failed with records in hand (a round that read nothing
  // proves nothing: the group may still be assigning partitions, and an empty flush
  // touches no destination).
  enum class step { make_sink, join, poll, put, flush };
  void fail_retrying(step failed, const std::string& error);
  // The round got past `done`: a failure at it or before it is over.
  void passed(step done);
  void fail_for_good(std::string trace);
  void close_session(bool commit);
  void start_poll();
  // Makes what the sink took durable and commits it; why not, on failure.
  std::optional<std::string> flush_and_commit();
  bool dead_letter(const std::vector<consumed_record>& records,
                   const std::vector<rejected_record>& rejected);
  // Sleeps until `until` or until woken by stop/pause/resume/restart. The lock is held.
  void wait_until(std::unique_lock<std::mutex>& lock, std::chrono::steady_clock::time_point until);

  backend::event_backend& _events;
  const worker_settings _settings;
  const sink_factory _make_sink;

  mutable std::mutex _mutex;
  std::condition_variable _wake;
  bool _stopping = false;
  bool _paused = false;
  bool _restart = false;
  worker_status _status;

  // The thread's own (no lock).
  std::unique_ptr<sink> _sink;
  std::shared_ptr<backend::consumer_session> _session;
  // The next poll, started before the sink takes the records of the last one, so that
  // reading overlaps writing. Dropped with the session.
  std::optional<std::future<backend::outcome<backend::poll_result>>> _next_poll;
  std::map<topic_partition, int64_t> _committed;
  std::chrono::steady_clock::time_point _last_flush;
  bool _unflushed = false;  // the sink took records since the last flush
  std::optional<std::chrono::steady_clock::time_point> _failing_since;
  step _failed_at = step::make_sink;
  std::chrono::milliseconds _backoff{1000};

  std::thread _thread;
};

}  // namespace brook::connect
