#include "http/rest/consumer_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <vector>

#include "base/log.h"

namespace brook::http::rest {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

}  // namespace

consumer_registry::consumer_registry(boost::asio::any_io_executor expiry_executor,
                                     backend::event_backend& backend, milliseconds idle_timeout,
                                     size_t max_instances)
    : _backend(backend),
      _idle_timeout(idle_timeout),
      _max_instances(max_instances),
      _random(std::random_device{}()),
      // Often enough that an instance outlives its timeout by at most about a second.
      _expiry(std::move(expiry_executor),
              std::clamp(_idle_timeout / 2, milliseconds(10), milliseconds(1000)),
              [this] { expire_idle(steady_clock::now()); }) {
  if (_idle_timeout.count() > 0) {
    _expiry.start();
  }
}

consumer_registry::~consumer_registry() {
  close_all();
}

consumer_registry::create_answer consumer_registry::create(consumer_settings settings,
                                                           backend::event_backend* through) {
  if (auto e = validate_consumer_settings(settings)) {
    return {"", std::move(e)};
  }
  std::unique_lock lock(_mutex);
  if (_stopping) {
    return {"", rest_error::make(error_codes::unavailable, "The REST Proxy is shutting down")};
  }
  if (settings.name.empty()) {
    settings.name = generated_name_locked(settings.group);
  }
  key k{settings.group, settings.name};
  if (_instances.count(k) != 0) {
    return {"", rest_error::make(error_codes::consumer_already_exists,
                                 "Consumer with specified consumer ID already exists in the "
                                 "specified consumer group.")};
  }
  if (_instances.size() >= _max_instances) {
    return {"", rest_error::make(error_codes::unavailable,
                                 fmt::format("Too many consumer instances (at most {}): delete "
                                             "the ones no longer used",
                                             _max_instances))};
  }
  _instances.emplace(k, nullptr);
  lock.unlock();

  auto opened = consumer_instance::open(settings, through != nullptr ? *through : _backend);

  lock.lock();
  if (opened.error || _stopping) {
    _instances.erase(k);
    lock.unlock();
    if (opened.error) {
      return {"", std::move(opened.error)};
    }
    opened.instance->close([] {});
    return {"", rest_error::make(error_codes::unavailable, "The REST Proxy is shutting down")};
  }
  _instances[k] = std::move(opened.instance);
  return {settings.name, std::nullopt};
}

std::shared_ptr<consumer_instance> consumer_registry::find(const std::string& group,
                                                           const std::string& name,
                                                           const security::principal& who) {
  std::lock_guard lock(_mutex);
  auto it = _instances.find({group, name});
  if (it == _instances.end() || !it->second || it->second->owner() != who) {
    return nullptr;
  }
  it->second->touch();
  return it->second;
}

std::shared_ptr<consumer_instance> consumer_registry::take(const std::string& group,
                                                           const std::string& name,
                                                           const security::principal& who) {
  std::lock_guard lock(_mutex);
  auto it = _instances.find({group, name});
  if (it == _instances.end() || !it->second || it->second->owner() != who) {
    return nullptr;
  }
  auto instance = std::move(it->second);
  _instances.erase(it);
  return instance;
}

size_t consumer_registry::expire_idle(steady_clock::time_point now) {
  if (_idle_timeout.count() <= 0) {
    return 0;
  }
  std::vector<std::shared_ptr<consumer_instance>> idle;
  {
    std::lock_guard lock(_mutex);
    for (auto it = _instances.begin(); it != _instances.end();) {
      const auto& c = it->second;
      if (c && !c->in_use() && c->last_used() + _idle_timeout <= now) {
        idle.push_back(c);
        it = _instances.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& c : idle) {
    log::info("closing REST consumer {}/{}: unused for {} ms", c->group(), c->name(),
              _idle_timeout.count());
    c->close([] {});
  }
  return idle.size();
}

void consumer_registry::close_all() {
  {
    std::lock_guard lock(_mutex);
    _stopping = true;
  }
  _expiry.stop();
  std::vector<std::shared_ptr<consumer_instance>> all;
  {
    std::lock_guard lock(_mutex);
    for (auto it = _instances.begin(); it != _instances.end();) {
      if (it->second) {
        all.push_back(std::move(it->second));
        it = _instances.erase(it);
      } else {
        ++it;  // being created: create() closes it when it sees _stopping
      }
    }
  }
  if (all.empty()) {
    return;
  }
  std::promise<void> closed;
  auto left = std::make_shared<std::atomic<size_t>>(all.size());
  for (const auto& c : all) {
    c->close([left, &closed] {
      if (left->fetch_sub(1) == 1) {
        closed.set_value();
      }
    });
  }
  closed.get_future().wait();
}

size_t consumer_registry::size() const {
  std::lock_guard lock(_mutex);
  return _instances.size();
}

std::string consumer_registry::generated_name_locked(const std::string& group) {
  while (true) {
    std::string name = fmt::format("rest-consumer-{:016x}{:016x}", _random(), _random());
    if (_instances.count({group, name}) == 0) {
      return name;
    }
  }
}

}  // namespace brook::http::rest
