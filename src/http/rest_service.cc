#include "http/rest_service.h"

#include "http/rest/consumer_registry.h"
#include "http/rest/rest_api.h"

namespace brook::http {

rest_service::rest_service(const http_config& config, backend::event_backend& backend,
                           const security::authorizer& authorizer,
                           const http_authentication& authentication,
                           std::shared_ptr<net::tls_context> tls, const metrics_registry* metrics,
                           connect::connect_runtime* connectors, registry::agent_registry* agents,
                           registry::agent_key_login* key_logins,
                           const backend::broker_overview* overview)
    : _config(config),
      _backend(backend),
      _housekeeping(1),
      _blocking(4),
      _consumers(std::make_unique<rest::consumer_registry>(_housekeeping.get_executor(), _backend,
                                                           config.consumer_idle_timeout,
                                                           config.max_consumer_instances)) {
  _context = std::make_unique<rest::rest_context>(
      rest::rest_context{_backend, authorizer, *_consumers, _config, _ready, metrics, connectors,
                         agents, key_logins, &_blocking, &authentication, overview});
  rest::add_rest_routes(_router, *_context);
  _server = std::make_unique<http_server>(_config, _router, authentication, std::move(tls));
}

result<std::unique_ptr<rest_service>> rest_service::start(
    const http_config& config, backend::event_backend& backend,
    const security::authorizer& authorizer, const http_authentication& authentication,
    std::shared_ptr<net::tls_context> tls, const metrics_registry* metrics,
    connect::connect_runtime* connectors, registry::agent_registry* agents,
    registry::agent_key_login* key_logins, const backend::broker_overview* overview) {
  std::unique_ptr<rest_service> s(new rest_service(config, backend, authorizer, authentication,
                                                   std::move(tls), metrics, connectors, agents,
                                                   key_logins, overview));
  if (auto st = s->_server->start(); !st) {
    return st.error();
  }
  s->_ready.store(true, std::memory_order_release);
  return s;
}

rest_service::~rest_service() {
  stop();
}

void rest_service::stop() {
  if (_stopped) {
    return;
  }
  _stopped = true;
  _ready.store(false, std::memory_order_release);
  // The consumer instances commit (auto commit) and leave their groups; their waiting polls
  // answer. Then the backend's waiting fetches answer.
  _consumers->close_all();
  _backend.stop();
  _server->stop(std::chrono::milliseconds(5000));
  _blocking.join();
  _housekeeping.join();
}

}  // namespace brook::http
