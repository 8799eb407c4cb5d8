// http_transport: an HTTP connection's byte stream, a beast::tcp_stream (whose timeouts the
// connection sets) as it is, or TLS over it (http.tls: HTTPS). Beast's HTTP reads and writes
// take it as they take any stream.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace brook::http {

class http_transport {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using error_code = boost::system::error_code;

  // Plain HTTP.
  explicit http_transport(boost::asio::ip::tcp::socket socket)
      : _plain(std::make_unique<boost::beast::tcp_stream>(std::move(socket))) {}
  // HTTPS from `context` (kept alive as long as the connection).
  http_transport(boost::asio::ip::tcp::socket socket,
                 std::shared_ptr<boost::asio::ssl::context> context)
      : _context(std::move(context)),
        _tls(std::make_unique<boost::beast::ssl_stream<boost::beast::tcp_stream>>(
            boost::beast::tcp_stream(std::move(socket)), *_context)) {}

  bool tls() const { return _tls != nullptr; }
  // The TCP stream under it: timeouts (expires_after), the socket, close.
  boost::beast::tcp_stream& tcp() { return _tls ? _tls->next_layer() : *_plain; }
  executor_type get_executor() { return tcp().get_executor(); }

  // Under TLS, the server side of the handshake (within the timeout set on tcp()); nothing
  // for plain HTTP.
  boost::asio::awaitable<error_code> handshake();

  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          if (_tls) {
            _tls->async_read_some(b, std::move(handler));
          } else {
            _plain->async_read_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (_tls) {
            _tls->async_write_some(b, std::move(handler));
          } else {
            _plain->async_write_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

 private:
  std::unique_ptr<boost::beast::tcp_stream> _plain;
  std::shared_ptr<boost::asio::ssl::context> _context;
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> _tls;
};

}  // namespace brook::http
