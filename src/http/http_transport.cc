#include "http/http_transport.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace brook::http {

boost::asio::awaitable<http_transport::error_code> http_transport::handshake() {
  error_code ec;
  if (_tls) {
    co_await _tls->async_handshake(boost::asio::ssl::stream_base::server,
                                   boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  co_return ec;
}

}  // namespace brook::http
