// The HTTP listener's settings: `[http]` in brook.toml, --http-* flags (see
// doc/configuration.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace brook::http {

struct http_config {
  bool enabled = true;
  std::string host = "127.0.0.1";
  uint16_t port = 8082;  // 0: any free port (tests)
  int threads = 0;       // 0: one per core
  size_t max_body_bytes = size_t{64} << 20;
  size_t max_header_bytes = 64 << 10;
  // A request's headers and body must arrive within this; a slow client is cut off.
  std::chrono::milliseconds request_timeout{30000};
  // A keep-alive connection with no request for this long is closed.
  std::chrono::milliseconds idle_timeout{60000};
  // An answer that takes this long or longer is logged (log_slow_request_ms; 0: never), with
  // its request id, route, client and time; long polls and streams are not.
  std::chrono::milliseconds slow_request{0};
  size_t max_connections = 10000;
  size_t max_connections_per_ip = 0;  // from one client address (0: no limit)
  // REST consumer instances unused for this long are closed (Confluent's
  // consumer.instance.timeout.ms).
  std::chrono::milliseconds consumer_idle_timeout{300000};
  size_t max_consumer_instances = 1000;
  // Console sessions (POST /v1/session) end after this long unused, and this long after
  // the login whatever their use; at most max_sessions are open at once.
  std::chrono::milliseconds session_idle_timeout{30 * 60'000};
  std::chrono::milliseconds session_lifetime{12 * 3'600'000};
  size_t max_sessions = 10000;
  // Host names requests may name besides IP addresses, localhost and this machine's name
  // ("*": any); others are answered 421 (DNS rebinding).
  std::vector<std::string> allowed_hosts;
  // Web origins ("https://app.example.com") whose pages may call the API from a browser
  // (CORS; "*": any). Empty: no CORS headers, preflights refused.
  std::vector<std::string> cors_allowed_origins;
};

}  // namespace brook::http
