// sasl_server: the server side of one SASL exchange (RFC 4422), whatever the mechanism.
// The transport (Kafka's SaslAuthenticate, an HTTP header) hands it each client message
// and sends back what it answers, until it succeeds or fails. A failure says why for the
// log and the audit topic (never a secret) and gives the client only a generic message,
// so a client cannot tell a wrong user from a wrong password.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "security/principal.h"

namespace brook::security {

struct sasl_step {
  enum class state { challenge, success, failure };
  state outcome = state::failure;
  std::string response;  // to send to the client (a challenge, or the final server message)
  std::string reason;    // on failure: why, for the log and the audit
};

class sasl_server {
 public:
  using done_fn = std::function<void(sasl_step)>;

  virtual ~sasl_server() = default;
  virtual std::string_view mechanism() const = 0;
  // Handles the client's next message. `done` runs once, on the caller's thread or later
  // on another (a mechanism that waits for a key server); the server must outlive it.
  virtual void step(std::string_view client_message, done_fn done) = 0;
  // Known after success: who authenticated.
  const principal& authenticated() const { return _principal; }
  // The user name the client gave, as far as it got (for the audit); empty if none yet.
  const std::string& attempted_user() const { return _attempted_user; }
  // When the credential itself stops being valid (a token's expiry), if it does.
  std::optional<std::chrono::system_clock::time_point> credential_expiry() const { return _expiry; }
  // Known after success: whether the login stands only while the user's credentials in the
  // user directory are unchanged (a password; a token of Brook's own issuer).
  bool bound_to_credentials() const { return _bound; }

 protected:
  principal _principal;
  bool _bound = false;
  std::string _attempted_user;
  std::optional<std::chrono::system_clock::time_point> _expiry;
};

}  // namespace brook::security
