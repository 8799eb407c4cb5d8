#include "security/audit_log.h"

#include <future>

#include "base/clock.h"
#include "base/json_writer.h"
#include "base/log.h"

namespace brook::security {

namespace {
// Records handed to one publish call at most.
constexpr size_t batch_records = 500;
}  // namespace

audit_log::audit_log(publish_fn publish, size_t max_queued)
    : _publish(std::move(publish)), _max_queued(max_queued) {
  _thread = std::thread([this] { run(); });
}

audit_log::~audit_log() {
  stop();
}

std::string audit_log::format(const audit_event& e, int64_t time_ms) {
  json_writer w;
  w.begin_object();
  w.key("time").value(format_iso8601(time_ms));
  w.key("event").value(e.event);
  w.key("outcome").value(e.outcome);
  auto optional = [&w](std::string_view name, const std::string& v) {
    if (!v.empty()) {
      w.key(name).value(v);
    }
  };
  optional("listener", e.listener);
  optional("client", e.client);
  optional("mechanism", e.mechanism);
  optional("principal", e.principal);
  optional("user", e.user);
  optional("reason", e.reason);
  optional("operation", e.operation);
  if (!e.resource_type.empty()) {
    w.key("resource").begin_object();
    w.key("type").value(e.resource_type);
    w.key("name").value(e.resource_name);
    w.end_object();
  }
  w.end_object();
  return w.take();
}

void audit_log::record(const audit_event& e) {
  std::string text = format(e, wall_clock_ms());
  {
    std::lock_guard lock(_mu);
    ++_counters.recorded;
    if (_stopping || _queue.size() >= _max_queued) {
      ++_counters.dropped;
      return;
    }
    _queue.push_back(std::move(text));
  }
  _wake.notify_one();
}

void audit_log::stop() {
  {
    std::lock_guard lock(_mu);
    if (_stopping) {
      return;
    }
    _stopping = true;
  }
  _wake.notify_all();
  if (_thread.joinable()) {
    _thread.join();
  }
}

audit_log::counters audit_log::current() const {
  std::lock_guard lock(_mu);
  return _counters;
}

void audit_log::run() {
  std::unique_lock lock(_mu);
  for (;;) {
    _wake.wait(lock, [this] { return _stopping || !_queue.empty(); });
    if (_queue.empty()) {
      return;  // stopping, and everything queued was handed on
    }
    std::vector<std::string> batch;
    while (!_queue.empty() && batch.size() < batch_records) {
      batch.push_back(std::move(_queue.front()));
      _queue.pop_front();
    }
    const uint64_t dropped = _counters.dropped;
    lock.unlock();
    if (dropped > _dropped_reported) {
      log::warn("audit: {} events dropped so far (more than the queue holds were waiting)",
                dropped);
      _dropped_reported = dropped;
    }
    const size_t n = batch.size();
    auto stored = std::make_shared<std::promise<bool>>();
    auto future = stored->get_future();
    _publish(std::move(batch), [stored](bool ok) { stored->set_value(ok); });
    // A store that never answers (the backend stopped under it) must not hold up stop().
    const bool ok =
        future.wait_for(std::chrono::seconds(30)) == std::future_status::ready && future.get();
    if (!ok) {
      log::warn("audit: {} records could not be written to the audit topic", n);
    }
    lock.lock();
    (ok ? _counters.published : _counters.failed) += n;
  }
}

}  // namespace brook::security
