// The Kafka listener: one io_context per network thread (one per core by default), the
// acceptor on the first, each accepted connection handed to the next thread in turn. A
// connection lives on one thread; handlers run there unless they wait.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "base/result.h"

namespace brook::broker {

class broker;

class server {
 public:
  explicit server(broker& b);
  ~server();

  // Binds the listener (the port is known after this) and starts the threads.
  status start();
  // Stops accepting and joins the threads; the connections go with the server.
  void stop();
  uint16_t port() const { return _port; }

 private:
  void accept_next();

  broker& _broker;
  std::vector<std::unique_ptr<boost::asio::io_context>> _contexts;
  std::vector<std::thread> _threads;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> _acceptor;
  size_t _next_context = 0;
  uint16_t _port = 0;
};

}  // namespace brook::broker
