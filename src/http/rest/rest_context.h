// What every REST route works with: the event backend, the consumer instances, the
// listener's settings and the readiness flag.
#pragma once

#include <atomic>

#include "backend/event_backend.h"
#include "http/http_config.h"
#include "http/rest/backend_calls.h"

namespace brook::http::rest {

class consumer_registry;

struct rest_context {
  backend::event_backend& backend;
  consumer_registry& consumers;
  const http_config& config;
  std::atomic<bool>& ready;      // false while starting and once shutdown begins
  backend_calls calls{backend};  // the backend's calls as awaitables
};

}  // namespace brook::http::rest
