// http_connection: one client's keep-alive connection. Reads a request's header, finds its
// route, reads the body (or hands the stream to a streaming route), runs the handler and
// writes the answer; again until the client closes, an error, a timeout or shutdown.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "http/http_message.h"
#include "http/http_transport.h"
#include "http/router.h"
#include "net/tcp_listener.h"

namespace brook::http {

class http_server;

class http_connection : public std::enable_shared_from_this<http_connection> {
 public:
  // `refusal` not empty: past a connection limit; answered 503 with it and closed.
  http_connection(http_transport transport, http_server& server, net::connection_slot slot,
                  std::string refusal);
  void start();
  // From any thread: close now if idle; otherwise after the answer in progress.
  void shut_down();

  http_transport& stream() { return _stream; }
  boost::beast::flat_buffer& buffer() { return _buffer; }

 private:
  boost::asio::awaitable<void> run();
  // HTTPS: the TLS handshake, within http.request_timeout_ms; false when it failed.
  boost::asio::awaitable<bool> handshake();
  boost::asio::awaitable<bool> serve_one();
  // An answer written: counted (/metrics), and logged when slow.
  void answered(const route* matched, const http_request& req, unsigned status,
                std::chrono::steady_clock::time_point started, const std::string& request_id);

  http_transport _stream;
  std::string _logged_in;  // the principal the previous request logged in as (audited once)
  boost::beast::flat_buffer _buffer;
  http_server& _server;
  std::atomic<bool> _busy{false};
  net::connection_slot _slot;  // its place under http.max_connections
  const std::string _refusal;
  const uint64_t _id;    // this connection's number, in its requests' ids ("h<id>-<n>")
  uint64_t _served = 0;  // requests read on it so far
};

}  // namespace brook::http
