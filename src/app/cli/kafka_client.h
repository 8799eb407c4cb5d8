// A small blocking Kafka client for command-line tools: one TCP connection to one broker,
// one request at a time. Requests are the generated message structs
// (protocol/messages/*.h); the version of each API is the highest that both this build's
// schema and the broker (its ApiVersions answer, asked at connect) support.
//
//   auto c = kafka_client::connect("127.0.0.1:9092");
//   auto r = c->call<protocol::list_groups_response>(protocol::list_groups_request{});
//
// Not for the broker's hot paths: it blocks, and it reads each response whole. Commands
// that talk to several brokers (leaders, coordinators) use kafka_cluster over it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "base/result.h"
#include "protocol/wire_writer.h"

namespace brook::app {

enum class client_errc {
  bad_address = 1,        // not HOST:PORT
  resolve_failed,         // the host name does not resolve
  connection_closed,      // the broker closed the connection mid-request
  timed_out,              // no answer within the request timeout
  unsupported_api,        // the broker and this build share no version of an API
  malformed_response,     // a response that does not decode, or answers another request
  response_too_large,     // a response frame above the client's limit
  sasl_unsupported,       // the broker does not offer the SASL mechanism asked for
  authentication_failed,  // the broker refused the SASL credentials
};
const std::error_category& client_category();
std::error_code make_error_code(client_errc e);

}  // namespace brook::app

template <>
struct std::is_error_code_enum<brook::app::client_errc> : std::true_type {};

namespace brook::app {

// HOST:PORT, or [IPv6]:PORT; an error for anything else.
struct host_port {
  std::string host;
  uint16_t port = 0;
};
result<host_port> parse_host_port(std::string_view text);

class kafka_client {
 public:
  struct options {
    std::chrono::milliseconds timeout{10000};  // connect, and each request
    std::string client_id = "brook-cli";
    size_t max_response_bytes = size_t{256} << 20;
    // SASL after ApiVersions when set: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
    std::string sasl_mechanism;
    std::string sasl_username;
    std::string sasl_password;
  };

  // Connects to `address` (HOST:PORT) and asks the broker for its API versions.
  static result<kafka_client> connect(std::string_view address, const options& opts);
  static result<kafka_client> connect(std::string_view address) {
    return connect(address, options{});
  }

  kafka_client(kafka_client&& o) noexcept;
  kafka_client& operator=(kafka_client&& o) noexcept;
  kafka_client(const kafka_client&) = delete;
  kafka_client& operator=(const kafka_client&) = delete;
  ~kafka_client();

  const std::string& address() const { return _address; }

  // The highest version of `api_key` in [min, max] that the broker supports; -1 if none.
  int16_t version(int16_t api_key, int16_t min, int16_t max) const;
  template <typename Request>
  int16_t version_for() const {
    return version(Request::api_key, Request::min_version, Request::max_version);
  }

  // Sends `request` in `version` and decodes the answer as `Response`. Records in the
  // response (Fetch) point into the client's buffer, valid until the next call.
  template <typename Response, typename Request>
  result<Response> call(const Request& request, int16_t version) {
    static_assert(Request::api_key == Response::api_key);
    protocol::wire_writer body;
    request.encode(body, version);
    auto frame = round_trip(Request::api_key, version, body.buffer());
    if (!frame) {
      return frame.error();
    }
    auto decoded = Response::decode(*frame, version);
    if (!decoded) {
      return client_errc::malformed_response;
    }
    return decoded;
  }

  // As above, in the highest version both sides support.
  template <typename Response, typename Request>
  result<Response> call(const Request& request) {
    int16_t v = version_for<Request>();
    if (v < 0) {
      return client_errc::unsupported_api;
    }
    return call<Response>(request, v);
  }

 private:
  kafka_client(int fd, std::string address, const options& opts);

  // Sends one request frame and returns the response body (after the response header), a
  // view of _response.
  result<std::span<const std::byte>> round_trip(int16_t api_key, int16_t version,
                                                std::span<const std::byte> body);
  status exchange_api_versions();
  // SaslHandshake v1 and SaslAuthenticate with the options' mechanism and credentials.
  status authenticate();
  status send_all(std::span<const std::byte> bytes);
  status receive_exactly(std::span<std::byte> out);

  int _fd = -1;
  std::string _address;
  options _options;
  int32_t _next_correlation_id = 1;
  std::map<int16_t, std::pair<int16_t, int16_t>> _broker_versions;  // key -> (min, max)
  std::vector<std::byte> _response;                                 // the last response frame
};

}  // namespace brook::app
