// listener_config: one Kafka listener: its name, its security protocol (Kafka's four), the
// address it binds and the one it tells clients. Written as Kafka writes listeners:
//   kafka.listeners = ["PLAINTEXT://127.0.0.1:9092", "SASL_PLAINTEXT://0.0.0.0:9093"]
//   kafka.advertised_listeners = ["SASL_PLAINTEXT://broker.example.com:9093"]
// A listener's name is its protocol, or any name that kafka.listener_security_protocol_map
// maps to one ("INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL"). Hosts are IP addresses; an IPv6
// address is written in brackets ("PLAINTEXT://[::1]:9092").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"

namespace brook::broker {

enum class security_protocol { plaintext, ssl, sasl_plaintext, sasl_ssl };

std::string_view security_protocol_name(security_protocol p);
std::optional<security_protocol> security_protocol_named(std::string_view name);
inline bool uses_sasl(security_protocol p) {
  return p == security_protocol::sasl_plaintext || p == security_protocol::sasl_ssl;
}
inline bool uses_tls(security_protocol p) {
  return p == security_protocol::ssl || p == security_protocol::sasl_ssl;
}

struct listener_config {
  std::string name = "PLAINTEXT";
  security_protocol protocol = security_protocol::plaintext;
  std::string host = "127.0.0.1";
  uint16_t port = 9092;          // 0: any free port
  std::string advertised_host;   // empty: the configured kafka.advertised_host, else host
  uint16_t advertised_port = 0;  // 0: kafka.advertised_port, else the bound port
};

// "NAME://host:port", as Kafka writes an endpoint.
struct listener_endpoint {
  std::string name;
  std::string host;
  uint16_t port = 0;
};
// Parses one endpoint; the error says what is wrong with it.
expected<listener_endpoint, std::string> parse_listener_endpoint(std::string_view text);

// The listeners of kafka.listeners (comma-separated endpoints), their protocols from
// `protocol_map` ("NAME:PROTOCOL,...") or their names, their advertised addresses from
// kafka.advertised_listeners (by name). Refused: a bad endpoint, a name without a
// protocol, the same name or port twice, an advertised name that is not a listener.
expected<std::vector<listener_config>, std::string> parse_listeners(std::string_view listeners,
                                                                    std::string_view protocol_map,
                                                                    std::string_view advertised);

}  // namespace brook::broker
