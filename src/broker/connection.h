// One client connection: reads size-prefixed request frames, starts each request's
// handler as soon as it is read (pipelining, up to max_in_flight ahead), and writes the
// answers strictly in request order; record data goes out with sendfile (through a bounded
// buffer under TLS: net/transport.h). On an SSL or SASL_SSL listener the TLS handshake
// comes first, within kafka.request_read_timeout_ms; on an SSL listener a client's verified
// certificate names its principal (User:<subject>, as Kafka's default principal builder).
//
// A frame's buffer grows as its bytes arrive (a client that announces 100 MB and sends
// nothing holds a few KB, not 100 MB). A watchdog closes the connection when a started
// frame has not arrived whole within kafka.request_read_timeout_ms, and when nothing was
// read and no answer was owed for kafka.connections_max_idle_ms.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "broker/listener_config.h"
#include "broker/request_context.h"
#include "broker/sasl_session.h"
#include "net/byte_budget.h"
#include "net/tcp_listener.h"
#include "net/transport.h"

namespace brook::broker {

class broker;

class connection : public std::enable_shared_from_this<connection> {
 public:
  // The first bytes of a frame are read into this much; the buffer doubles from there as
  // the rest arrives.
  static constexpr size_t initial_frame_buffer = 16 * 1024;
  // The largest frame read before a SASL listener's connection authenticates (Kafka's
  // sasl.server.max.receive.size).
  static constexpr size_t max_unauthenticated_frame = 512 * 1024;

  // `request_bytes`: the budget of kafka.queued_max_request_bytes shared by the listener's
  // connections (none: no limit).
  connection(net::transport transport, broker& b, const listener_config& listener,
             net::connection_slot slot = {},
             std::shared_ptr<net::byte_budget> request_bytes = nullptr);
  void start();

 private:
  struct slot {
    bool ready = false;
    response answer;
  };

  boost::asio::awaitable<void> read_loop();
  // TLS listeners: the handshake, and the principal of a client certificate; false when the
  // connection must go.
  boost::asio::awaitable<bool> handshake();
  // Reads the rest of a frame of `size` bytes into req.frame, its memory counted in
  // req.frame_bytes as it grows; false when the connection failed or closed meanwhile.
  boost::asio::awaitable<bool> read_frame(request_context& req, size_t size);
  // Counts `more` bytes in `lease`, waiting (reading nothing) while the budget is spent;
  // false when the connection closed meanwhile.
  boost::asio::awaitable<bool> reserve(net::budget_lease& lease, size_t more);
  boost::asio::awaitable<void> watchdog();
  std::string describe_peer() const;
  // Logs a request answered after `elapsed` (past kafka slow_request), at most 10 lines/s.
  void log_slow_request(const protocol::request_header& h, std::chrono::nanoseconds elapsed) const;
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<bool> send_response(const response& r);
  void dispatch(std::shared_ptr<request_context> req);
  // A raw SASL token after a v0 SaslHandshake: answered with a raw size-prefixed token.
  void dispatch_raw_token(std::shared_ptr<request_context> req);
  // Whether the request may be served now: on a SASL listener, only the SASL requests and
  // ApiVersions before authentication and after the session's end.
  bool admissible(const protocol::request_header& h) const;
  // False once the password the connection logged in with changed or its user was removed
  // (then only a re-authentication is taken; anything else closes the connection).
  bool credentials_current();
  void complete(uint64_t seq, response r);
  void shut_down();

  net::transport _transport;
  broker& _broker;
  std::deque<slot> _slots;  // answers pending, oldest first
  uint64_t _first_seq = 0;  // sequence number of _slots.front()
  uint64_t _next_seq = 0;
  bool _writing = false;
  bool _closed = false;
  const uint64_t _id;                   // this connection's number, in request ids
  std::string _client_host;             // "/<peer address>"
  std::string _listener;                // its name
  std::shared_ptr<sasl_session> _sasl;  // the connection's authentication
  bool _sasl_required;                  // a SASL listener
  boost::asio::steady_timer _room;      // the reader waits here while max_in_flight are pending
  net::connection_slot _slot;           // its place under kafka.max_connections
  std::shared_ptr<net::byte_budget>
      _request_bytes;  // kafka.queued_max_request_bytes, shared (may be null)
  boost::asio::steady_timer _budget_wait;

  // The watchdog's view: when bytes were last read or an answer last written, and since
  // when a frame has been arriving (none while waiting for the next frame's size).
  using clock = std::chrono::steady_clock;
  clock::time_point _last_activity = clock::now();
  std::optional<clock::time_point> _frame_started;
  bool _handshaking = false;  // _frame_started is the TLS handshake's start
  boost::asio::steady_timer _watchdog;
};

}  // namespace brook::broker
