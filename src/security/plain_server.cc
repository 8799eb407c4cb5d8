#include "security/plain_server.h"

namespace brook::security {

bool password_matches(const credential_source& users, std::string_view user,
                      std::string_view password) {
  auto credential = users.find(user, scram_mechanism::sha512);
  if (!credential) {
    credential = users.find(user, scram_mechanism::sha256);
  }
  if (!credential) {
    // The same work as for a known user, so that timing does not tell them apart.
    (void)scram_password_matches(users.decoy(user, scram_mechanism::sha512), password);
    return false;
  }
  return scram_password_matches(*credential, password);
}

void plain_server::step(std::string_view client_message, done_fn done) {
  if (_done) {
    done(sasl_step{sasl_step::state::failure, {}, "a message after the exchange ended"});
    return;
  }
  _done = true;
  const size_t first = client_message.find('\0');
  const size_t second =
      first == std::string_view::npos ? first : client_message.find('\0', first + 1);
  if (second == std::string_view::npos ||
      client_message.find('\0', second + 1) != std::string_view::npos) {
    done(sasl_step{sasl_step::state::failure, {}, "malformed PLAIN message"});
    return;
  }
  const std::string_view authzid = client_message.substr(0, first);
  const std::string_view user = client_message.substr(first + 1, second - first - 1);
  const std::string_view password = client_message.substr(second + 1);
  _attempted_user = std::string(user);
  if (user.empty() || password.empty()) {
    done(sasl_step{sasl_step::state::failure, {}, "empty user name or password"});
    return;
  }
  if (!authzid.empty() && authzid != user) {
    done(sasl_step{
        sasl_step::state::failure, {}, "the authorization id differs from the user name"});
    return;
  }
  if (!password_matches(_users, user, password)) {
    done(sasl_step{sasl_step::state::failure, {}, "invalid credentials"});
    return;
  }
  _principal = principal{"User", std::string(user)};
  _bound = true;
  done(sasl_step{sasl_step::state::success, {}, {}});
}

}  // namespace brook::security
