#include "http/http_server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "base/log.h"
#include "http/http_connection.h"

namespace brook::http {

namespace asio = boost::asio;

http_server::http_server(http_config config, const router& routes)
    : _config(std::move(config)), _routes(routes) {}

http_server::~http_server() {
  stop(std::chrono::milliseconds(0));
  _acceptor.reset();  // before its io_context (start() may have failed after creating it)
  _contexts.clear();
}

status http_server::start() {
  int threads = _config.threads > 0
                    ? _config.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    _contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(_config.host, ec);
  if (ec) {
    return std::error_code(EINVAL, std::generic_category());
  }
  asio::ip::tcp::endpoint endpoint(address, _config.port);
  _acceptor = std::make_unique<asio::ip::tcp::acceptor>(*_contexts[0]);
  if (_acceptor->open(endpoint.protocol(), ec); ec) {
    return std::error_code(ec.value(), std::system_category());
  }
  _acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (_acceptor->bind(endpoint, ec); ec) {
    return std::error_code(ec.value(), std::system_category());
  }
  if (_acceptor->listen(asio::socket_base::max_listen_connections, ec); ec) {
    return std::error_code(ec.value(), std::system_category());
  }
  _port = _acceptor->local_endpoint().port();
  accept_next();
  for (auto& ctx : _contexts) {
    _threads.emplace_back([c = ctx.get()] {
      auto guard = asio::make_work_guard(*c);
      c->run();
    });
  }
  return {};
}

void http_server::accept_next() {
  asio::io_context& target = *_contexts[_next_context];
  _next_context = (_next_context + 1) % _contexts.size();
  _acceptor->async_accept(target,
                          [this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
                            if (ec == asio::error::operation_aborted || stopping()) {
                              return;
                            }
                            if (!ec) {
                              socket.set_option(asio::ip::tcp::no_delay(true), ec);
                              auto executor = socket.get_executor();
                              asio::post(executor, [this, s = std::move(socket)]() mutable {
                                std::make_shared<http_connection>(std::move(s), *this)->start();
                              });
                            } else {
                              log::warn("http accept failed: {}", ec.message());
                            }
                            accept_next();
                          });
}

bool http_server::connection_started(const std::shared_ptr<http_connection>& c) {
  std::lock_guard lock(_mutex);
  _connections.insert(c);
  ++_connection_count;
  return _connection_count <= _config.max_connections;
}

void http_server::connection_finished(http_connection* c) {
  std::lock_guard lock(_mutex);
  for (auto it = _connections.begin(); it != _connections.end();) {
    if (it->expired()) {
      it = _connections.erase(it);
    } else {
      ++it;
    }
  }
  (void)c;
  --_connection_count;
  if (_connection_count == 0) {
    _all_gone.notify_all();
  }
}

void http_server::stop(std::chrono::milliseconds grace) {
  if (_threads.empty()) {
    return;
  }
  _stopping.store(true, std::memory_order_release);
  if (_acceptor) {
    asio::post(_acceptor->get_executor(), [a = _acceptor.get()] {
      boost::system::error_code ec;
      a->close(ec);
    });
  }
  std::vector<std::shared_ptr<http_connection>> live;
  {
    std::lock_guard lock(_mutex);
    for (const auto& w : _connections) {
      if (auto c = w.lock()) {
        live.push_back(std::move(c));
      }
    }
  }
  for (auto& c : live) {
    c->shut_down();
  }
  live.clear();
  {
    std::unique_lock lock(_mutex);
    _all_gone.wait_for(lock, grace, [this] { return _connection_count == 0; });
  }
  for (auto& ctx : _contexts) {
    ctx->stop();
  }
  for (auto& t : _threads) {
    t.join();
  }
  _threads.clear();
  _acceptor.reset();
}

}  // namespace brook::http
