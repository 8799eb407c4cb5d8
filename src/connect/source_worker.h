// source_worker: runs the datagen source connector on a thread of its own: one JSON event
// from its template (event_template.h) every max.interval ms into kafka.topic, through the
// event backend, until iterations events (-1: forever). A refused produce is retried with
// backoff (1 s doubling to errors.retry.delay.max.ms) until errors.retry.timeout (-1:
// forever), then the task is FAILED until restarted. The sequence starts over at 0 when
// the task does.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "backend/event_backend.h"
#include "connect/connector_config.h"
#include "connect/connector_worker.h"

namespace brook::connect {

struct datagen_settings {
  std::string name;
  std::string topic;                        // kafka.topic
  std::string template_text;                // template, or the contents of template.file
  std::chrono::milliseconds interval{500};  // max.interval
  int64_t iterations = -1;                  // -1: forever
  uint64_t seed = 0;                        // 0: random
  std::chrono::milliseconds retry_timeout{-1};
  std::chrono::milliseconds retry_delay_max{60000};

  // The settings of `config` (errors recorded in it, the template checked).
  static datagen_settings from(connector_config& config);
};

class source_worker final : public connector_worker {
 public:
  source_worker(backend::event_backend& events, datagen_settings settings, bool paused);
  ~source_worker() override;
  source_worker(const source_worker&) = delete;
  source_worker& operator=(const source_worker&) = delete;

  void pause() override;
  void resume() override;
  void restart() override;
  void stop() override;
  worker_status status() const override;

 private:
  void run();
  // Produces one event; the error, if refused.
  std::optional<std::string> produce(const std::string& value);

  backend::event_backend& _events;
  const datagen_settings _settings;
  mutable std::mutex _mutex;
  std::condition_variable _wake;
  bool _stopping = false;
  bool _paused = false;
  bool _restart = false;
  worker_status _status;
  std::thread _thread;
};

}  // namespace brook::connect
