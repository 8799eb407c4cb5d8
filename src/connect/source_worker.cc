#include "connect/source_worker.h"

#include <fmt/format.h>

#include <fstream>
#include <future>
#include <random>
#include <sstream>

#include "backend/backend_wait.h"
#include "base/clock.h"
#include "base/log.h"
#include "connect/event_template.h"

namespace brook::connect {

using backend::wait_for_produce;

namespace {
using clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds first_backoff{1000};
}  // namespace

datagen_settings datagen_settings::from(connector_config& config) {
  datagen_settings s;
  s.name = config.string("name");
  s.topic = config.required("kafka.topic");
  s.template_text = config.string("template");
  if (auto file = config.get("template.file")) {
    std::ifstream in(*file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      config.add_error(
          fmt::format("Invalid value {} for configuration template.file: cannot "
                      "read it",
                      *file));
    }
    s.template_text = text.str();
  }
  if (s.template_text.empty()) {
    config.add_error(
        "Missing required configuration \"template\" (or \"template.file\"): the "
        "JSON template of the events");
  } else if (auto t = event_template::parse(s.template_text, 1); !t) {
    config.add_error("Invalid template: " + t.error());
  }
  constexpr int64_t day_ms = int64_t{24} * 3600 * 1000;
  s.interval = std::chrono::milliseconds(config.integer("max.interval", 500, 0, day_ms));
  s.iterations = config.integer("iterations", -1, -1, int64_t{1} << 50);
  s.seed = static_cast<uint64_t>(config.integer("seed", 0, 0, INT64_MAX));
  s.retry_timeout =
      std::chrono::milliseconds(config.integer("errors.retry.timeout", -1, -1, 365 * day_ms));
  s.retry_delay_max =
      std::chrono::milliseconds(config.integer("errors.retry.delay.max.ms", 60000, 1, day_ms));
  return s;
}

source_worker::source_worker(backend::event_backend& events, datagen_settings settings, bool paused)
    : _events(events), _settings(std::move(settings)), _paused(paused) {
  _status.state = paused ? task_state::paused : task_state::running;
  _thread = std::thread([this] { run(); });
}

source_worker::~source_worker() {
  stop();
}

void source_worker::pause() {
  std::lock_guard lock(_mutex);
  _paused = true;
  _status.state = _status.state == task_state::failed ? task_state::failed : task_state::paused;
  _wake.notify_all();
}

void source_worker::resume() {
  std::lock_guard lock(_mutex);
  _paused = false;
  _status.state = _status.state == task_state::failed ? task_state::failed : task_state::running;
  _wake.notify_all();
}

void source_worker::restart() {
  std::lock_guard lock(_mutex);
  _restart = true;
  _wake.notify_all();
}

void source_worker::stop() {
  {
    std::lock_guard lock(_mutex);
    _stopping = true;
    _wake.notify_all();
  }
  if (_thread.joinable()) {
    _thread.join();
  }
}

worker_status source_worker::status() const {
  std::lock_guard lock(_mutex);
  return _status;
}

std::optional<std::string> source_worker::produce(const std::string& value) {
  std::vector<backend::produce_record> records(1);
  records[0].value = value;
  auto results = wait_for_produce(_events, _settings.topic, std::move(records));
  if (results.empty()) {
    return std::string("no answer from the backend");
  }
  if (results[0].error) {
    return results[0].error->message;
  }
  return std::nullopt;
}

void source_worker::run() {
  log::info("connector {}: started (source into {})", _settings.name, _settings.topic);
  const uint64_t seed = _settings.seed != 0 ? _settings.seed : std::random_device{}();
  auto t = event_template::parse(_settings.template_text, seed);  // checked by the plan
  uint64_t seq = 0;
  auto next_at = clock::now();
  std::optional<clock::time_point> failing_since;
  auto backoff = first_backoff;
  std::unique_lock lock(_mutex);
  while (!_stopping) {
    if (_restart) {
      _restart = false;
      seq = 0;
      failing_since.reset();
      backoff = first_backoff;
      _status.trace.clear();
      _status.last_error.clear();
      _status.state = _paused ? task_state::paused : task_state::running;
      next_at = clock::now();
      continue;
    }
    const bool done =
        _settings.iterations >= 0 && seq >= static_cast<uint64_t>(_settings.iterations);
    if (_paused || _status.state == task_state::failed || done || !t) {
      _wake.wait(lock, [&] {
        return _stopping || _restart || (!_paused && _status.state != task_state::failed && !done);
      });
      continue;
    }
    if (_wake.wait_until(lock, next_at, [this] { return _stopping || _restart || _paused; })) {
      continue;
    }
    lock.unlock();
    const auto problem = produce((*t)->render(seq, wall_clock_ms()));
    lock.lock();
    if (!problem) {
      ++seq;
      _status.records_written += 1;
      if (failing_since) {
        failing_since.reset();
        backoff = first_backoff;
        _status.last_error.clear();
      }
      next_at += _settings.interval;
      next_at = std::max(next_at, clock::now() - _settings.interval);  // no burst after a stall
      continue;
    }
    const auto now = clock::now();
    failing_since = failing_since.value_or(now);
    _status.retries += 1;
    _status.last_error = "cannot produce to " + _settings.topic + ": " + *problem;
    if (_settings.retry_timeout.count() >= 0 && now - *failing_since >= _settings.retry_timeout) {
      log::error("connector {}: FAILED: {}", _settings.name, _status.last_error);
      _status.state = task_state::failed;
      _status.trace = _status.last_error;
      continue;
    }
    log::warn("connector {}: {} (retrying in {} ms)", _settings.name, _status.last_error,
              backoff.count());
    next_at = now + backoff;
    backoff = std::min(backoff * 2, _settings.retry_delay_max);
  }
  log::info("connector {}: stopped", _settings.name);
}

}  // namespace brook::connect
