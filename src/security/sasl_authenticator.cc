#include "security/sasl_authenticator.h"

#include <algorithm>

#include "security/oauthbearer_server.h"
#include "security/plain_server.h"
#include "security/scram_server.h"

namespace brook::security {

const std::vector<std::string>& known_sasl_mechanisms() {
  static const std::vector<std::string> all = {"SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN",
                                               "OAUTHBEARER"};
  return all;
}

sasl_authenticator::sasl_authenticator(const credential_source& users,
                                       std::vector<std::string> enabled,
                                       const jwt_validator* tokens)
    : _users(users), _enabled(std::move(enabled)), _tokens(tokens) {
  if (_tokens == nullptr) {
    std::erase(_enabled, "OAUTHBEARER");
  }
}

bool sasl_authenticator::enabled(std::string_view mechanism) const {
  return std::find(_enabled.begin(), _enabled.end(), mechanism) != _enabled.end();
}

std::unique_ptr<sasl_server> sasl_authenticator::start(std::string_view mechanism) const {
  if (!enabled(mechanism)) {
    return nullptr;
  }
  if (auto scram = scram_mechanism_named(mechanism)) {
    return std::make_unique<scram_server>(*scram, _users);
  }
  if (mechanism == "PLAIN") {
    return std::make_unique<plain_server>(_users);
  }
  if (mechanism == "OAUTHBEARER" && _tokens != nullptr) {
    return std::make_unique<oauthbearer_server>(*_tokens);
  }
  return nullptr;
}

}  // namespace brook::security
