// connect_runtime: the connectors of one `brook serve` (Kafka Connect's "herder"): their
// definitions (connector_store), one worker each (sink_worker, source_worker), and the management
// operations of Connect's REST API (http/rest/connect_routes.cc) and `brook connector`. Operations
// run one at a time on the runtime's own thread and answer through a callback; definitions are
// stored before the workers change, so what was answered survives a restart.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "backend/event_backend.h"
#include "base/expected.h"
#include "connect/connector_store.h"
#include "connect/sink_plugins.h"
#include "connect/sink_worker.h"

namespace brook::connect {

// A refusal as Connect's REST API answers it: an HTTP status and a message.
struct connect_error {
  int status = 500;
  std::string message;
};
template <typename T>
using connect_result = expected<T, connect_error>;

struct connector_view {
  std::string name;
  connector_config::values config;  // credentials masked
  std::string type = "sink";
};

struct connector_status {
  std::string name;
  std::string type = "sink";
  std::string group;
  bool paused = false;
  worker_status task;
};

class connect_runtime {
 public:
  template <typename T>
  using done = std::function<void(connect_result<T>)>;

  connect_runtime(backend::event_backend& events, connect_environment env, std::string topic);
  ~connect_runtime();
  connect_runtime(const connect_runtime&) = delete;
  connect_runtime& operator=(const connect_runtime&) = delete;

  // Reads the stored definitions, stores those `declared` in the configuration file
  // (created, or replaced when they differ) and starts every connector. Blocks; a
  // declared connector with a bad configuration is an error.
  connect_result<void> start(const std::vector<connector_record>& declared);
  // Stops every worker (each flushes and commits what it can). Idempotent.
  void stop();

  void list(done<std::vector<std::string>> answer);
  // 409 when it exists, 400 for a bad configuration.
  void create(std::string name, connector_config::values config, done<connector_view> answer);
  // Creates or replaces; the bool says whether it was created.
  void put_config(std::string name, connector_config::values config,
                  done<std::pair<connector_view, bool>> answer);
  void get(std::string name, done<connector_view> answer);
  void status(std::string name, done<connector_status> answer);
  void pause(std::string name, done<void> answer);
  void resume(std::string name, done<void> answer);
  void restart(std::string name, done<void> answer);
  void remove(std::string name, done<void> answer);

  // Every connector's status now (for /metrics), by name.
  std::vector<connector_status> statuses() const;

 private:
  struct entry {
    connector_record record;
    std::unique_ptr<connector_worker> worker;
  };

  connect_result<connector_view> do_put(std::string name, connector_config::values config,
                                        bool must_be_new, bool& created);
  connect_result<std::unique_ptr<connector_worker>> make_worker(const connector_record& r);
  // Installs `next` as the connector's worker; the one it replaces is stopped after the
  // lock is released.
  void replace_worker(const std::string& name, std::unique_ptr<connector_worker> next);
  connect_result<void> set_paused(const std::string& name, bool paused);
  void stop_now();
  template <typename T, typename F>
  void post(done<T> answer, F f);

  backend::event_backend& _events;
  const connect_environment _env;
  connector_store _store;
  boost::asio::thread_pool _admin{1};
  std::mutex _post_mutex;     // orders post() and stop()
  bool _closing = false;      // stop() began: operations are refused (503)
  mutable std::mutex _mutex;  // guards _connectors for statuses(); the admin thread writes
  std::map<std::string, entry> _connectors;
  std::once_flag _stop_once;
};

}  // namespace brook::connect
