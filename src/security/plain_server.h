// plain_server: the server side of SASL PLAIN (RFC 4616): one client message
// "[authzid] NUL authcid NUL passwd", checked against the user's SCRAM credential (either
// mechanism; the password is salted with the stored salt and compared with StoredKey). An
// authzid other than the user is refused, as Kafka does. Only for TLS listeners or
// loopback: the password crosses the wire as it is.
#pragma once

#include "security/credential_source.h"
#include "security/sasl_server.h"

namespace brook::security {

class plain_server final : public sasl_server {
 public:
  explicit plain_server(const credential_source& users) : _users(users) {}

  std::string_view mechanism() const override { return "PLAIN"; }
  void step(std::string_view client_message, done_fn done) override;

 private:
  const credential_source& _users;
  bool _done = false;
};

// The check PLAIN and HTTP Basic share: whether `password` is the user's (against the
// SHA-512 credential if there is one, else SHA-256; the decoy when there is none).
bool password_matches(const credential_source& users, std::string_view user,
                      std::string_view password);

}  // namespace brook::security
