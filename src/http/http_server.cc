#include "http/http_server.h"

#include "base/log.h"
#include "base/text.h"
#include "http/http_connection.h"

namespace brook::http {

namespace asio = boost::asio;

const http_authentication http_server::no_authentication;

http_server::http_server(http_config config, const router& routes,
                         const http_authentication& authentication,
                         std::shared_ptr<net::tls_context> tls)
    : _config(std::move(config)),
      _routes(routes),
      _authentication(authentication),
      _tls(std::move(tls)),
      _pool("http-io", _config.threads),
      _listener(
          _pool,
          {_config.host, _config.port, _config.max_connections, _config.max_connections_per_ip},
          [this](asio::ip::tcp::socket socket, net::connection_slot slot) {
            start_connection(std::move(socket), std::move(slot), {});
          },
          [this](asio::ip::tcp::socket socket, net::refusal why) {
            start_connection(std::move(socket), net::connection_slot(),
                             why == net::refusal::total
                                 ? "too many connections (http.max_connections); try again later"
                                 : "too many connections from your address "
                                   "(http.max_connections_per_ip); try again later");
          }) {}

http_server::~http_server() {
  stop(std::chrono::milliseconds(0));
}

status http_server::start() {
  if (auto st = _listener.listen(); !st) {
    return st;
  }
  _pool.start();
  _started = true;
  return {};
}

void http_server::start_connection(asio::ip::tcp::socket socket, net::connection_slot slot,
                                   std::string refusal) {
  if (stopping()) {
    return;
  }
  boost::system::error_code ec;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  auto transport =
      _tls ? http_transport(std::move(socket), _tls->current()) : http_transport(std::move(socket));
  std::make_shared<http_connection>(std::move(transport), *this, std::move(slot),
                                    std::move(refusal))
      ->start();
}

void http_server::connection_started(const std::shared_ptr<http_connection>& c) {
  std::lock_guard lock(_mutex);
  _connections.insert(c);
  ++_connection_count;
}

void http_server::host_refused(std::string_view host, const std::string& peer) {
  const size_t refused = _hosts_refused.fetch_add(1) + 1;
  if (_host_refusal_log.allow()) {
    log::warn(
        "refused an HTTP request for Host '{}' from {}: not a name of this server (add it to "
        "http.allowed_hosts if it is; {} refused so far)",
        host, peer, refused);
  }
}

void http_server::handshake_failed(const std::string& peer, const std::string& why) {
  const size_t failed = _handshakes_failed.fetch_add(1) + 1;
  if (_handshake_log.allow()) {
    log::info("TLS handshake failed on the HTTP listener from {}: {} ({} failed so far)", peer, why,
              failed);
  }
}

void http_server::login_refused(std::string_view user, std::string_view problem,
                                const std::string& peer) {
  const size_t refused = _logins_refused.fetch_add(1) + 1;
  if (_login_refusal_log.allow()) {
    log::warn("refused an HTTP request from {}{}: {} ({} refused so far)", peer,
              user.empty() ? std::string() : " as user '" + loggable(user) + "'", problem, refused);
  }
}

void http_server::connection_finished(http_connection* c) {
  std::lock_guard lock(_mutex);
  for (auto it = _connections.begin(); it != _connections.end();) {
    if (it->expired()) {
      it = _connections.erase(it);
    } else {
      ++it;
    }
  }
  (void)c;
  --_connection_count;
  if (_connection_count == 0) {
    _all_gone.notify_all();
  }
}

void http_server::stop(std::chrono::milliseconds grace) {
  if (!_started) {
    return;
  }
  _started = false;
  _stopping.store(true, std::memory_order_release);
  _listener.stop();
  std::vector<std::shared_ptr<http_connection>> live;
  {
    std::lock_guard lock(_mutex);
    for (const auto& w : _connections) {
      if (auto c = w.lock()) {
        live.push_back(std::move(c));
      }
    }
  }
  for (auto& c : live) {
    c->shut_down();
  }
  live.clear();
  {
    std::unique_lock lock(_mutex);
    _all_gone.wait_for(lock, grace, [this] { return _connection_count == 0; });
  }
  _pool.stop();
  _pool.join();
}

}  // namespace brook::http
