// metrics_listener: GET /metrics on a port of its own (metrics.host, metrics.port), for a
// Prometheus that should not reach the REST Proxy: the same route, the same HTTP logins and
// the same DESCRIBE-on-the-cluster check as on the REST listener, and nothing else (404).
#pragma once

#include <memory>

#include "base/metrics_registry.h"
#include "base/result.h"
#include "http/http_authentication.h"
#include "http/http_config.h"
#include "http/http_server.h"
#include "http/router.h"
#include "security/authorizer.h"

namespace brook::http {

class metrics_listener {
 public:
  // Binds `config`'s host and port. `authorizer`, `authentication` and `metrics` outlive it.
  static result<std::unique_ptr<metrics_listener>> start(const http_config& config,
                                                         const security::authorizer& authorizer,
                                                         const http_authentication& authentication,
                                                         const metrics_registry& metrics);
  uint16_t port() const { return _server->port(); }
  // No new requests; those in progress are answered.
  void stop() { _server->stop(); }

 private:
  metrics_listener() = default;
  router _router;
  std::unique_ptr<http_server> _server;
};

}  // namespace brook::http
