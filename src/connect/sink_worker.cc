#include "connect/sink_worker.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>

#include "backend/backend_wait.h"
#include "base/log.h"
#include "base/log_throttle.h"

namespace brook::connect {

using backend::start_call;
using backend::wait_for;
using backend::wait_for_produce;

namespace {

using clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds poll_wait{250};
constexpr std::chrono::milliseconds first_backoff{1000};
constexpr size_t poll_max_bytes = size_t{4} << 20;

std::string error_text(const backend::backend_error& e) {
  return e.message.empty() ? std::string(protocol::kafka_error_name(e.code)) : e.message;
}

}  // namespace

std::string_view task_state_name(task_state s) {
  switch (s) {
    case task_state::unassigned:
      return "UNASSIGNED";
    case task_state::running:
      return "RUNNING";
    case task_state::paused:
      return "PAUSED";
    case task_state::failed:
      return "FAILED";
  }
  return "UNASSIGNED";
}

worker_settings worker_settings::from(connector_config& config) {
  worker_settings s;
  s.name = config.string("name");
  s.topics = config.list("topics");
  if (auto regex = config.get("topics.regex")) {
    s.topics_regex = *regex;
  }
  if (s.topics.empty() == !s.topics_regex.has_value()) {
    config.add_error(
        "Must configure one of topics or topics.regex (and not both) for a sink connector.");
  }
  s.tolerate_errors = config.choice("errors.tolerance", "none", {"none", "all"}) == "all";
  s.dead_letter_topic = config.string("errors.deadletterqueue.topic.name");
  if (!s.dead_letter_topic.empty() && !s.tolerate_errors) {
    config.add_error(
        "errors.deadletterqueue.topic.name needs errors.tolerance all (with none, a bad record "
        "fails the task).");
  }
  constexpr int64_t day_ms = int64_t{24} * 3600 * 1000;
  s.retry_timeout =
      std::chrono::milliseconds(config.integer("errors.retry.timeout", -1, -1, 365 * day_ms));
  s.retry_delay_max =
      std::chrono::milliseconds(config.integer("errors.retry.delay.max.ms", 60000, 1, day_ms));
  s.flush_interval =
      std::chrono::milliseconds(config.integer("offset.flush.interval.ms", 1000, 10, day_ms));
  return s;
}

sink_worker::sink_worker(backend::event_backend& events, worker_settings settings,
                         sink_factory make_sink, bool paused)
    : _events(events),
      _settings(std::move(settings)),
      _make_sink(std::move(make_sink)),
      _paused(paused) {
  _status.state = paused ? task_state::paused : task_state::running;
  _thread = std::thread([this] { run(); });
}

sink_worker::~sink_worker() {
  stop();
}

void sink_worker::pause() {
  std::lock_guard lock(_mutex);
  _paused = true;
  _wake.notify_all();
}

void sink_worker::resume() {
  std::lock_guard lock(_mutex);
  _paused = false;
  _wake.notify_all();
}

void sink_worker::restart() {
  std::lock_guard lock(_mutex);
  _restart = true;
  _wake.notify_all();
}

void sink_worker::stop() {
  {
    std::lock_guard lock(_mutex);
    _stopping = true;
    _wake.notify_all();
  }
  if (_thread.joinable()) {
    _thread.join();
  }
}

worker_status sink_worker::status() const {
  std::lock_guard lock(_mutex);
  return _status;
}

void sink_worker::wait_until(std::unique_lock<std::mutex>& lock, clock::time_point until) {
  _wake.wait_until(lock, until, [this] { return _stopping || _restart || _paused; });
}

void sink_worker::run() {
  log::info("connector {}: started (group {})", _settings.name, _settings.group());
  for (;;) {
    {
      std::unique_lock lock(_mutex);
      if (_stopping) {
        break;
      }
      if (_restart) {
        _restart = false;
        lock.unlock();
        close_session(true);
        lock.lock();
        _failing_since.reset();
        _backoff = first_backoff;
        _status.trace.clear();
        _status.last_error.clear();
        _status.state = _paused ? task_state::paused : task_state::running;
        continue;
      }
      if (_status.state == task_state::failed) {
        _wake.wait(lock, [this] { return _stopping || _restart; });
        continue;
      }
      if (_paused) {
        if (_status.state != task_state::paused) {
          lock.unlock();
          close_session(true);
          lock.lock();
          _status.state = task_state::paused;
          log::info("connector {}: paused", _settings.name);
        }
        _wake.wait(lock, [this] { return _stopping || _restart || !_paused; });
        if (!_paused && !_stopping) {
          _status.state = task_state::running;
          log::info("connector {}: resumed", _settings.name);
        }
        continue;
      }
    }
    round();
  }
  close_session(true);
  log::info("connector {}: stopped", _settings.name);
}

void sink_worker::round() {
  if (!_sink) {
    auto made = _make_sink();
    if (!made) {
      fail_retrying(step::make_sink, made.error().message);
      return;
    }
    _sink = std::move(*made);
    passed(step::make_sink);
  }
  if (!_session) {
    backend::consumer_options o;
    o.group = _settings.group();
    o.client_id = "connector-" + _settings.name;
    // A static member: after a crash or a restart the worker takes its place again at
    // once instead of waiting out the old member's session.
    o.instance_id = "connector-" + _settings.name;
    o.client_host = "/127.0.0.1";
    o.reset = backend::reset_policy::earliest;
    o.auto_commit = false;
    _session = _events.open_consumer(o);
    auto subscribed = wait_for<void>([this](auto done) {
      _session->subscribe(_settings.topics, _settings.topics_regex, std::move(done));
    });
    if (!subscribed) {
      fail_retrying(step::join, "cannot join group " + _settings.group() + ": " +
                                    error_text(subscribed.error()));
      return;
    }
    _last_flush = clock::now();
    passed(step::join);
  }
  if (!_next_poll) {
    start_poll();
  }
  auto polled = _next_poll->get();
  _next_poll.reset();
  if (!polled) {
    fail_retrying(step::poll, "cannot read the topics: " + error_text(polled.error()));
    return;
  }
  auto& records = polled->records;
  if (!records.empty()) {
    // The positions are past these records already: the next poll reads on while the sink
    // writes them (a failure below drops it with the session; the sink's durable state
    // says where to read again).
    passed(step::poll);
    start_poll();
    auto put = _sink->put(records);
    if (!put) {
      fail_retrying(step::put, put.error().message);
      return;
    }
    if (!put->empty()) {
      if (!_settings.tolerate_errors) {
        const auto& bad = records[put->front().index];
        fail_for_good(fmt::format(
            "record {}-{} at offset {} cannot be written: {} (errors.tolerance is none)", bad.topic,
            bad.partition, bad.offset, put->front().reason));
        return;
      }
      if (!dead_letter(records, *put)) {
        return;
      }
    }
    _unflushed = true;
    {
      std::lock_guard lock(_mutex);
      _status.records_written += records.size() - put->size();
      _status.records_rejected += put->size();
    }
    passed(step::put);
  }
  const bool flush_due = clock::now() - _last_flush >= _settings.flush_interval;
  if (flush_due) {
    const bool carried = _unflushed;
    if (auto failed = flush_and_commit()) {
      fail_retrying(step::flush, *failed);
      return;
    }
    if (carried) {
      passed(step::flush);
    }
  }
}

void sink_worker::passed(step done) {
  if (!_failing_since || done < _failed_at) {
    return;
  }
  _failing_since.reset();
  _backoff = first_backoff;
  std::lock_guard lock(_mutex);
  _status.last_error.clear();
  log::info("connector {}: writing again", _settings.name);
}

std::optional<std::string> sink_worker::flush_and_commit() {
  _last_flush = clock::now();
  auto durable = _sink->flush();
  if (!durable) {
    return durable.error().message;
  }
  _unflushed = false;
  std::vector<backend::offset_commit> commits;
  for (const auto& [tp, next] : *durable) {
    auto it = _committed.find(tp);
    if (it == _committed.end() || it->second != next) {
      commits.push_back({tp, next, std::nullopt});
    }
  }
  {
    std::lock_guard lock(_mutex);
    _status.flushes += 1;
  }
  if (commits.empty()) {
    return std::nullopt;
  }
  auto committed =
      wait_for<void>([this, &commits](auto done) { _session->commit(commits, std::move(done)); });
  if (!committed) {
    // Durable in the destination already: the next commit carries it.
    log::warn("connector {}: cannot commit offsets: {}", _settings.name,
              error_text(committed.error()));
    return std::nullopt;
  }
  for (const auto& c : commits) {
    _committed[c.partition] = c.offset;
  }
  return std::nullopt;
}

bool sink_worker::dead_letter(const std::vector<consumed_record>& records,
                              const std::vector<rejected_record>& rejected) {
  static log_throttle throttle(std::chrono::seconds(10));
  for (const auto& r : rejected) {
    const auto& bad = records[r.index];
    if (throttle.allow()) {
      log::warn("connector {}: record {}-{} at offset {} skipped: {}", _settings.name, bad.topic,
                bad.partition, bad.offset, r.reason);
    }
  }
  if (_settings.dead_letter_topic.empty()) {
    return true;
  }
  std::vector<backend::produce_record> out;
  for (const auto& r : rejected) {
    const auto& bad = records[r.index];
    backend::produce_record p;
    p.key = bad.key;
    p.value = bad.value;
    p.headers = bad.headers;
    p.timestamp_ms = bad.timestamp_ms >= 0 ? std::optional(bad.timestamp_ms) : std::nullopt;
    auto header = [&p](std::string_view name, std::string value) {
      protocol::record_header h;
      h.key = fmt::format("__connect.errors.{}", name);
      h.value = std::move(value);
      p.headers.push_back(std::move(h));
    };
    header("topic", bad.topic);
    header("partition", std::to_string(bad.partition));
    header("offset", std::to_string(bad.offset));
    header("connector.name", _settings.name);
    header("task.id", "0");
    header("stage", "TASK_PUT");
    header("exception.message", r.reason);
    out.push_back(std::move(p));
  }
  for (const auto& r : wait_for_produce(_events, _settings.dead_letter_topic, std::move(out))) {
    if (r.error) {
      fail_retrying(step::put, "cannot write to the dead-letter topic " +
                                   _settings.dead_letter_topic + ": " + error_text(*r.error));
      return false;
    }
  }
  std::lock_guard lock(_mutex);
  _status.records_dead_lettered += rejected.size();
  return true;
}

void sink_worker::start_poll() {
  backend::poll_request request;
  request.max_wait = poll_wait;
  if (_unflushed) {
    // No longer than until the next flush is due: a topic gone quiet does not hold back
    // the commit of what was written.
    const auto until_flush = std::chrono::duration_cast<std::chrono::milliseconds>(
        _last_flush + _settings.flush_interval - clock::now());
    request.max_wait = std::clamp(until_flush, std::chrono::milliseconds(1), poll_wait);
  }
  request.max_bytes = poll_max_bytes;
  _next_poll = start_call<backend::poll_result>(
      [this, &request](auto done) { _session->poll(request, std::move(done)); });
}

void sink_worker::close_session(bool commit) {
  _next_poll.reset();
  if (_session) {
    if (commit && _sink) {
      if (auto failed = flush_and_commit()) {
        // Not durable: read again from the destination's state when the sink comes back.
        log::warn("connector {}: last flush before closing failed: {}", _settings.name, *failed);
      }
    }
    auto session = std::move(_session);
    (void)wait_for<void>([&session](auto done) { session->close(std::move(done)); });
  }
  _sink.reset();
  _unflushed = false;
  _committed.clear();
}

void sink_worker::fail_retrying(step failed, const std::string& error) {
  // Whatever the sink held that is not durable is read again from its durable state.
  _next_poll.reset();
  if (_session) {
    auto session = std::move(_session);
    (void)wait_for<void>([&session](auto done) { session->close(std::move(done)); });
  }
  _sink.reset();
  _unflushed = false;
  _committed.clear();
  const auto now = clock::now();
  if (!_failing_since) {
    _failing_since = now;
    _failed_at = failed;
  } else {
    _failed_at = std::max(_failed_at, failed);
  }
  std::unique_lock lock(_mutex);
  _status.last_error = error;
  _status.retries += 1;
  if (_settings.retry_timeout.count() >= 0 && now - *_failing_since >= _settings.retry_timeout) {
    lock.unlock();
    fail_for_good(error);
    return;
  }
  log::warn("connector {}: {} (retrying in {} ms)", _settings.name, error, _backoff.count());
  wait_until(lock, now + _backoff);
  _backoff = std::min(_backoff * 2, _settings.retry_delay_max);
}

void sink_worker::fail_for_good(std::string trace) {
  log::error("connector {}: FAILED: {}", _settings.name, trace);
  close_session(false);
  std::lock_guard lock(_mutex);
  _status.state = task_state::failed;
  _status.trace = std::move(trace);
}

}  // namespace brook::connect
