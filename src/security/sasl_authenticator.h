// sasl_authenticator: starts the server side of a SASL exchange for a mechanism a client
// names, among those enabled (security.sasl_mechanisms). The one place that knows which
// mechanisms exist: the Kafka listeners (SaslHandshake) and HTTP both start theirs here.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "security/credential_source.h"
#include "security/jwt_validator.h"
#include "security/sasl_server.h"

namespace brook::security {

// Every mechanism Brook implements, in the order a handshake lists them.
const std::vector<std::string>& known_sasl_mechanisms();

class sasl_authenticator {
 public:
  // `users` (and `tokens`, when given) outlive the authenticator; `enabled` are names of
  // known mechanisms. OAUTHBEARER needs `tokens`: it is not offered without.
  sasl_authenticator(const credential_source& users, std::vector<std::string> enabled,
                     const jwt_validator* tokens = nullptr);

  const std::vector<std::string>& mechanisms() const { return _enabled; }
  bool enabled(std::string_view mechanism) const;
  // A fresh exchange of `mechanism`; null when it is not enabled.
  std::unique_ptr<sasl_server> start(std::string_view mechanism) const;
  const credential_source& users() const { return _users; }

 private:
  const credential_source& _users;
  std::vector<std::string> _enabled;
  const jwt_validator* _tokens;
};

}  // namespace brook::security
