// rest_service: the REST Proxy as `brook serve` runs it: the event backend over the
// in-process broker, the consumer instances, the routes and the HTTP listener, started
// and stopped together.
#pragma once

#include <atomic>
#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "base/result.h"
#include "http/http_config.h"
#include "http/http_server.h"
#include "http/rest/rest_context.h"
#include "http/router.h"

namespace brook::broker {
class broker;
}

namespace brook::backend {
class local_backend;
}

namespace brook::http {

namespace rest {
class consumer_registry;
}

class rest_service {
 public:
  // Binds the listener; the Kafka listener must be bound already (the consumer instances
  // connect to it).
  static result<std::unique_ptr<rest_service>> start(const http_config& config, broker::broker& b);
  ~rest_service();

  uint16_t port() const { return _server->port(); }
  // Not ready, no new requests, requests in progress answered, consumer instances leave
  // their groups, waiting fetches end.
  void stop();

 private:
  rest_service(const http_config& config, broker::broker& b);

  http_config _config;
  std::unique_ptr<backend::local_backend> _backend;
  std::unique_ptr<rest::consumer_registry> _consumers;
  boost::asio::thread_pool _blocking;
  std::atomic<bool> _ready{false};
  std::unique_ptr<rest::rest_context> _context;
  router _router;
  std::unique_ptr<http_server> _server;
  bool _stopped = false;
};

}  // namespace brook::http
