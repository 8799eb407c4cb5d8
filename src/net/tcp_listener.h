// tcp_listener: one listening socket on host:port whose accepted connections go, in turn,
// to the contexts of an io_pool. The accept loop runs on the pool's first context; each
// socket is handed over on its own context.
//
// At most `max_connections` accepted connections are open at once, and at most
// `max_connections_per_address` from one client address (0: no limit): each accepted
// connection holds a connection_slot and frees it when it goes; past a limit a new
// connection goes to the refusal callback instead (which may say why, then close it).
// When the process is out of file descriptors (EMFILE, ENFILE) or memory, accepting pauses
// (10 ms, doubling up to 1 s) instead of spinning on the error.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "base/metric_counter.h"
#include "base/result.h"
#include "net/io_pool.h"

namespace brook::net {

struct listener_options {
  std::string host = "127.0.0.1";          // an IP address (v4 or v6)
  uint16_t port = 0;                       // 0: any free port
  size_t max_connections = 0;              // 0: no limit
  size_t max_connections_per_address = 0;  // 0: no limit
};

// Which limit refused a connection.
enum class refusal { total, per_address };

// The open connections of a listener, in all and per client address (shared with the
// slots, which may outlive the listener).
struct connection_counts {
  std::atomic<size_t> total{0};
  metric_counter accepted;  // since the listener started
  metric_counter refused;   // past max_connections or the per-address limit
  std::mutex mutex;
  std::map<boost::asio::ip::address, size_t> per_address;  // only while limited
};

// An accepted connection's place under the limits; moves with the connection and frees
// the place when destroyed.
class connection_slot {
 public:
  connection_slot() = default;
  connection_slot(std::shared_ptr<connection_counts> counts,
                  std::optional<boost::asio::ip::address> address)
      : _counts(std::move(counts)), _address(std::move(address)) {}
  connection_slot(connection_slot&&) = default;
  connection_slot& operator=(connection_slot&& other) noexcept;
  connection_slot(const connection_slot&) = delete;
  connection_slot& operator=(const connection_slot&) = delete;
  ~connection_slot() { release(); }

 private:
  void release();
  std::shared_ptr<connection_counts> _counts;
  std::optional<boost::asio::ip::address> _address;  // counted per address
};

struct listener_state;

class tcp_listener {
 public:
  // Both run on the accepted socket's context.
  using accept_fn = std::function<void(boost::asio::ip::tcp::socket, connection_slot)>;
  using refuse_fn = std::function<void(boost::asio::ip::tcp::socket, refusal)>;

  // `on_refuse` empty: a connection past max_connections is closed at once.
  tcp_listener(io_pool& pool, listener_options options, accept_fn on_accept,
               refuse_fn on_refuse = {});
  ~tcp_listener();  // stop()
  tcp_listener(const tcp_listener&) = delete;
  tcp_listener& operator=(const tcp_listener&) = delete;

  // Binds and listens (port() is known after) and starts accepting, which runs once the
  // pool does. errc::bad_address for a host that is not an IP address; the system's error
  // (EADDRINUSE, EACCES, EADDRNOTAVAIL) when the address cannot be bound.
  status listen();
  // No connection is accepted or handed over after this returns; the open ones stay.
  void stop();

  uint16_t port() const { return _port; }
  // Accepted connections whose slot is alive.
  size_t open_connections() const;
  // Connections accepted, and refused by the limits, since the listener was made.
  uint64_t accepted_connections() const;
  uint64_t refused_connections() const;

 private:
  io_pool& _pool;
  std::shared_ptr<listener_state> _state;  // shared with the accept handlers
  uint16_t _port = 0;
};

}  // namespace brook::net
