// http_server: the HTTP/1.1 listener of `brook serve` (Boost.Beast) on an io_pool of its own
// (http.threads; net/io_pool.h); each accepted connection lives on one thread and serves requests
// one after the other (keep-alive), each through the router. Bounded: header and body sizes, the
// number of connections, the time a request may take to arrive, the idle time between requests.
// stop() is graceful: no new connections or requests, requests in progress are answered
// (up to a grace period), idle connections are closed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>

#include "base/log_throttle.h"
#include "base/result.h"
#include "http/http_authentication.h"
#include "http/http_config.h"
#include "http/http_metrics.h"
#include "http/origin_policy.h"
#include "http/router.h"
#include "net/io_pool.h"
#include "net/tcp_listener.h"
#include "net/tls_context.h"

namespace brook::http {

class http_connection;

class http_server {
 public:
  // `authentication` (who requests act for) outlives the server.
  // `tls`: HTTPS with its current certificate (null: plain HTTP).
  http_server(http_config config, const router& routes,
              const http_authentication& authentication = no_authentication,
              std::shared_ptr<net::tls_context> tls = nullptr);
  ~http_server();

  // Binds the listener (the port is known after this) and starts the threads.
  status start();
  // Stops accepting and waits up to `grace` for the requests in progress, then closes
  // every connection and joins the threads.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  uint16_t port() const { return _listener.port(); }
  bool stopping() const { return _stopping.load(std::memory_order_acquire); }

  const http_config& config() const { return _config; }
  const router& routes() const { return _routes; }
  const origin_policy& origins() const { return _origins; }
  const http_authentication& authentication() const { return _authentication; }
  // Failed TLS handshakes: logged once per 10 s with the count.
  void handshake_failed(const std::string& peer, const std::string& why);
  // Requests refused for want of a valid login: logged once per 10 s with the count.
  void login_refused(std::string_view user, std::string_view problem, const std::string& peer);
  // Requests refused for their Host header: logged once per 10 s with the count.
  void host_refused(std::string_view host, const std::string& peer);

  // Connection bookkeeping for stop() (http_connection); the listener admits them (past
  // http.max_connections a connection is answered 503 and closed).
  // What the routes answered (/metrics); connections record every answer.
  http_metrics& metrics() { return _metrics; }
  const http_metrics& metrics() const { return _metrics; }
  // Its connections: open, accepted and refused so far (/metrics).
  const net::tcp_listener& connections() const { return _listener; }

  void connection_started(const std::shared_ptr<http_connection>& c);
  void connection_finished(http_connection* c);

 private:
  // `refusal` not empty: past a connection limit, answered 503 with it and closed.
  void start_connection(boost::asio::ip::tcp::socket socket, net::connection_slot slot,
                        std::string refusal);

  const http_config _config;
  static const http_authentication no_authentication;

  const router& _routes;
  http_metrics _metrics{_routes};
  const http_authentication& _authentication;
  const origin_policy _origins{_config};
  std::atomic<size_t> _hosts_refused{0};
  log_throttle _host_refusal_log{std::chrono::seconds(10)};
  std::shared_ptr<net::tls_context> _tls;
  std::atomic<size_t> _handshakes_failed{0};
  log_throttle _handshake_log{std::chrono::seconds(10)};
  std::atomic<size_t> _logins_refused{0};
  log_throttle _login_refusal_log{std::chrono::seconds(10)};
  net::io_pool _pool;
  net::tcp_listener _listener;
  bool _started = false;
  std::atomic<bool> _stopping{false};
  std::mutex _mutex;
  std::condition_variable _all_gone;
  std::set<std::weak_ptr<http_connection>, std::owner_less<std::weak_ptr<http_connection>>>
      _connections;
  size_t _connection_count = 0;
};

}  // namespace brook::http
