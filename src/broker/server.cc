#include "broker/server.h"

#include <chrono>

#include "base/log.h"
#include "broker/broker.h"
#include "broker/connection.h"

namespace brook::broker {

server::server(broker& b, net::io_pool& pool)
    : _broker(b),
      _listener(
          pool, {b.config().host, b.config().port, b.config().max_connections},
          [this](boost::asio::ip::tcp::socket socket, net::connection_slot slot) {
            std::make_shared<connection>(std::move(socket), _broker, std::move(slot))->start();
          },
          [this](boost::asio::ip::tcp::socket socket) { refuse(std::move(socket)); }) {}

void server::refuse(boost::asio::ip::tcp::socket socket) {
  // As Kafka past max.connections: the connection is closed. One line every 10 s at most
  // says how many were.
  const size_t refused = _refused.fetch_add(1) + 1;
  if (_refusal_log.allow()) {
    boost::system::error_code ec;
    auto peer = socket.remote_endpoint(ec);
    log::warn(
        "kafka.max_connections ({}) reached: closing new connections ({} so far, the "
        "latest from {})",
        _broker.config().max_connections, refused,
        ec ? std::string("unknown") : peer.address().to_string());
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
