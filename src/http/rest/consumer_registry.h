// consumer_registry: the REST Proxy's consumer instances by (group, name): creation, lookup,
// deletion, and closing the ones left idle (Confluent's consumer.instance.timeout.ms) from a
// periodic timer on an executor it is given. Closing an instance (remove, expiry, shutdown)
// commits (with auto commit) and leaves its group.
//
// Lookups hand out shared pointers: a route may still hold an instance the registry has just
// closed; its calls then answer 40403, as for an unknown instance.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>

#include "http/rest/consumer_instance.h"
#include "http/rest/rest_error.h"
#include "net/periodic_timer.h"

namespace brook::http::rest {

class consumer_registry {
 public:
  static constexpr size_t default_max_instances = 1000;

  // The instances are sessions of `backend` (which outlives the registry). Instances unused
  // for `idle_timeout` are closed (zero or less: never), on `expiry_executor` (whose context
  // outlives the registry). At most `max_instances` live at once.
  consumer_registry(boost::asio::any_io_executor expiry_executor, backend::event_backend& backend,
                    std::chrono::milliseconds idle_timeout,
                    size_t max_instances = default_max_instances);
  ~consumer_registry();  // close_all()
  consumer_registry(const consumer_registry&) = delete;
  consumer_registry& operator=(const consumer_registry&) = delete;

  struct create_answer {
    std::string name;  // the instance's name: the one asked for, or a generated one
    std::optional<rest_error> error;
  };
  // 42204 for invalid settings; 40902 consumer_already_exists when (group, name) is taken;
  // 50302 unavailable when max_instances live already ("too many consumer instances": the
  // server's capacity, not the request, is at fault; deleting instances frees room) or
  // once close_all() has begun.
  //
  // The instance's session is opened through `through` (the creating request's view of the
  // backend, which checks the session's calls as settings.owner) or, when null, the
  // registry's backend.
  create_answer create(consumer_settings settings, backend::event_backend* through = nullptr);

  // The instance, or nullptr; marks it used. An instance of another principal than `who` is
  // not found: it cannot be read through, nor told apart from one that does not exist.
  std::shared_ptr<consumer_instance> find(const std::string& group, const std::string& name,
                                          const security::principal& who);

  // Takes the instance out of the registry (the caller closes it), or nullptr when unknown
  // (or another principal's).
  std::shared_ptr<consumer_instance> take(const std::string& group, const std::string& name,
                                          const security::principal& who);

  // Closes the instances unused since `now - idle_timeout` and not inside a call; returns
  // how many. The registry's timer calls it about every second.
  size_t expire_idle(std::chrono::steady_clock::time_point now);

  // Stops the expiry timer and closes every instance, returning once they are closed (not
  // from a thread the backend's sessions answer on). create() answers 50302 from now on.
  void close_all();

  size_t size() const;

 private:
  using key = std::pair<std::string, std::string>;  // group, name

  std::string generated_name_locked(const std::string& group);

  backend::event_backend& _backend;
  const std::chrono::milliseconds _idle_timeout;
  const size_t _max_instances;

  mutable std::mutex _mutex;
  bool _stopping = false;
  // A null instance reserves its key while create() builds the consumer.
  std::map<key, std::shared_ptr<consumer_instance>> _instances;
  std::mt19937_64 _random;
  net::periodic_timer _expiry;  // last: it calls into everything above
};

}  // namespace brook::http::rest
