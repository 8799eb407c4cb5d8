// rest_service: the REST Proxy as `brook serve` runs it: the consumer instances, the
// routes and the HTTP listener over an event backend it is given (app/ composes the
// backend: the in-process broker's, or in gateway mode an upstream cluster's), started
// and stopped together.
#pragma once

#include <atomic>
#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "base/result.h"
#include "http/http_authentication.h"
#include "http/http_config.h"
#include "http/http_server.h"
#include "http/rest/rest_context.h"
#include "http/router.h"

namespace brook {
class metrics_registry;
}
namespace brook::backend {
class broker_overview;
}

namespace brook::http {

namespace rest {
class consumer_registry;
}

class rest_service {
 public:
  // Binds the listener. `backend`, `authorizer` (asked before every route acts) and
  // `authentication` (who requests act for) outlive the service. `tls`: HTTPS. `metrics`:
  // what GET /metrics shows (null: no /metrics); it outlives the service. `connectors`: the
  // connect runtime Connect's REST API manages (null: no /connectors); it outlives it too.
  // `agents`: the agent registry /v1/agents serves (null: none), and `key_logins` its
  // agents' key logins (null: none); they outlive it too. `overview`: the in-process
  // broker's summary (GET /v1/overview, /v1/topics; null in gateway mode); it outlives it.
  static result<std::unique_ptr<rest_service>> start(
      const http_config& config, backend::event_backend& backend,
      const security::authorizer& authorizer, const http_authentication& authentication,
      std::shared_ptr<net::tls_context> tls = nullptr, const metrics_registry* metrics = nullptr,
      connect::connect_runtime* connectors = nullptr, registry::agent_registry* agents = nullptr,
      registry::agent_key_login* key_logins = nullptr,
      const backend::broker_overview* overview = nullptr);
  ~rest_service();

  uint16_t port() const { return _server->port(); }
  // The listener: its request and connection counts (/metrics).
  const http_server& server() const { return *_server; }
  // Not ready, no new requests, requests in progress answered, consumer instances leave
  // their groups, waiting fetches end.
  void stop();

 private:
  rest_service(const http_config& config, backend::event_backend& backend,
               const security::authorizer& authorizer, const http_authentication& authentication,
               std::shared_ptr<net::tls_context> tls, const metrics_registry* metrics,
               connect::connect_runtime* connectors, registry::agent_registry* agents,
               registry::agent_key_login* key_logins, const backend::broker_overview* overview);

  http_config _config;
  backend::event_backend& _backend;
  // The consumer instances' idle expiry runs here.
  boost::asio::thread_pool _housekeeping;
  // The registry's calls, which block on fsyncs, run here, off the I/O threads.
  boost::asio::thread_pool _blocking;
  std::unique_ptr<rest::consumer_registry> _consumers;
  std::atomic<bool> _ready{false};
  std::unique_ptr<rest::rest_context> _context;
  router _router;
  std::unique_ptr<http_server> _server;
  bool _stopped = false;
};

}  // namespace brook::http
