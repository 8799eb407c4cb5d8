#include "net/tcp_listener.h"

#include <algorithm>
#include <chrono>
#include <mutex>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/log.h"
#include "net/errc.h"

namespace brook::net {

namespace asio = boost::asio;
using asio::ip::tcp;

connection_slot& connection_slot::operator=(connection_slot&& other) noexcept {
  if (this != &other) {
    release();
    _counts = std::move(other._counts);
    _address = std::move(other._address);
  }
  return *this;
}

void connection_slot::release() {
  if (!_counts) {
    return;
  }
  if (_address) {
    std::lock_guard lock(_counts->mutex);
    auto it = _counts->per_address.find(*_address);
    if (it != _counts->per_address.end() && --it->second == 0) {
      _counts->per_address.erase(it);
    }
  }
  _counts->total.fetch_sub(1, std::memory_order_acq_rel);
  _counts.reset();
  _address.reset();
}

struct listener_state {
  listener_state(io_pool& p, listener_options o, tcp_listener::accept_fn a,
                 tcp_listener::refuse_fn r)
      : pool(p),
        options(std::move(o)),
        on_accept(std::move(a)),
        on_refuse(std::move(r)),
        acceptor(p.at(0)),
        backoff_timer(p.at(0)) {}

  io_pool& pool;
  const listener_options options;
  const tcp_listener::accept_fn on_accept;
  const tcp_listener::refuse_fn on_refuse;
  tcp::acceptor acceptor;
  asio::steady_timer backoff_timer;
  std::chrono::milliseconds backoff{0};
  uint16_t port = 0;  // bound
  std::shared_ptr<connection_counts> counts = std::make_shared<connection_counts>();
  // Held while a socket is handed over, so that none is after stop() returns.
  std::mutex mutex;
  bool stopped = false;
};

namespace {

constexpr auto first_backoff = std::chrono::milliseconds(10);
constexpr auto longest_backoff = std::chrono::milliseconds(1000);

// Out of descriptors or memory: accepting again at once would fail again at once.
bool resource_exhausted(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec.value() == ENFILE;
}

void accept_next(const std::shared_ptr<listener_state>& s);

void hand_over(const std::shared_ptr<listener_state>& s, tcp::socket socket) {
  std::lock_guard lock(s->mutex);
  if (s->stopped) {
    return;
  }
  const auto& o = s->options;
  std::optional<refusal> refused;
  std::optional<asio::ip::address> address;
  if (o.max_connections != 0 &&
      s->counts->total.load(std::memory_order_acquire) >= o.max_connections) {
    refused = refusal::total;
  } else if (o.max_connections_per_address != 0) {
    boost::system::error_code ec;
    auto peer = socket.remote_endpoint(ec);
    if (!ec) {
      std::lock_guard count_lock(s->counts->mutex);
      size_t& from_peer = s->counts->per_address[peer.address()];
      if (from_peer >= o.max_connections_per_address) {
        refused = refusal::per_address;
      } else {
        ++from_peer;
        address = peer.address();
      }
    }
  }
  auto executor = socket.get_executor();
  if (!refused) {
    s->counts->total.fetch_add(1, std::memory_order_acq_rel);
    s->counts->accepted.add();
    asio::post(executor, [s, sock = std::move(socket),
                          slot = connection_slot(s->counts, std::move(address))]() mutable {
      s->on_accept(std::move(sock), std::move(slot));
    });
  } else {
    s->counts->refused.add();
    if (s->on_refuse) {
      asio::post(executor, [s, sock = std::move(socket), why = *refused]() mutable {
        s->on_refuse(std::move(sock), why);
      });
    }
  }
  // Refused without on_refuse: the socket closes here.
}

void on_accepted(const std::shared_ptr<listener_state>& s, boost::system::error_code ec,
                 tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !s->acceptor.is_open()) {
    return;
  }
  if (!ec) {
    s->backoff = std::chrono::milliseconds(0);
    hand_over(s, std::move(socket));
    accept_next(s);
    return;
  }
  if (!resource_exhausted(ec)) {
    log::warn("accept on {}:{} failed: {}", s->options.host, s->port, ec.message());
    accept_next(s);
    return;
  }
  if (s->backoff.count() == 0) {
    log::warn("accept on {}:{} failed: {}; pausing new connections", s->options.host, s->port,
              ec.message());
  }
  s->backoff =
      std::clamp(s->backoff * 2, std::chrono::milliseconds(first_backoff), longest_backoff);
  s->backoff_timer.expires_after(s->backoff);
  s->backoff_timer.async_wait([s](boost::system::error_code tec) {
    if (!tec && s->acceptor.is_open()) {
      accept_next(s);
    }
  });
}

void accept_next(const std::shared_ptr<listener_state>& s) {
  s->acceptor.async_accept(s->pool.next(), [s](boost::system::error_code ec, tcp::socket socket) {
    on_accepted(s, ec, std::move(socket));
  });
}

}  // namespace

tcp_listener::tcp_listener(io_pool& pool, listener_options options, accept_fn on_accept,
                           refuse_fn on_refuse)
    : _pool(pool),
      _state(std::make_shared<listener_state>(pool, std::move(options), std::move(on_accept),
                                              std::move(on_refuse))) {}

tcp_listener::~tcp_listener() {
  stop();
}

status tcp_listener::listen() {
  const auto& o = _state->options;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(o.host, ec);
  if (ec) {
    return errc::bad_address;
  }
  tcp::endpoint endpoint(address, o.port);
  auto& acceptor = _state->acceptor;
  auto fail = [&acceptor](const boost::system::error_code& e) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return std::error_code(e.value(), std::system_category());
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) {
    return fail(ec);
  }
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor.bind(endpoint, ec); ec) {
    return fail(ec);
  }
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return fail(ec);
  }
  _port = acceptor.local_endpoint().port();
  _state->port = _port;
  // The accept loop starts on the acceptor's context (it runs once the pool does).
  asio::post(_pool.at(0), [s = _state] { accept_next(s); });
  return {};
}

void tcp_listener::stop() {
  {
    std::lock_guard lock(_state->mutex);
    if (_state->stopped) {
      return;
    }
    _state->stopped = true;
  }
  // The acceptor belongs to its context's thread: it is closed there (or here, with the
  // pool stopped, by the state's destruction).
  asio::post(_pool.at(0), [s = _state] {
    boost::system::error_code ec;
    s->acceptor.close(ec);
    s->backoff_timer.cancel();
  });
}

size_t tcp_listener::open_connections() const {
  return _state->counts->total.load(std::memory_order_acquire);
}

uint64_t tcp_listener::accepted_connections() const {
  return _state->counts->accepted.value();
}

uint64_t tcp_listener::refused_connections() const {
  return _state->counts->refused.value();
}

}  // namespace brook::net
