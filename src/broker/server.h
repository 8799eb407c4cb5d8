// A Kafka listener (one per entry of kafka.listeners): accepted connections go, in turn, to the
// contexts of the network io_pool (net/io_pool.h: one thread each, kafka.threads of them) that app/
// composes. A connection lives on one thread; handlers run there unless they wait.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "base/log_throttle.h"
#include "base/result.h"
#include "broker/listener_config.h"
#include "net/byte_budget.h"
#include "net/io_pool.h"
#include "net/tcp_listener.h"
#include "net/tls_context.h"

namespace brook::broker {

class broker;

class server {
 public:
  // `pool` outlives the server; its owner starts and stops it. `tls`: the certificate of an
  // SSL or SASL_SSL listener (null for the others); each connection takes its current one.
  server(broker& b, net::io_pool& pool, listener_config listener,
         std::shared_ptr<net::tls_context> tls = nullptr);

  // Binds the listener (the port is known after this); connections are served once the
  // pool runs.
  status start();
  // Stops accepting. The open connections go when the pool stops.
  void stop();
  uint16_t port() const { return _listener.port(); }
  // Its connections: open, accepted and refused so far (/metrics).
  const net::tcp_listener& connections() const { return _listener; }
  const listener_config& config() const { return _config; }

 private:
  // A connection past kafka.max_connections or kafka.max_connections_per_ip: closed, and
  // logged (rate-limited).
  void refuse(boost::asio::ip::tcp::socket socket, net::refusal why);

  broker& _broker;
  listener_config _config;
  std::shared_ptr<net::tls_context> _tls;
  std::atomic<size_t> _refused{0};
  log_throttle _refusal_log{std::chrono::seconds(10)};
  std::shared_ptr<net::byte_budget>
      _request_bytes;  // kafka.queued_max_request_bytes, for all connections
  net::tcp_listener _listener;
};

}  // namespace brook::broker
