// One client connection: reads size-prefixed request frames, starts each request's
// handler as soon as it is read (pipelining, up to max_in_flight ahead), and writes the
// answers strictly in request order; record data goes out with sendfile.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "broker/request_context.h"

namespace brook::broker {

class broker;

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(boost::asio::ip::tcp::socket socket, broker& b);
  void start();

 private:
  struct slot {
    bool ready = false;
    response answer;
  };

  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<bool> send_response(const response& r);
  void dispatch(std::shared_ptr<request_context> req);
  void complete(uint64_t seq, response r);
  void shut_down();

  boost::asio::ip::tcp::socket _socket;
  broker& _broker;
  std::deque<slot> _slots;  // answers pending, oldest first
  uint64_t _first_seq = 0;  // sequence number of _slots.front()
  uint64_t _next_seq = 0;
  bool _writing = false;
  bool _closed = false;
  std::string _client_host;         // "/<peer address>"
  security::principal _principal;   // User:ANONYMOUS until the connection authenticates
  boost::asio::steady_timer _room;  // the reader waits here while max_in_flight are pending
};

}  // namespace brook::broker
