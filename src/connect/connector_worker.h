// connector_worker: what the connect runtime controls of a running connector, a sink
// (sink_worker) or a source (source_worker): its thread, pause/resume/restart/stop, and its
// status as Kafka Connect reports a task's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace brook::connect {

enum class task_state { unassigned, running, paused, failed };
std::string_view task_state_name(task_state s);  // Connect's: UNASSIGNED, RUNNING, ...

struct worker_status {
  task_state state = task_state::unassigned;
  std::string trace;             // why it FAILED
  std::string last_error;        // the destination's last error while retrying ("" when none)
  uint64_t records_written = 0;  // a source: records produced
  uint64_t records_rejected = 0;
  uint64_t records_dead_lettered = 0;
  uint64_t flushes = 0;
  uint64_t retries = 0;
  std::string principal;  // whom it acts as (connect_runtime fills it in); "" the server
};

class connector_worker {
 public:
  virtual ~connector_worker() = default;
  virtual void pause() = 0;
  virtual void resume() = 0;
  // Starts over (also out of FAILED).
  virtual void restart() = 0;
  // Ends the thread (a sink flushes and commits first). Idempotent.
  virtual void stop() = 0;
  virtual worker_status status() const = 0;
};

}  // namespace brook::connect
