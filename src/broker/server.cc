#include "broker/server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "base/log.h"
#include "broker/broker.h"
#include "broker/connection.h"

namespace brook::broker {

namespace asio = boost::asio;

server::server(broker& b) : _broker(b) {}

server::~server() {
  stop();
  // Only now: answers still being posted by flusher callbacks land in the stopped
  // contexts' queues until these go.
  _contexts.clear();
}

status server::start() {
  const broker_config& cfg = _broker.config();
  int threads = cfg.threads > 0
                    ? cfg.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    _contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(cfg.host, ec);
  if (ec) {
    return std::error_code(ec.value(), std::generic_category());
  }
  asio::ip::tcp::endpoint endpoint(address, cfg.port);
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

void server::accept_next() {
  asio::io_context& target = *_contexts[_next_context];
  _next_context = (_next_context + 1) % _contexts.size();
  _acceptor->async_accept(target,
                          [this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
                            if (ec == asio::error::operation_aborted) {
                              return;
                            }
                            if (!ec) {
                              auto executor = socket.get_executor();
                              asio::post(executor, [this, s = std::move(socket)]() mutable {
                                std::make_shared<connection>(std::move(s), _broker)->start();
                              });
                            } else {
                              log::warn("accept failed: {}", ec.message());
                            }
                            accept_next();
                          });
}

void server::stop() {
  if (_acceptor) {
    asio::post(_acceptor->get_executor(), [a = _acceptor.get()] {
      boost::system::error_code ec;
      a->close(ec);
    });
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

}  // namespace brook::broker
