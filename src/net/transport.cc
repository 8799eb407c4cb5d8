#include "net/transport.h"

#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/tls_context.h"

namespace brook::net {

namespace asio = boost::asio;
using asio::use_awaitable;

namespace {
constexpr size_t copy_buffer_bytes = 64 * 1024;
}  // namespace

transport::transport(socket_type socket, std::shared_ptr<asio::ssl::context> context)
    : _plain(socket.get_executor()),
      _context(std::move(context)),
      _tls(std::make_unique<asio::ssl::stream<socket_type>>(std::move(socket), *_context)) {}

asio::awaitable<transport::error_code> transport::handshake() {
  error_code ec;
  if (_tls) {
    co_await _tls->async_handshake(asio::ssl::stream_base::server,
                                   asio::redirect_error(use_awaitable, ec));
  }
  co_return ec;
}

std::optional<std::string> transport::peer_subject() {
  return _tls ? net::peer_subject(_tls->native_handle()) : std::nullopt;
}

asio::awaitable<size_t> transport::read_some(asio::mutable_buffer b, error_code& ec) {
  if (_tls) {
    co_return co_await _tls->async_read_some(b, asio::redirect_error(use_awaitable, ec));
  }
  co_return co_await _plain.async_read_some(b, asio::redirect_error(use_awaitable, ec));
}

asio::awaitable<void> transport::read(asio::mutable_buffer b, error_code& ec) {
  if (_tls) {
    co_await asio::async_read(*_tls, b, asio::redirect_error(use_awaitable, ec));
  } else {
    co_await asio::async_read(_plain, b, asio::redirect_error(use_awaitable, ec));
  }
}

asio::awaitable<void> transport::write(asio::const_buffer b, error_code& ec) {
  if (_tls) {
    co_await asio::async_write(*_tls, b, asio::redirect_error(use_awaitable, ec));
  } else {
    co_await asio::async_write(_plain, b, asio::redirect_error(use_awaitable, ec));
  }
}

asio::awaitable<bool> transport::send_file(int fd, off_t offset, int64_t length,
                                           std::string& problem) {
  error_code ec;
  if (_tls) {
    // TLS encrypts in user space: the file goes through a bounded buffer, held only while
    // sending.
    auto buffer = std::make_unique<std::byte[]>(copy_buffer_bytes);
    while (length > 0) {
      const size_t want = static_cast<size_t>(std::min<int64_t>(length, copy_buffer_bytes));
      const ssize_t n = ::pread(fd, buffer.get(), want, offset);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        problem = n == 0 ? "end of file" : std::strerror(errno);
        co_return false;
      }
      co_await asio::async_write(*_tls, asio::buffer(buffer.get(), static_cast<size_t>(n)),
                                 asio::redirect_error(use_awaitable, ec));
      if (ec) {
        co_return false;
      }
      offset += n;
      length -= n;
    }
    co_return true;
  }
  while (length > 0) {
    const ssize_t n = ::sendfile(_plain.native_handle(), fd, &offset, static_cast<size_t>(length));
    if (n > 0) {
      length -= n;
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      co_await _plain.async_wait(socket_type::wait_write, asio::redirect_error(use_awaitable, ec));
      if (ec) {
        co_return false;
      }
    } else {
      problem = n == 0 ? "end of file" : std::strerror(errno);
      co_return false;
    }
  }
  co_return true;
}

void transport::close() {
  error_code ec;
  socket().shutdown(socket_type::shutdown_both, ec);
  socket().close(ec);
}

}  // namespace brook::net
