#include "broker/server.h"

#include "broker/broker.h"
#include "broker/connection.h"

namespace brook::broker {

server::server(broker& b, net::io_pool& pool)
    : _broker(b),
      _listener(pool, {b.config().host, b.config().port, 0},
                [this](boost::asio::ip::tcp::socket socket, net::connection_slot) {
                  std::make_shared<connection>(std::move(socket), _broker)->start();
                }) {}

status server::start() {
  return _listener.listen();
}

void server::stop() {
  _listener.stop();
}

}  // namespace brook::broker
