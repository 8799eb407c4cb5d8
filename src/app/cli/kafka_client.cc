#include "app/cli/kafka_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "protocol/kafka_error.h"
#include "protocol/messages/api_catalog.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/sasl_authenticate.h"
#include "protocol/messages/sasl_handshake.h"
#include "protocol/request_header.h"
#include "protocol/wire_reader.h"
#include "security/scram_client.h"

namespace brook::app {

namespace {

class client_category_impl : public std::error_category {
 public:
  const char* name() const noexcept override { return "kafka client"; }
  std::string message(int ev) const override {
    switch (static_cast<client_errc>(ev)) {
      case client_errc::bad_address:
        return "not HOST:PORT";
      case client_errc::resolve_failed:
        return "the host name does not resolve";
      case client_errc::connection_closed:
        return "the broker closed the connection";
      case client_errc::timed_out:
        return "no answer from the broker in time";
      case client_errc::unsupported_api:
        return "the broker supports no version of this API "
               "that this client speaks";
      case client_errc::malformed_response:
        return "malformed response from the broker";
      case client_errc::response_too_large:
        return "response larger than the client accepts";
      case client_errc::sasl_unsupported:
        return "the broker does not offer this SASL mechanism on this listener";
      case client_errc::authentication_failed:
        return "authentication failed: wrong user name or password";
    }
    return "unknown kafka client error";
  }
};

using clock = std::chrono::steady_clock;

int remaining_ms(clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// Waits until `fd` is ready for `events`; false on timeout, an error code on failure.
result<bool> wait_for(int fd, short events, clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) {
      return true;
    }
    if (n == 0) {
      return false;
    }
    if (errno != EINTR) {
      return last_system_error();
    }
  }
}

// Connects a non-blocking socket to one address within the deadline.
result<int> connect_one(const addrinfo* a, clock::time_point deadline) {
  int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
  if (fd < 0) {
    return last_system_error();
  }
  if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
    auto ec = last_system_error();
    ::close(fd);
    return ec;
  }
  auto ready = wait_for(fd, POLLOUT, deadline);
  if (!ready || !*ready) {
    ::close(fd);
    return ready ? std::error_code(client_errc::timed_out) : ready.error();
  }
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
    err = errno;
  }
  if (err != 0) {
    ::close(fd);
    return std::error_code(err, std::system_category());
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

int32_t read_be32(const std::byte* p) {
  return static_cast<int32_t>(
      (std::to_integer<uint32_t>(p[0]) << 24) | (std::to_integer<uint32_t>(p[1]) << 16) |
      (std::to_integer<uint32_t>(p[2]) << 8) | std::to_integer<uint32_t>(p[3]));
}

}  // namespace

const std::error_category& client_category() {
  static client_category_impl c;
  return c;
}

std::error_code make_error_code(client_errc e) {
  return {static_cast<int>(e), client_category()};
}

result<host_port> parse_host_port(std::string_view text) {
  host_port out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return client_errc::bad_address;
    }
    out.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return client_errc::bad_address;
    }
    out.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (out.host.empty() || port.empty() || ec != std::errc() || end != port.data() + port.size() ||
      value == 0 || value > 65535) {
    return client_errc::bad_address;
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

result<kafka_client> kafka_client::connect(std::string_view address, const options& opts) {
  auto hp = parse_host_port(address);
  if (!hp) {
    return hp.error();
  }
  auto deadline = clock::now() + opts.timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(hp->port);
  if (::getaddrinfo(hp->host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return client_errc::resolve_failed;
  }
  std::error_code last = client_errc::resolve_failed;
  int fd = -1;
  for (const addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    auto c = connect_one(a, deadline);
    if (c) {
      fd = *c;
    } else {
      last = c.error();
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) {
    return last;
  }
  kafka_client client(fd, std::string(address), opts);
  if (auto st = client.exchange_api_versions(); !st) {
    return st.error();
  }
  if (!opts.sasl_mechanism.empty()) {
    if (auto st = client.authenticate(); !st) {
      return st.error();
    }
  }
  return client;
}

kafka_client::kafka_client(int fd, std::string address, const options& opts)
    : _fd(fd), _address(std::move(address)), _options(opts) {}

kafka_client::kafka_client(kafka_client&& o) noexcept
    : _fd(std::exchange(o._fd, -1)),
      _address(std::move(o._address)),
      _options(std::move(o._options)),
      _next_correlation_id(o._next_correlation_id),
      _broker_versions(std::move(o._broker_versions)),
      _response(std::move(o._response)) {}

kafka_client& kafka_client::operator=(kafka_client&& o) noexcept {
  if (this != &o) {
    if (_fd >= 0) {
      ::close(_fd);
    }
    _fd = std::exchange(o._fd, -1);
    _address = std::move(o._address);
    _options = std::move(o._options);
    _next_correlation_id = o._next_correlation_id;
    _broker_versions = std::move(o._broker_versions);
    _response = std::move(o._response);
  }
  return *this;
}

kafka_client::~kafka_client() {
  if (_fd >= 0) {
    ::close(_fd);
  }
}

int16_t kafka_client::version(int16_t api_key, int16_t min, int16_t max) const {
  auto it = _broker_versions.find(api_key);
  if (it == _broker_versions.end()) {
    return -1;
  }
  int16_t lo = std::max(min, it->second.first);
  int16_t hi = std::min(max, it->second.second);
  return lo <= hi ? hi : int16_t{-1};
}

status kafka_client::authenticate() {
  using protocol::sasl_authenticate_request;
  using protocol::sasl_authenticate_response;
  using protocol::sasl_handshake_request;
  using protocol::sasl_handshake_response;
  const auto bytes_of = [](const std::string& s) {
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    return std::vector<std::byte>(p, p + s.size());
  };
  const auto text_of = [](const std::vector<std::byte>& b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
  };
  sasl_handshake_request handshake;
  handshake.mechanism = _options.sasl_mechanism;
  auto shaken = call<sasl_handshake_response>(handshake, 1);
  if (!shaken) {
    return shaken.error();
  }
  if (shaken->error_code != 0) {
    return client_errc::sasl_unsupported;
  }
  const int16_t v = version_for<sasl_authenticate_request>();
  if (v < 0) {
    return client_errc::unsupported_api;
  }
  auto step = [&](const std::string& token) -> result<std::string> {
    sasl_authenticate_request request;
    request.auth_bytes = bytes_of(token);
    auto answer = call<sasl_authenticate_response>(request, v);
    if (!answer) {
      return answer.error();
    }
    if (answer->error_code != 0) {
      return client_errc::authentication_failed;
    }
    return text_of(answer->auth_bytes);
  };
  if (_options.sasl_mechanism == "PLAIN") {
    auto done = step(std::string(1, '\0') + _options.sasl_username + std::string(1, '\0') +
                     _options.sasl_password);
    return done ? status{} : status(done.error());
  }
  auto mechanism = security::scram_mechanism_named(_options.sasl_mechanism);
  if (!mechanism) {
    return client_errc::sasl_unsupported;
  }
  security::scram_client scram(*mechanism, _options.sasl_username, _options.sasl_password);
  auto server_first = step(scram.first_message());
  if (!server_first) {
    return server_first.error();
  }
  auto final_message = scram.final_message(*server_first);
  if (!final_message) {
    return client_errc::authentication_failed;
  }
  auto server_final = step(*final_message);
  if (!server_final) {
    return server_final.error();
  }
  if (!scram.verify(*server_final)) {
    return client_errc::authentication_failed;  // the server did not prove it knows us
  }
  return {};
}

status kafka_client::exchange_api_versions() {
  // Ask in our highest version; a broker that does not know it answers UNSUPPORTED_VERSION
  // in a v0 body (with its own ranges), so ask again in v0 then.
  using protocol::api_versions_request;
  using protocol::api_versions_response;
  api_versions_request request;
  request.client_software_name = "brook-cli";
  request.client_software_version = "1";
  auto answer = call<api_versions_response>(request, api_versions_request::max_version);
  bool retry_v0 = false;
  if (!answer) {
    if (answer.error() != make_error_code(client_errc::malformed_response)) {
      return answer.error();
    }
    retry_v0 = true;
  } else if (answer->error_code == protocol::code(protocol::kafka_error::unsupported_version)) {
    retry_v0 = true;
  }
  if (retry_v0) {
    answer = call<api_versions_response>(request, 0);
    if (!answer) {
      return answer.error();
    }
  }
  if (answer->error_code != 0) {
    return client_errc::malformed_response;
  }
  for (const auto& k : answer->api_keys) {
    _broker_versions[k.api_key] = {k.min_version, k.max_version};
  }
  return {};
}

result<std::span<const std::byte>> kafka_client::round_trip(int16_t api_key, int16_t version,
                                                            std::span<const std::byte> body) {
  const protocol::api_schema* schema = protocol::find_api_schema(api_key);
  bool flexible = schema != nullptr && schema->flexible(version);
  int32_t correlation_id = _next_correlation_id++;

  // Request header v1, or v2 (+ tagged fields) in flexible versions; the client id stays a
  // non-compact nullable string in both.
  protocol::wire_writer w;
  w.write_int32(0);  // size, patched below
  w.write_int16(api_key);
  w.write_int16(version);
  w.write_int32(correlation_id);
  w.write_string(_options.client_id, false);
  if (flexible) {
    w.write_uvarint(0);
  }
  w.write_raw(body);
  w.patch_int32(0, static_cast<int32_t>(w.buffer_size() - 4));
  if (auto st = send_all(w.buffer()); !st) {
    return st.error();
  }

  std::byte size_bytes[4];
  if (auto st = receive_exactly(size_bytes); !st) {
    return st.error();
  }
  int32_t size = read_be32(size_bytes);
  if (size < 4) {
    return client_errc::malformed_response;
  }
  if (static_cast<size_t>(size) > _options.max_response_bytes) {
    return client_errc::response_too_large;
  }
  _response.resize(static_cast<size_t>(size));
  if (auto st = receive_exactly(_response); !st) {
    return st.error();
  }
  protocol::wire_reader r(_response);
  if (r.read_int32() != correlation_id) {
    return client_errc::malformed_response;
  }
  // Response header v1 (tagged fields) for flexible versions, except ApiVersions.
  if (flexible && api_key != protocol::api_versions_key) {
    uint32_t count = r.read_uvarint();
    for (uint32_t i = 0; i < count && !r.failed(); ++i) {
      r.read_uvarint();
      r.sub_reader(r.read_uvarint());
    }
  }
  if (r.failed()) {
    return client_errc::malformed_response;
  }
  return std::span<const std::byte>(_response).subspan(r.position());
}

status kafka_client::send_all(std::span<const std::byte> bytes) {
  auto deadline = clock::now() + _options.timeout;
  while (!bytes.empty()) {
    ssize_t n = ::send(_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes = bytes.subspan(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto ready = wait_for(_fd, POLLOUT, deadline);
      if (!ready) {
        return ready.error();
      }
      if (!*ready) {
        return client_errc::timed_out;
      }
      continue;
    }
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      return client_errc::connection_closed;
    }
    return last_system_error();
  }
  return {};
}

status kafka_client::receive_exactly(std::span<std::byte> out) {
  auto deadline = clock::now() + _options.timeout;
  while (!out.empty()) {
    ssize_t n = ::recv(_fd, out.data(), out.size(), 0);
    if (n > 0) {
      out = out.subspan(static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      return client_errc::connection_closed;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      auto ready = wait_for(_fd, POLLIN, deadline);
      if (!ready) {
        return ready.error();
      }
      if (!*ready) {
        return client_errc::timed_out;
      }
      continue;
    }
    if (errno == ECONNRESET) {
      return client_errc::connection_closed;
    }
    return last_system_error();
  }
  return {};
}

}  // namespace brook::app
