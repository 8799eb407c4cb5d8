#include "broker/server.h"

#include <chrono>

#include "base/log.h"
#include "broker/broker.h"
#include "broker/connection.h"

namespace brook::broker {

server::server(broker& b, net::io_pool& pool, listener_config listener,
               std::shared_ptr<net::tls_context> tls)
    : _broker(b),
      _config(std::move(listener)),
      _tls(std::move(tls)),
      _request_bytes(std::make_shared<net::byte_budget>(b.config().queued_max_request_bytes)),
      _listener(
          pool,
          {_config.host, _config.port, b.config().max_connections,
           b.config().max_connections_per_ip},
          [this](boost::asio::ip::tcp::socket socket, net::connection_slot slot) {
            auto transport = _tls ? net::transport(std::move(socket), _tls->current())
                                  : net::transport(std::move(socket));
            std::make_shared<connection>(std::move(transport), _broker, _config, std::move(slot),
                                         _request_bytes)
                ->start();
          },
          [this](boost::asio::ip::tcp::socket socket, net::refusal why) {
            refuse(std::move(socket), why);
          }) {}

void server::refuse(boost::asio::ip::tcp::socket socket, net::refusal why) {
  // As Kafka past max.connections or max.connections.per.ip: the connection is closed.
  // One line every 10 s at most says how many were.
  const size_t refused = _refused.fetch_add(1) + 1;
  if (_refusal_log.allow()) {
    boost::system::error_code ec;
    auto peer = socket.remote_endpoint(ec);
    const bool total = why == net::refusal::total;
    log::warn("{} ({}) reached: closing new connections ({} so far, the latest from {})",
              total ? "kafka.max_connections" : "kafka.max_connections_per_ip",
              total ? _broker.config().max_connections : _broker.config().max_connections_per_ip,
              refused, ec ? std::string("unknown") : peer.address().to_string());
  }
  boost::system::error_code ec;
  socket.close(ec);
}

status server::start() {
  return _listener.listen();
}

void server::stop() {
  _listener.stop();
}

}  // namespace brook::broker
