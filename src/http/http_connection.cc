#include "http/http_connection.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "base/json_writer.h"
#include "base/log.h"
#include "base/log_throttle.h"
#include "base/text.h"
#include "http/content_encoding.h"
#include "http/http_server.h"
#include "http/rest/rest_error.h"

namespace brook::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::use_awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(use_awaitable);

namespace {

std::atomic<uint64_t> next_connection_id{1};
log_throttle slow_request_log(std::chrono::milliseconds(100));
std::atomic<uint64_t> slow_requests_unlogged{0};

// The request's id: the client's X-Request-Id when it is a plain token (up to 64 letters,
// digits and ._:-), else "h<connection>-<request>". Sent back in X-Request-Id and named
// in the slow-request log line.
std::string request_id_of(std::string_view given, uint64_t connection, uint64_t request) {
  const bool plain =
      !given.empty() && given.size() <= 64 && std::all_of(given.begin(), given.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' ||
               c == ':' || c == '-';
      });
  return plain ? std::string(given) : fmt::format("h{}-{}", connection, request);
}

std::string error_body(int code, std::string_view message) {
  json_writer w;
  w.begin_object().key("error_code").value(static_cast<int64_t>(code));
  w.key("message").value(message).end_object();
  return w.take();
}

bhttp::response<bhttp::string_body> make_response(http_response r, unsigned version,
                                                  bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "brook");
  if (!r.content_type.empty()) {
    res.set(bhttp::field::content_type, r.content_type);
  }
  for (auto& [name, value] : r.headers) {
    // WWW-Authenticate may repeat (Basic, then Bearer), and Set-Cookie (a session and the
    // single sign-on's state); any other header is set once.
    if (name == "WWW-Authenticate" || name == "Set-Cookie") {
      res.insert(name, value);
    } else {
      res.set(name, value);
    }
  }
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

http_response error_response(int code, std::string_view message) {
  auto e = rest::rest_error::make(code, std::string(message));
  return http_response::json(static_cast<unsigned>(e.status), error_body(e.code, e.message));
}

bool has_body(const bhttp::request_parser<bhttp::empty_body>& p) {
  return p.chunked() || (p.content_length() && *p.content_length() > 0);
}

// The stream a streaming route reads its body from and writes its chunks to.
class connection_stream final : public http_stream {
 public:
  connection_stream(http_connection& c, bhttp::request_parser<bhttp::empty_body>&& header,
                    const http_config& config, unsigned version, bool keep_alive,
                    content_encoding coding,
                    std::vector<std::pair<std::string, std::string>> extra_headers)
      : _c(c),
        _parser(std::move(header)),
        _config(config),
        _version(version),
        _keep_alive(keep_alive),
        _coding(coding),
        _extra_headers(std::move(extra_headers)) {
    _parser.body_limit(config.max_body_bytes);
    _chunked_request = _parser.chunked();
  }

  asio::awaitable<std::optional<std::string>> read_some() override {
    if (_coding != content_encoding::identity) {
      co_return co_await read_inflated();
    }
    co_return co_await read_raw();
  }

  // A compressed body is read whole (bounded by http.max_body_bytes), inflated (bounded
  // the same), then handed out in pieces as a plain one would be.
  asio::awaitable<std::optional<std::string>> read_inflated() {
    if (!_inflated_ready) {
      std::string raw;
      while (!_parser.is_done() && !_failed) {
        auto piece = co_await read_raw();
        if (!piece) {
          break;
        }
        raw += *piece;
      }
      if (_failed) {
        co_return std::nullopt;
      }
      auto out = inflate_body(_coding, raw, _config.max_body_bytes);
      if (out.result != inflated::status::ok) {
        _failed = true;
        _failure = out.result == inflated::status::too_large
                       ? "body_limit"
                       : "the body is not valid data of its Content-Encoding";
        co_return std::nullopt;
      }
      _inflated = std::move(out.body);
      _inflated_ready = true;
    }
    if (_inflated_pos >= _inflated.size() || _failed) {
      co_return std::nullopt;
    }
    const size_t n = std::min<size_t>(_inflated.size() - _inflated_pos, 64 * 1024);
    std::string piece = _inflated.substr(_inflated_pos, n);
    _inflated_pos += n;
    co_return piece;
  }

  asio::awaitable<std::optional<std::string>> read_raw() {
    if (_parser.is_done() || _failed) {
      co_return std::nullopt;
    }
    std::string chunk(64 * 1024, '\0');
    _parser.get().body().data = chunk.data();
    _parser.get().body().size = chunk.size();
    _c.stream().tcp().expires_after(_config.request_timeout);
    auto [ec, n] =
        co_await bhttp::async_read_some(_c.stream(), _c.buffer(), _parser, tuple_awaitable);
    if (ec == bhttp::error::need_buffer) {
      ec = {};
    }
    if (ec) {
      _failed = true;
      _failure = ec == bhttp::error::body_limit ? "body_limit"
                 : ec == beast::error::timeout  ? "timeout"
                                                : ec.message();
      co_return std::nullopt;
    }
    chunk.resize(chunk.size() - _parser.get().body().size);
    co_return chunk;
  }
  bool body_done() const override {
    return _failed ||
           (_parser.is_done() && (_coding == content_encoding::identity ||
                                  (_inflated_ready && _inflated_pos >= _inflated.size())));
  }
  bool chunked_request() const override { return _chunked_request; }
  bool failed() const override { return _failed; }
  std::string failure() const override { return _failure; }

  asio::awaitable<bool> begin_chunked(unsigned status, std::string_view content_type) override {
    bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(status), _version};
    res.set(bhttp::field::server, "brook");
    res.set(bhttp::field::content_type, content_type);
    for (const auto& [name, value] : _extra_headers) {
      res.set(name, value);
    }
    res.chunked(true);
    res.keep_alive(_keep_alive);
    _status = status;
    bhttp::response_serializer<bhttp::empty_body> sr{res};
    _c.stream().tcp().expires_never();
    auto [ec, n] = co_await bhttp::async_write_header(_c.stream(), sr, tuple_awaitable);
    _written = !ec;
    co_return !ec;
  }
  asio::awaitable<bool> write_chunk(std::string_view data) override {
    if (data.empty()) {
      co_return true;
    }
    _c.stream().tcp().expires_after(_config.request_timeout);
    auto [ec, n] = co_await asio::async_write(
        _c.stream(), bhttp::make_chunk(asio::const_buffer(data.data(), data.size())),
        tuple_awaitable);
    co_return !ec;
  }
  asio::awaitable<bool> end_chunked() override {
    _c.stream().tcp().expires_after(_config.request_timeout);
    auto [ec, n] =
        co_await asio::async_write(_c.stream(), bhttp::make_chunk_last(), tuple_awaitable);
    co_return !ec;
  }
  asio::awaitable<bool> write_whole(unsigned status, std::string_view content_type,
                                    std::string& body) override {
    // An answer before the whole body was read closes the connection: say so.
    _status = status;
    auto res = make_response({status, std::string(content_type), std::move(body), _extra_headers},
                             _version, _keep_alive && body_done() && !_failed);
    _c.stream().tcp().expires_after(_config.request_timeout);
    auto [ec, n] = co_await bhttp::async_write(_c.stream(), res, tuple_awaitable);
    _written = !ec;
    co_return !ec;
  }

  bool written() const { return _written; }
  // The status answered (0: none was).
  unsigned status() const { return _status; }

 private:
  http_connection& _c;
  bhttp::request_parser<bhttp::buffer_body> _parser;
  const http_config& _config;
  unsigned _version;
  bool _keep_alive;
  content_encoding _coding;
  std::vector<std::pair<std::string, std::string>> _extra_headers;  // CORS
  bool _inflated_ready = false;
  std::string _inflated;
  size_t _inflated_pos = 0;
  bool _chunked_request = false;
  bool _failed = false;
  bool _written = false;
  unsigned _status = 0;
  std::string _failure;
};

}  // namespace

http_connection::http_connection(http_transport transport, http_server& server,
                                 net::connection_slot slot, std::string refusal)
    : _stream(std::move(transport)),
      _server(server),
      _slot(std::move(slot)),
      _refusal(std::move(refusal)),
      _id(next_connection_id.fetch_add(1, std::memory_order_relaxed)) {}

void http_connection::answered(const route* matched, const http_request& req, unsigned status,
                               std::chrono::steady_clock::time_point started,
                               const std::string& request_id) {
  const auto elapsed = std::chrono::steady_clock::now() - started;
  _server.metrics().record(matched, status, elapsed);
  const auto slow = _server.config().slow_request;
  if (slow.count() == 0 || elapsed < slow ||
      (matched != nullptr && (matched->waits || matched->streamer))) {
    return;
  }
  if (!slow_request_log.allow()) {
    slow_requests_unlogged.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const uint64_t unlogged = slow_requests_unlogged.exchange(0, std::memory_order_relaxed);
  log::warn("slow HTTP request {}: {} {} (route {}) from {} answered {} in {:.1f} ms{}", request_id,
            std::string_view(bhttp::to_string(req.method)), loggable(req.path, 200),
            matched != nullptr ? matched->pattern : "none",
            req.client_host.empty() ? "unknown" : req.client_host.substr(1), status,
            std::chrono::duration<double, std::milli>(elapsed).count(),
            unlogged > 0 ? fmt::format(" ({} more slow requests not logged)", unlogged) : "");
}

void http_connection::start() {
  _server.connection_started(shared_from_this());
  asio::co_spawn(
      _stream.get_executor(), [self = shared_from_this()] { return self->run(); }, asio::detached);
}

void http_connection::shut_down() {
  asio::post(_stream.get_executor(), [self = shared_from_this()] {
    if (!self->_busy.load()) {
      boost::system::error_code ec;
      self->_stream.tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
      self->_stream.tcp().cancel();
    }
  });
}

asio::awaitable<void> http_connection::run() {
  try {
    if (_stream.tls() && !co_await handshake()) {
      // Nothing more on this connection.
    } else if (!_refusal.empty()) {
      auto res = make_response(error_response(rest::error_codes::unavailable, _refusal), 11, false);
      _stream.tcp().expires_after(_server.config().request_timeout);
      co_await bhttp::async_write(_stream, res, tuple_awaitable);
    } else {
      while (co_await serve_one()) {
      }
    }
  } catch (const std::exception& e) {
    log::warn("http connection failed: {}", e.what());
  }
  boost::system::error_code ec;
  _stream.tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  _stream.tcp().close();
  _server.connection_finished(this);
}

asio::awaitable<bool> http_connection::handshake() {
  // Past a connection limit, no TLS work is spent: the connection is closed.
  if (!_refusal.empty()) {
    co_return false;
  }
  _stream.tcp().expires_after(_server.config().request_timeout);
  auto ec = co_await _stream.handshake();
  if (ec) {
    boost::system::error_code pec;
    auto peer = _stream.tcp().socket().remote_endpoint(pec);
    _server.handshake_failed(pec ? std::string("unknown") : peer.address().to_string(),
                             ec.message());
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> http_connection::serve_one() {
  const http_config& config = _server.config();
  if (_server.stopping()) {
    co_return false;
  }
  bhttp::request_parser<bhttp::empty_body> header;
  header.header_limit(static_cast<uint32_t>(config.max_header_bytes));
  header.body_limit(config.max_body_bytes);
  if (_buffer.size() == 0) {
    // Between requests a connection may sit idle for http.idle_timeout_ms; once a
    // request's first bytes arrive, the rest must follow within http.request_timeout_ms.
    _stream.tcp().expires_after(config.idle_timeout);
    auto [iec, in] = co_await _stream.async_read_some(_buffer.prepare(4096), tuple_awaitable);
    if (iec) {
      co_return false;
    }
    _buffer.commit(in);
  }
  _stream.tcp().expires_after(config.request_timeout);
  auto [ec, n] = co_await bhttp::async_read_header(_stream, _buffer, header, tuple_awaitable);
  if (ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset) {
      co_return false;
    }
    // A malformed or oversized header: say so and close.
    int code = ec == bhttp::error::header_limit ? 431
               : ec == bhttp::error::body_limit ? rest::error_codes::payload_too_large
                                                : rest::error_codes::bad_request;
    auto res = make_response(
        code == 431 ? http_response::json(431, error_body(431, "request header too large"))
                    : error_response(code, code == 413 ? "request body too large"
                                                       : "malformed HTTP request: " + ec.message()),
        11, false);
    _stream.tcp().expires_after(config.request_timeout);
    co_await bhttp::async_write(_stream, res, tuple_awaitable);
    co_return false;
  }
  _busy.store(true);
  struct idle_again {
    std::atomic<bool>& busy;
    ~idle_again() { busy.store(false); }
  } idle{_busy};

  auto& head = header.get();
  const unsigned version = head.version();
  bool keep_alive = head.keep_alive() && !_server.stopping();
  http_request req;
  req.method = head.method();
  req.headers = head.base();
  req.tls = _stream.tls();

  const origin_policy& origins = _server.origins();
  const auto started = std::chrono::steady_clock::now();
  const route* matched = nullptr;  // counted as "unmatched" until routed
  const std::string request_id = request_id_of(head["X-Request-Id"], _id, ++_served);
  // Takes a named response: no class-type temporaries inside co_await expressions (GCC 12).
  auto answer = [&](http_response& r, bool keep) -> asio::awaitable<bool> {
    for (auto& h : origins.cors_headers(req)) {
      r.headers.push_back(std::move(h));
    }
    r.headers.emplace_back("X-Request-Id", request_id);
    const unsigned status = r.status;
    auto res = make_response(std::move(r), version, keep);
    _stream.tcp().expires_after(config.request_timeout);
    auto [wec, wn] = co_await bhttp::async_write(_stream, res, tuple_awaitable);
    answered(matched, req, status, started, request_id);
    co_return !wec && keep;
  };

  if (!parse_target(head.target(), req.path, req.query)) {
    auto r = error_response(rest::error_codes::bad_request, "malformed request target");
    co_return co_await answer(r, false);
  }
  // DNS rebinding: a page on another site reaching this server through a name rebound to
  // its address names that site in Host. Refused before anything else is looked at.
  if (auto host = head[bhttp::field::host]; !origins.host_allowed(host)) {
    boost::system::error_code pec;
    auto peer = _stream.tcp().socket().remote_endpoint(pec);
    auto shown = std::string(host.substr(0, 255));
    _server.host_refused(shown, pec ? std::string("unknown") : peer.address().to_string());
    auto r = error_response(421, "Host '" + shown +
                                     "' is not a name of this server: add it to "
                                     "http.allowed_hosts if it is one");
    co_return co_await answer(r, false);
  }
  if (auto preflight = origins.preflight(req)) {
    co_return co_await answer(*preflight, keep_alive && !has_body(header));
  }
  auto m = _server.routes().match(req.method, req.path);
  if (!m.found) {
    // The body, if any, is not read: the connection closes after the answer.
    auto r = m.status == 405 ? error_response(rest::error_codes::method_not_allowed,
                                              "HTTP 405 Method Not Allowed")
                             : error_response(rest::error_codes::not_found, "HTTP 404 Not Found");
    if (m.status == 405) {
      r.headers.emplace_back("Allow", m.allow);
    }
    co_return co_await answer(r, keep_alive && !has_body(header));
  }
  req.params = std::move(m.params);
  matched = m.found;
  {
    boost::system::error_code pec;
    auto peer = _stream.tcp().socket().remote_endpoint(pec);
    req.client_host = "/" + (pec ? std::string("unknown") : peer.address().to_string());
  }
  if (!m.found->open) {
    // Before the body is read: a client that may not log in sends nothing more.
    std::string authorization(head[bhttp::field::authorization]);
    const http_authentication& logins = _server.authentication();
    std::optional<http_authentication::verdict> by_session;
    if (authorization.empty() && logins.required()) {
      const bool changes_state = req.method != bhttp::verb::get &&
                                 req.method != bhttp::verb::head &&
                                 req.method != bhttp::verb::options;
      by_session =
          logins.from_session(head[bhttp::field::cookie], changes_state, head[csrf_header]);
    }
    http_authentication::verdict login;
    if (by_session) {
      login = std::move(*by_session);
    } else {
      security::login_attempt from{_stream.tls() ? "https" : "http", req.client_host.substr(1), {}};
      login = co_await logins.authenticate(std::move(authorization), std::move(from), _logged_in);
    }
    if (login.forbidden) {
      auto r = error_response(rest::error_codes::forbidden, login.problem);
      co_return co_await answer(r, keep_alive && !has_body(header));
    }
    if (!login.who) {
      _server.login_refused(login.attempted_user, login.problem, req.client_host.substr(1));
      if (login.limited) {
        auto r = error_response(rest::error_codes::too_many_logins, login.problem);
        r.headers.emplace_back("Retry-After", std::to_string(login.retry_after_s));
        co_return co_await answer(r, false);
      }
      auto r = error_response(rest::error_codes::unauthorized, login.problem);
      if (!head[console_header].empty() ||
          cookie_value(head[bhttp::field::cookie], session_cookie)) {
        // The console's own call (or its live tail's EventSource, which sends no header of
        // its own, with an ended session's cookie): no Basic challenge, or the browser asks
        // for a password over the console's login page.
        r.headers.emplace_back("WWW-Authenticate", R"(Session realm="brook")");
      } else {
        for (auto& challenge : logins.challenges(login)) {
          r.headers.emplace_back("WWW-Authenticate", std::move(challenge));
        }
      }
      co_return co_await answer(r, keep_alive && !has_body(header));
    }
    _logged_in = login.who->to_string();
    req.principal = std::move(*login.who);
  }
  auto coding = parse_content_encoding(head[bhttp::field::content_encoding]);
  if (!coding) {
    auto r = error_response(rest::error_codes::unsupported_media_type,
                            "Content-Encoding '" +
                                std::string(head[bhttp::field::content_encoding].substr(0, 64)) +
                                "' is not supported: send gzip, deflate or an uncompressed body");
    co_return co_await answer(r, keep_alive && !has_body(header));
  }
  req.headers.erase(bhttp::field::content_encoding);  // routes see the inflated body

  if (head[bhttp::field::expect] == "100-continue" && has_body(header)) {
    static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
    _stream.tcp().expires_after(config.request_timeout);
    auto [cec, cn] = co_await asio::async_write(
        _stream, asio::const_buffer(go_on.data(), go_on.size()), tuple_awaitable);
    if (cec) {
      co_return false;
    }
  }

  if (m.found->streamer) {
    auto headers = origins.cors_headers(req);
    headers.emplace_back("X-Request-Id", request_id);
    connection_stream s(*this, std::move(header), config, version, keep_alive, *coding,
                        std::move(headers));
    co_await m.found->streamer(req, s);
    answered(matched, req, s.status(), started, request_id);
    // Kept alive only if the route read the whole body and answered.
    co_return keep_alive&& s.written() && s.body_done() && !s.failed();
  }

  bhttp::request_parser<bhttp::string_body> body_parser{std::move(header)};
  body_parser.body_limit(config.max_body_bytes);
  _stream.tcp().expires_after(config.request_timeout);
  auto [bec, bn] = co_await bhttp::async_read(_stream, _buffer, body_parser, tuple_awaitable);
  if (bec) {
    if (bec == bhttp::error::body_limit) {
      auto r = error_response(rest::error_codes::payload_too_large,
                              "request body larger than " + std::to_string(config.max_body_bytes) +
                                  " bytes (http.max_body_bytes)");
      co_return co_await answer(r, false);
    }
    if (bec == beast::error::timeout || bec == bhttp::error::end_of_stream ||
        bec == asio::error::eof || bec == asio::error::connection_reset ||
        bec == asio::error::operation_aborted) {
      co_return false;  // a client that stalls or goes away mid-body: cut off
    }
    auto r =
        error_response(rest::error_codes::bad_request, "malformed request body: " + bec.message());
    co_return co_await answer(r, false);
  }
  req.body = body_parser.release().body();
  if (*coding != content_encoding::identity) {
    auto out = inflate_body(*coding, req.body, config.max_body_bytes);
    if (out.result != inflated::status::ok) {
      auto r =
          out.result == inflated::status::too_large
              ? error_response(rest::error_codes::payload_too_large,
                               "request body larger than " + std::to_string(config.max_body_bytes) +
                                   " bytes once inflated (http.max_body_bytes)")
              : error_response(rest::error_codes::bad_request,
                               "the request body is not valid data of its Content-Encoding");
      co_return co_await answer(r, keep_alive && !_server.stopping());
    }
    req.body = std::move(out.body);
  }
  http_response r;
  try {
    r = co_await m.found->handler(req);
  } catch (const std::exception& e) {
    log::error("http {} {}: {}", std::string(bhttp::to_string(req.method)), req.path, e.what());
    r = error_response(500, std::string("internal error: ") + e.what());
  }
  co_return co_await answer(r, keep_alive && !_server.stopping());
}

}  // namespace brook::http
