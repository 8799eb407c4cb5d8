// What every REST route works with: the event backend, the authorizer, the consumer
// instances, the listener's settings and the readiness flag; and, per request, the backend
// as the request's principal sees it (request_backend), through which routes call it.
#pragma once

#include <atomic>

#include "backend/authorizing_backend.h"
#include "backend/event_backend.h"
#include "http/http_config.h"
#include "http/http_message.h"
#include "http/rest/backend_calls.h"
#include "security/authorizer.h"

namespace brook {
class metrics_registry;
}
namespace brook::backend {
class broker_overview;
}
namespace brook::connect {
class connect_runtime;
}
namespace brook::registry {
class agent_registry;
class agent_key_login;
}  // namespace brook::registry
namespace boost::asio {
class thread_pool;
}

namespace brook::http {
class http_authentication;
}

namespace brook::http::rest {

class consumer_registry;

struct rest_context {
  backend::event_backend& backend;
  const security::authorizer& authorizer;
  consumer_registry& consumers;
  const http_config& config;
  std::atomic<bool>& ready;                         // false while starting and once shutdown begins
  const metrics_registry* metrics = nullptr;        // what GET /metrics shows (null: no /metrics)
  connect::connect_runtime* connectors = nullptr;   // Connect's REST API (null: none)
  registry::agent_registry* agents = nullptr;       // the agent registry's API (null: none)
  registry::agent_key_login* key_logins = nullptr;  // agents' key logins (null: none)
  boost::asio::thread_pool* blocking = nullptr;     // where calls that block run (the registry's)
  const http_authentication* authentication = nullptr;  // logins and console sessions
  const backend::broker_overview* overview = nullptr;   // the broker's summary (null: gateway)
  backend_calls calls{backend};  // unchecked: only for what needs no ACL (the cluster's brokers)

  // Who a request acts for, as the authorizer sees it.
  backend::caller caller_of(const http_request& req) const {
    return backend::caller{authorizer, req.principal, req.client_host};
  }
};

// The backend as one request's principal sees it: every call is put to the authorizer
// first (backend/authorizing_backend.h). A route makes one and calls through it:
//   request_backend view(ctx, req);
//   auto t = co_await view.calls.describe_topic(name);
class request_backend {
 public:
  request_backend(const rest_context& ctx, const http_request& req)
      : backend(ctx.backend, ctx.caller_of(req)) {}
  request_backend(const request_backend&) = delete;
  request_backend& operator=(const request_backend&) = delete;

  backend::authorizing_backend backend;
  backend_calls calls{backend};
};

}  // namespace brook::http::rest
