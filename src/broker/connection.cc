#include "broker/connection.h"

#include <atomic>
#include <cstring>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "base/big_endian.h"
#include "base/log.h"
#include "base/log_throttle.h"
#include "broker/broker.h"
#include "broker/dispatch.h"
#include "broker/sasl_exchange.h"
#include "protocol/messages/api_catalog.h"
#include "protocol/request_header.h"

namespace brook::broker {

namespace asio = boost::asio;
using asio::use_awaitable;

namespace {
std::atomic<uint64_t> next_connection_id{0};
log_throttle slow_request_log(std::chrono::milliseconds(100));
std::atomic<uint64_t> slow_requests_unlogged{0};

// APIs that wait by design (a long poll, a rebalance): never "slow".
bool waits_by_design(int16_t api_key) {
  return api_key == 1 || api_key == 11 || api_key == 14;  // Fetch, JoinGroup, SyncGroup
}
}  // namespace

connection::connection(net::transport transport, broker& b, const listener_config& listener,
                       net::connection_slot slot, std::shared_ptr<net::byte_budget> request_bytes)
    : _transport(std::move(transport)),
      _broker(b),
      _id(next_connection_id.fetch_add(1) + 1),
      _listener(listener.name),
      _sasl(std::make_shared<sasl_session>()),
      _sasl_required(uses_sasl(listener.protocol)),
      _room(_transport.socket().get_executor()),
      _slot(std::move(slot)),
      _request_bytes(std::move(request_bytes)),
      _budget_wait(_transport.socket().get_executor()),
      _watchdog(_transport.socket().get_executor()) {}

void connection::start() {
  _sasl->required = _sasl_required;
  boost::system::error_code ec;
  auto& socket = _transport.socket();
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  socket.native_non_blocking(true, ec);
  auto peer = socket.remote_endpoint(ec);
  _client_host = "/" + (ec ? std::string("unknown") : peer.address().to_string());
  asio::co_spawn(_transport.socket().get_executor(), read_loop(), asio::detached);
  asio::co_spawn(_transport.socket().get_executor(), watchdog(), asio::detached);
}

void connection::log_slow_request(const protocol::request_header& h,
                                  std::chrono::nanoseconds elapsed) const {
  if (!slow_request_log.allow()) {
    slow_requests_unlogged.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const auto* schema = protocol::find_api_schema(h.api_key);
  const uint64_t unlogged = slow_requests_unlogged.exchange(0, std::memory_order_relaxed);
  log::warn("slow request {}-{}: {} v{} from {} on {} (client id {}) took {:.1f} ms{}", _id,
            h.correlation_id, schema != nullptr ? schema->name : "unknown", h.api_version,
            describe_peer(), _listener, h.client_id.value_or("-"),
            std::chrono::duration<double, std::milli>(elapsed).count(),
            unlogged > 0 ? fmt::format(" ({} more slow requests not logged)", unlogged) : "");
}

std::string connection::describe_peer() const {
  return _client_host.substr(1);  // without Kafka's leading '/'
}

asio::awaitable<void> connection::watchdog() {
  auto self = shared_from_this();
  const auto idle = _broker.config().connections_max_idle;
  const auto read_timeout = _broker.config().request_read_timeout;
  while (!_closed) {
    // When something could next be due: the frame being read; idleness, which cannot
    // begin before the answers owed are written (look again an idle period from now).
    const bool answers_owed = !_slots.empty() || _writing;
    const auto due = _frame_started ? *_frame_started + read_timeout
                     : answers_owed ? clock::now() + idle
                                    : _last_activity + idle;
    _watchdog.expires_at(due);
    boost::system::error_code ec;
    co_await _watchdog.async_wait(asio::redirect_error(use_awaitable, ec));
    if (_closed) {
      break;
    }
    const auto now = clock::now();
    if (_frame_started && now >= *_frame_started + read_timeout) {
      log::warn(
          "closing Kafka connection from {}: {} within {} ms (kafka.request_read_timeout_ms)",
          describe_peer(),
          _handshaking ? "the TLS handshake did not complete" : "a request did not arrive whole",
          read_timeout.count());
      shut_down();
      break;
    }
    if (!_frame_started && _slots.empty() && !_writing && now >= _last_activity + idle) {
      log::info("closing Kafka connection from {}: idle for {} ms (kafka.connections_max_idle_ms)",
                describe_peer(), idle.count());
      shut_down();
      break;
    }
  }
}

namespace {
// One line per 10 s at most while connections wait for kafka.queued_max_request_bytes.
log_throttle& budget_log() {
  static log_throttle throttle{std::chrono::seconds(10)};
  return throttle;
}
}  // namespace

asio::awaitable<bool> connection::reserve(net::budget_lease& lease, size_t more) {
  if (lease.try_grow(more)) {
    co_return true;
  }
  if (budget_log().allow()) {
    log::warn(
        "requests being read hold {} bytes, kafka.queued_max_request_bytes ({}): connections "
        "wait before reading more (the latest from {})",
        _request_bytes->used(), _request_bytes->limit(), describe_peer());
  }
  // Waiting for room is not the client's delay: the frame's deadline starts again after.
  _frame_started.reset();
  auto pause = std::chrono::milliseconds(1);
  while (!_closed) {
    _budget_wait.expires_after(pause);
    boost::system::error_code ec;
    co_await _budget_wait.async_wait(asio::redirect_error(use_awaitable, ec));
    if (_closed) {
      break;
    }
    if (lease.try_grow(more)) {
      _frame_started = _last_activity = clock::now();
      co_return true;
    }
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  co_return false;
}

asio::awaitable<bool> connection::read_frame(request_context& req, size_t size) {
  auto& frame = req.frame;
  const size_t first = std::min(size, initial_frame_buffer);
  if (!co_await reserve(req.frame_bytes, first)) {
    co_return false;
  }
  frame.resize(first);
  size_t got = 0;
  while (got < size) {
    if (got == frame.size()) {
      const size_t next = std::min(size, frame.size() * 2);
      if (!co_await reserve(req.frame_bytes, next - frame.size())) {
        co_return false;
      }
      frame.resize(next);
    }
    boost::system::error_code ec;
    size_t n =
        co_await _transport.read_some(asio::buffer(frame.data() + got, frame.size() - got), ec);
    if (ec || _closed) {
      co_return false;
    }
    got += n;
  }
  co_return true;
}

namespace {
// One line per 10 s at most for failed TLS handshakes (a scanner can make many).
log_throttle& handshake_log() {
  static log_throttle throttle{std::chrono::seconds(10)};
  return throttle;
}
}  // namespace

asio::awaitable<bool> connection::handshake() {
  if (!_transport.tls()) {
    co_return true;
  }
  // The handshake has kafka.request_read_timeout_ms to complete, as a frame has.
  _frame_started = clock::now();
  _handshaking = true;
  _watchdog.cancel();
  auto ec = co_await _transport.handshake();
  _handshaking = false;
  _frame_started.reset();
  if (ec || _closed) {
    static std::atomic<size_t> failed{0};
    const size_t n = failed.fetch_add(1) + 1;
    if (!_closed && handshake_log().allow()) {
      log::info("TLS handshake failed on {} from {}: {} ({} failed so far)", _listener,
                describe_peer(), ec.message(), n);
    }
    // A client certificate refused is a failed login (garbage and plaintext are not).
    if (auto* guard = _broker.logins();
        guard != nullptr && ec && ec.message().find("certificate") != std::string::npos) {
      guard->failed({_listener, _client_host.substr(1), "SSL"}, "", ec.message());
    }
    co_return false;
  }
  _last_activity = clock::now();
  if (!_sasl_required) {
    // An SSL listener: a verified client certificate names the principal (else
    // User:ANONYMOUS, as Kafka's default principal builder does).
    if (auto subject = _transport.peer_subject()) {
      _sasl->principal = security::principal{"User", std::move(*subject)};
      if (auto* guard = _broker.logins()) {
        guard->succeeded({_listener, _client_host.substr(1), "SSL"}, _sasl->principal);
      }
    }
  }
  co_return true;
}

asio::awaitable<void> connection::read_loop() {
  auto self = shared_from_this();
  const size_t max_request = _broker.config().max_request_bytes;
  std::array<std::byte, 4> size_bytes{};
  if (!co_await handshake()) {
    shut_down();
    co_return;
  }
  while (!_closed) {
    boost::system::error_code ec;
    co_await _transport.read(asio::buffer(size_bytes), ec);
    if (ec || _closed) {
      break;
    }
    _last_activity = clock::now();
    int32_t size = be::load<int32_t>(size_bytes.data());
    // Before authentication a frame is a SASL token or a small request: Kafka's
    // sasl.server.max.receive.size keeps what an unknown client may make the broker hold.
    const bool unauthenticated = _sasl->required && _sasl->at != sasl_session::stage::authenticated;
    const size_t limit =
        unauthenticated ? std::min(max_request, max_unauthenticated_frame) : max_request;
    const int32_t smallest = _sasl->raw_token_next() ? 0 : 8;  // a raw token may be short
    if (size < smallest || static_cast<size_t>(size) > limit) {
      // Kafka closes the connection on a frame it will not read (InvalidReceiveException).
      log::warn("closing connection from {}: request frame of {} bytes (limit {}{})",
                describe_peer(), size, limit, unauthenticated ? ", before authentication" : "");
      break;
    }
    auto req = std::make_shared<request_context>();
    req->frame_bytes = net::budget_lease(_request_bytes);
    _frame_started = _last_activity;
    _watchdog.cancel();  // due sooner: the frame's deadline
    if (!co_await read_frame(*req, static_cast<size_t>(size))) {
      break;
    }
    _frame_started.reset();
    _last_activity = clock::now();
    req->executor = _transport.socket().get_executor();
    req->client_host = _client_host;
    req->listener = _listener;
    req->authorizer = &_broker.authorizer();
    req->sasl = _sasl;
    if (_sasl->raw_token_next()) {
      dispatch_raw_token(std::move(req));
    } else {
      auto header = protocol::decode_request_header(req->frame);
      if (!header) {
        log::warn("closing connection: malformed request header");
        break;
      }
      // As after a session's end (KIP-368): only a re-authentication is taken.
      if (header->api_key != 17 && !credentials_current()) {
        log::info("closing Kafka connection of {} from {} on {}: its credentials changed",
                  _sasl->principal.to_string(), describe_peer(), _listener);
        break;
      }
      if (!admissible(*header)) {
        log::info(
            "closing Kafka connection from {} on {}: api {} before authentication (or after "
            "the session ended)",
            describe_peer(), _listener, header->api_key);
        break;
      }
      req->header = std::move(*header);
      req->principal = _sasl->principal;
      dispatch(std::move(req));
    }
    // Before authentication requests are served one at a time: the next may depend on
    // the state the last one left (a handshake, a token).
    const auto must_wait = [this] {
      return _slots.size() >= _broker.config().max_in_flight ||
             (_sasl->required && _sasl->at != sasl_session::stage::authenticated &&
              !_slots.empty());
    };
    while (!_closed && must_wait()) {
      _room.expires_at(asio::steady_timer::time_point::max());
      co_await _room.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }
  if (!_closed) {
    // Answers already owed are still sent before the socket closes.
    if (_slots.empty()) {
      shut_down();
    } else {
      _slots.push_back(slot{true, response{{}, {}, false, true, {}}});
      ++_next_seq;
      if (!_writing) {
        _writing = true;
        asio::co_spawn(_transport.socket().get_executor(), write_loop(), asio::detached);
      }
    }
  }
}

void connection::dispatch(std::shared_ptr<request_context> req) {
  uint64_t seq = _next_seq++;
  _slots.emplace_back();
  auto self = shared_from_this();
  auto executor = _transport.socket().get_executor();
  // Counted when the answer is ready (on whatever thread the handler answers from).
  const auto received = std::chrono::steady_clock::now();
  const protocol::request_header header = req->header;
  const uint64_t request_bytes = req->frame.size() + 4;  // the size prefix too
  responder respond([self, seq, executor, received, header, request_bytes](response r) {
    const auto elapsed = std::chrono::steady_clock::now() - received;
    self->_broker.metrics().record_request(header.api_key, elapsed, request_bytes,
                                           r.send ? r.size() : 0, r.error_codes);
    const auto slow = self->_broker.config().slow_request;
    if (slow.count() > 0 && elapsed >= slow && !waits_by_design(header.api_key)) {
      self->log_slow_request(header, elapsed);
    }
    asio::post(executor,
               [self, seq, r = std::move(r)]() mutable { self->complete(seq, std::move(r)); });
  });
  dispatch_request(_broker, std::move(req), std::move(respond));
}

bool connection::credentials_current() {
  const auto* users = _broker.user_directory();
  if (!_sasl->password_login || _sasl->at != sasl_session::stage::authenticated ||
      users == nullptr) {
    return true;
  }
  // Most requests see no change at all; after one (of anyone's), a lookup of this user's
  // last change, and the generation seen moves on so the next request is cheap again.
  const uint64_t now = users->generation();
  if (now == _sasl->credentials_seen) {
    return true;
  }
  if (users->changed_at(_sasl->principal.name) > _sasl->credentials_seen) {
    return false;
  }
  _sasl->credentials_seen = now;
  return true;
}

bool connection::admissible(const protocol::request_header& h) const {
  if (_sasl->at == sasl_session::stage::failed) {
    return false;  // the connection closes after its failed authentication
  }
  if (_sasl->required && _sasl->expired(sasl_session::clock::now())) {
    return h.api_key == 17;  // SaslHandshake: the re-authentication; anything else closes
  }
  if (h.api_key == protocol::api_versions_key || h.api_key == 17 || h.api_key == 36) {
    return true;  // ApiVersions, SaslHandshake, SaslAuthenticate
  }
  return _sasl->serves_requests(sasl_session::clock::now());
}

void connection::dispatch_raw_token(std::shared_ptr<request_context> req) {
  uint64_t seq = _next_seq++;
  _slots.emplace_back();
  auto self = shared_from_this();
  auto executor = _transport.socket().get_executor();
  const std::string token(reinterpret_cast<const char*>(req->frame.data()), req->frame.size());
  sasl_exchange_step(_broker, req, token, [self, seq, executor](sasl_exchange_outcome result) {
    response r;
    if (result.outcome == sasl_exchange_outcome::state::failure) {
      r.send = false;  // after a v0 handshake a failure closes the connection, unanswered
      r.close_after = true;
    } else {
      r.buffer.resize(4 + result.token.size());
      be::store<int32_t>(r.buffer.data(), static_cast<int32_t>(result.token.size()));
      std::memcpy(r.buffer.data() + 4, result.token.data(), result.token.size());
    }
    asio::post(executor,
               [self, seq, r = std::move(r)]() mutable { self->complete(seq, std::move(r)); });
  });
}

void connection::complete(uint64_t seq, response r) {
  if (_closed || seq < _first_seq) {
    return;
  }
  slot& s = _slots[seq - _first_seq];
  s.ready = true;
  s.answer = std::move(r);
  if (!_writing && _slots.front().ready) {
    _writing = true;
    asio::co_spawn(_transport.socket().get_executor(), write_loop(), asio::detached);
  }
}

asio::awaitable<void> connection::write_loop() {
  auto self = shared_from_this();
  while (!_closed && !_slots.empty() && _slots.front().ready) {
    response r = std::move(_slots.front().answer);
    _slots.pop_front();
    ++_first_seq;
    _room.cancel();
    if (r.send && !co_await send_response(r)) {
      shut_down();
      break;
    }
    _last_activity = clock::now();
    if (r.close_after) {
      shut_down();
      break;
    }
  }
  _writing = false;
}

asio::awaitable<bool> connection::send_response(const response& r) {
  boost::system::error_code ec;
  size_t pos = 0;
  for (const auto& sp : r.splices) {
    if (sp.at > pos) {
      co_await _transport.write(asio::buffer(r.buffer.data() + pos, sp.at - pos), ec);
      if (ec) {
        co_return false;
      }
      pos = sp.at;
    }
    std::string problem;
    if (!co_await _transport.send_file(sp.slice.fd, sp.slice.position, sp.slice.length, problem)) {
      // The file shrank under us or could not be read: the frame cannot be completed, so
      // the connection must go.
      if (!problem.empty()) {
        log::warn("sending record data failed: {}", problem);
      }
      co_return false;
    }
    _broker.metrics().record_file_bytes(static_cast<uint64_t>(sp.slice.length), !_transport.tls());
  }
  if (pos < r.buffer.size()) {
    co_await _transport.write(asio::buffer(r.buffer.data() + pos, r.buffer.size() - pos), ec);
    if (ec) {
      co_return false;
    }
  }
  co_return true;
}

void connection::shut_down() {
  if (_closed) {
    return;
  }
  _closed = true;
  _transport.close();
  _room.cancel();
  _watchdog.cancel();
  _slots.clear();
}

}  // namespace brook::broker
