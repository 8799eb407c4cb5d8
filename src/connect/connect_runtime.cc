#include "connect/connect_runtime.h"

#include <fmt/format.h>

#include <boost/asio/post.hpp>
#include <future>

#include "backend/authorizing_backend.h"
#include "base/log.h"

namespace brook::connect {

namespace {

// "sink" or "source", as the connector's class says.
std::string type_of(const connector_config::values& config) {
  auto it = config.find("connector.class");
  const plugin_info* p = it == config.end() ? nullptr : find_plugin(it->second);
  return p == nullptr ? "sink" : p->type;
}

connect_error not_found(const std::string& name) {
  return {404, fmt::format("Connector {} not found", name)};
}

connect_error invalid(const std::vector<std::string>& errors) {
  return {400, fmt::format("Connector configuration is invalid and contains the following {} "
                           "error(s):\n{}\nYou can also find the above list of errors at the "
                           "endpoint `/connector-plugins/{{connectorType}}/config/validate`",
                           errors.size(), fmt::join(errors, "\n"))};
}

// A connector acting as its own principal: its worker reads, commits and produces through
// an authorizing backend of its own (the same checks as a Kafka client of that principal
// gets), which lives as long as the worker.
class acting_worker final : public connector_worker {
 public:
  acting_worker(backend::event_backend& events, const security::authorizer& authorizer,
                const connector_plan& plan, bool paused)
      : _events(std::make_unique<backend::authorizing_backend>(
            events, backend::caller{authorizer, plan.principal, "/127.0.0.1"})),
        _worker(plan.start(*_events, paused)) {}
  ~acting_worker() override { _worker.reset(); }  // before the backend it uses
  acting_worker(const acting_worker&) = delete;
  acting_worker& operator=(const acting_worker&) = delete;

  void pause() override { _worker->pause(); }
  void resume() override { _worker->resume(); }
  void restart() override { _worker->restart(); }
  void stop() override { _worker->stop(); }
  worker_status status() const override {
    auto s = _worker->status();
    s.principal = _events->who().who.to_string();
    return s;
  }

 private:
  std::unique_ptr<backend::authorizing_backend> _events;
  std::unique_ptr<connector_worker> _worker;
};

connect_error backend_failed(std::string_view what, const backend::backend_error& e) {
  return {500, fmt::format("{}: {}", what, e.message)};
}

}  // namespace

connect_runtime::connect_runtime(backend::event_backend& events, connect_environment env,
                                 std::string topic)
    : _events(events), _env(std::move(env)), _store(events, std::move(topic)) {}

connect_runtime::~connect_runtime() {
  stop();
}

template <typename T, typename F>
void connect_runtime::post(done<T> answer, F f) {
  // Under the lock: once stop() has set _closing, nothing more reaches the admin thread
  // (whose pool it joins), and what came before it runs.
  std::lock_guard lock(_post_mutex);
  if (_closing) {
    answer(unexpected(connect_error{503, "the connect runtime is shutting down"}));
    return;
  }
  boost::asio::post(_admin,
                    [answer = std::move(answer), f = std::move(f)]() mutable { answer(f()); });
}

connect_result<std::unique_ptr<connector_worker>> connect_runtime::make_worker(
    const connector_record& r) {
  auto plan = plan_connector(r.name, r.config, _env);
  if (!plan) {
    return unexpected(invalid(plan.error()));
  }
  if (_env.authorizer == nullptr) {
    return plan->start(_events, r.paused);
  }
  return std::unique_ptr<connector_worker>(
      std::make_unique<acting_worker>(_events, *_env.authorizer, *plan, r.paused));
}

void connect_runtime::replace_worker(const std::string& name,
                                     std::unique_ptr<connector_worker> next) {
  std::unique_ptr<connector_worker> old;
  {
    std::lock_guard lock(_mutex);
    auto it = _connectors.find(name);
    if (it != _connectors.end()) {
      old = std::exchange(it->second.worker, std::move(next));
    }
  }
  old.reset();  // stops it (a last flush and commit), outside the lock: /metrics reads on
}

connect_result<void> connect_runtime::start(const std::vector<connector_record>& declared) {
  auto stored = _store.load();
  if (!stored) {
    return unexpected(
        backend_failed("cannot read the connectors from " + _store.topic(), stored.error()));
  }
  for (const auto& d : declared) {
    auto it = stored->find(d.name);
    if (it != stored->end() && it->second.config == d.config) {
      continue;
    }
    if (auto plan = plan_connector(d.name, d.config, _env); !plan) {
      return unexpected(connect_error{400, fmt::format("connector {} of the configuration file: {}",
                                                       d.name, invalid(plan.error()).message)});
    }
    connector_record r = d;
    r.paused = it != stored->end() && it->second.paused;
    if (auto saved = _store.save(r); !saved) {
      return unexpected(backend_failed("cannot store connector " + d.name, saved.error()));
    }
    (*stored)[d.name] = std::move(r);
  }
  for (auto& [name, record] : *stored) {
    auto worker = make_worker(record);
    if (!worker) {
      // Stored by an earlier version, or edited by hand: kept, not run.
      log::error("connector {} not started: {}", name, worker.error().message);
    }
    std::lock_guard lock(_mutex);
    auto& e = _connectors[name];
    e.record = std::move(record);
    e.worker = worker ? std::move(*worker) : nullptr;
  }
  log::info("connect: {} connectors ({} declared in the configuration file), definitions in {}",
            _connectors.size(), declared.size(), _store.topic());
  return {};
}

void connect_runtime::stop() {
  std::call_once(_stop_once, [this] { stop_now(); });
}

void connect_runtime::stop_now() {
  {
    std::lock_guard lock(_post_mutex);
    _closing = true;
  }
  _admin.join();  // what was asked before runs to its end
  std::vector<std::unique_ptr<connector_worker>> workers;
  {
    std::lock_guard lock(_mutex);
    for (auto& [name, e] : _connectors) {
      workers.push_back(std::move(e.worker));
    }
  }
  workers.clear();  // each stops: a last flush and commit
}

void connect_runtime::list(done<std::vector<std::string>> answer) {
  post(std::move(answer), [this]() -> connect_result<std::vector<std::string>> {
    std::vector<std::string> names;
    std::lock_guard lock(_mutex);
    for (const auto& [name, e] : _connectors) {
      names.push_back(name);
    }
    return names;
  });
}

connect_result<connector_view> connect_runtime::do_put(std::string name,
                                                       connector_config::values config,
                                                       bool must_be_new, bool& created) {
  std::unique_lock lock(_mutex);
  auto it = _connectors.find(name);
  created = it == _connectors.end();
  if (!created && must_be_new) {
    return unexpected(connect_error{409, fmt::format("Connector {} already exists", name)});
  }
  if (!created) {
    config = unmask_values(std::move(config), it->second.record.config);
  }
  // Two connectors writing the same files would cut each other's back.
  if (auto file = config.find("file"); file != config.end()) {
    for (const auto& [other, e] : _connectors) {
      auto theirs = e.record.config.find("file");
      if (other != name && theirs != e.record.config.end() && theirs->second == file->second) {
        return unexpected(connect_error{
            400,
            fmt::format("Connector configuration is invalid: file {} is written by connector {}",
                        file->second, other)});
      }
    }
  }
  const bool paused = !created && it->second.record.paused;
  lock.unlock();
  config.erase("name");
  auto plan = plan_connector(name, config, _env);
  if (!plan) {
    return unexpected(invalid(plan.error()));
  }
  config["name"] = name;
  connector_record r;
  r.name = name;
  r.config = config;
  r.paused = paused;
  if (auto saved = _store.save(r); !saved) {
    return unexpected(backend_failed("cannot store the connector", saved.error()));
  }
  if (created) {
    std::lock_guard added(_mutex);
    _connectors[name].record = r;
  } else {
    replace_worker(name, nullptr);  // the old one stops before the new one reads
    std::lock_guard replaced(_mutex);
    _connectors[name].record = r;
  }
  auto worker = make_worker(r);
  if (!worker) {
    return unexpected(worker.error());
  }
  replace_worker(name, std::move(*worker));
  log::info("connector {} {}", name, created ? "created" : "reconfigured");
  return connector_view{name, masked_values(r.config), type_of(r.config)};
}

void connect_runtime::create(std::string name, connector_config::values config,
                             done<connector_view> answer) {
  post(std::move(answer), [this, name = std::move(name), config = std::move(config)]() mutable {
    bool created = false;
    return do_put(std::move(name), std::move(config), true, created);
  });
}

void connect_runtime::put_config(std::string name, connector_config::values config,
                                 done<std::pair<connector_view, bool>> answer) {
  post(std::move(answer),
       [this, name = std::move(name),
        config = std::move(config)]() mutable -> connect_result<std::pair<connector_view, bool>> {
         bool created = false;
         auto view = do_put(std::move(name), std::move(config), false, created);
         if (!view) {
           return unexpected(view.error());
         }
         return std::pair{std::move(*view), created};
       });
}

void connect_runtime::get(std::string name, done<connector_view> answer) {
  post(std::move(answer), [this, name = std::move(name)]() -> connect_result<connector_view> {
    std::lock_guard lock(_mutex);
    auto it = _connectors.find(name);
    if (it == _connectors.end()) {
      return unexpected(not_found(name));
    }
    return connector_view{name, masked_values(it->second.record.config),
                          type_of(it->second.record.config)};
  });
}

void connect_runtime::status(std::string name, done<connector_status> answer) {
  post(std::move(answer), [this, name = std::move(name)]() -> connect_result<connector_status> {
    std::lock_guard lock(_mutex);
    auto it = _connectors.find(name);
    if (it == _connectors.end()) {
      return unexpected(not_found(name));
    }
    connector_status s;
    s.name = name;
    s.type = type_of(it->second.record.config);
    s.group = s.type == "sink" ? "connect-" + name : "";
    s.paused = it->second.record.paused;
    if (it->second.worker) {
      s.task = it->second.worker->status();
    } else {
      s.task.state = task_state::failed;
      s.task.trace = "the configuration is not valid for this version of Brook";
    }
    return s;
  });
}

connect_result<void> connect_runtime::set_paused(const std::string& name, bool paused) {
  std::unique_lock lock(_mutex);
  auto it = _connectors.find(name);
  if (it == _connectors.end()) {
    return unexpected(not_found(name));
  }
  if (it->second.record.paused == paused) {
    return {};
  }
  connector_record r = it->second.record;
  r.paused = paused;
  lock.unlock();
  if (auto saved = _store.save(r); !saved) {
    return unexpected(backend_failed("cannot store the connector", saved.error()));
  }
  lock.lock();
  it->second.record.paused = paused;
  if (auto& w = it->second.worker) {
    paused ? w->pause() : w->resume();
  }
  log::info("connector {} {}", name, paused ? "paused" : "resumed");
  return {};
}

void connect_runtime::pause(std::string name, done<void> answer) {
  post(std::move(answer), [this, name = std::move(name)] { return set_paused(name, true); });
}

void connect_runtime::resume(std::string name, done<void> answer) {
  post(std::move(answer), [this, name = std::move(name)] { return set_paused(name, false); });
}

void connect_runtime::restart(std::string name, done<void> answer) {
  post(std::move(answer), [this, name = std::move(name)]() -> connect_result<void> {
    std::unique_lock lock(_mutex);
    auto it = _connectors.find(name);
    if (it == _connectors.end()) {
      return unexpected(not_found(name));
    }
    if (it->second.worker) {
      it->second.worker->restart();
      return {};
    }
    const connector_record r = it->second.record;
    lock.unlock();
    auto worker = make_worker(r);
    if (!worker) {
      return unexpected(worker.error());
    }
    replace_worker(name, std::move(*worker));
    return {};
  });
}

void connect_runtime::remove(std::string name, done<void> answer) {
  post(std::move(answer), [this, name = std::move(name)]() -> connect_result<void> {
    std::unique_lock lock(_mutex);
    auto it = _connectors.find(name);
    if (it == _connectors.end()) {
      return unexpected(not_found(name));
    }
    lock.unlock();
    if (auto removed = _store.remove(name); !removed) {
      return unexpected(backend_failed("cannot delete the connector", removed.error()));
    }
    lock.lock();
    auto worker = std::move(it->second.worker);
    const connector_record r = it->second.record;
    _connectors.erase(it);
    lock.unlock();
    worker.reset();  // stops it: flushes and commits
    // What the sink wrote but never made durable (it failed, or was retrying) is cut back
    // by opening it once, before its state goes.
    if (auto plan = plan_connector(r.name, r.config, _env); plan && plan->make_sink) {
      (void)plan->make_sink();
    }
    remove_connector_state(name, _env);
    log::info("connector {} deleted", name);
    return {};
  });
}

std::vector<connector_status> connect_runtime::statuses() const {
  std::lock_guard lock(_mutex);
  std::vector<connector_status> out;
  for (const auto& [name, e] : _connectors) {
    connector_status s;
    s.name = name;
    s.type = type_of(e.record.config);
    s.group = s.type == "sink" ? "connect-" + name : "";
    s.paused = e.record.paused;
    if (e.worker) {
      s.task = e.worker->status();
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace brook::connect
