// transport: a connection's byte stream, a TCP socket as it is or TLS over it (a Kafka SSL
// or SASL_SSL listener's connections). The Kafka connection reads and writes through it,
// and sends file ranges (the record data of Fetch answers) with sendfile on plain TCP and
// through a bounded buffer (64 KiB per connection, only while sending) under TLS.
//
// Like the socket under it, one read and one write may be in progress at once, on the
// connection's thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

namespace brook::net {

class transport {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using error_code = boost::system::error_code;

  // Plain TCP.
  explicit transport(socket_type socket) : _plain(std::move(socket)) {}
  // TLS from `context` (kept alive as long as the connection).
  transport(socket_type socket, std::shared_ptr<boost::asio::ssl::context> context);

  bool tls() const { return _tls != nullptr; }
  // The TCP socket under it (options, addresses, the executor).
  socket_type& socket() { return _tls ? _tls->next_layer() : _plain; }

  // Under TLS, the server side of the handshake; nothing on plain TCP.
  boost::asio::awaitable<error_code> handshake();
  // The subject of the client's verified certificate (RFC 2253), if it sent one.
  std::optional<std::string> peer_subject();

  boost::asio::awaitable<size_t> read_some(boost::asio::mutable_buffer b, error_code& ec);
  boost::asio::awaitable<void> read(boost::asio::mutable_buffer b, error_code& ec);
  boost::asio::awaitable<void> write(boost::asio::const_buffer b, error_code& ec);
  // `length` bytes of `fd` from `offset`. False when the connection failed or the file came
  // up short (`problem` then says which, for a log line; empty for a closed connection).
  boost::asio::awaitable<bool> send_file(int fd, off_t offset, int64_t length,
                                         std::string& problem);

  void close();

 private:
  socket_type _plain;
  std::shared_ptr<boost::asio::ssl::context> _context;
  std::unique_ptr<boost::asio::ssl::stream<socket_type>> _tls;
};

}  // namespace brook::net
