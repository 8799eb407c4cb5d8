#include "http/metrics_listener.h"

#include "http/rest/rest_api.h"

namespace brook::http {

result<std::unique_ptr<metrics_listener>> metrics_listener::start(
    const http_config& config, const security::authorizer& authorizer,
    const http_authentication& authentication, const metrics_registry& metrics) {
  std::unique_ptr<metrics_listener> l(new metrics_listener());
  rest::add_metrics_route(l->_router, authorizer, metrics);
  l->_server = std::make_unique<http_server>(config, l->_router, authentication);
  if (auto st = l->_server->start(); !st) {
    return st.error();
  }
  return l;
}

}  // namespace brook::http
