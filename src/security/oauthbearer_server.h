// oauthbearer_server: the server side of SASL OAUTHBEARER (RFC 7628) as Kafka clients speak
// it (KIP-255): one client message "n,[a=authzid]," ^A "auth=Bearer <token>" ^A
// [key=value ^A ...] ^A, the token checked by the jwt_validator (which may wait for the
// issuer's keys). Kafka's SASL extensions (the other key=value pairs) are accepted and
// ignored. An authzid other than the token's principal is refused, as Kafka does. A refused
// token fails the exchange at once with SASL_AUTHENTICATION_FAILED (what every Kafka
// client reports), rather than with RFC 7628's error challenge that only some clients
// follow; the reason goes to the log and the audit topic, not to the client.
#pragma once

#include "security/jwt_validator.h"
#include "security/sasl_server.h"

namespace brook::security {

class oauthbearer_server final : public sasl_server {
 public:
  explicit oauthbearer_server(const jwt_validator& tokens) : _tokens(tokens) {}

  std::string_view mechanism() const override { return "OAUTHBEARER"; }
  void step(std::string_view client_message, done_fn done) override;

 private:
  const jwt_validator& _tokens;
  bool _done = false;
};

// The parts of an OAUTHBEARER client message.
struct oauthbearer_message {
  std::string authzid;
  std::string token;
};
// nullopt with `problem` set when it is not an OAUTHBEARER client message.
std::optional<oauthbearer_message> parse_oauthbearer_message(std::string_view message,
                                                             std::string& problem);

}  // namespace brook::security
