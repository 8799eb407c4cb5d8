// sasl_session: the authentication state of one Kafka connection. On a SASL listener
// (SASL_PLAINTEXT, SASL_SSL) a connection starts unauthenticated and may send only
// ApiVersions, SaslHandshake and SaslAuthenticate; anything else closes it, as Kafka does.
//   unauthenticated --SaslHandshake--> handshaken --SaslAuthenticate...--> authenticated
//                                                  (or failed: nothing more is served)
// After SaslHandshake v0 the client sends the SASL tokens as raw size-prefixed frames
// (kafka-python does); after v1, in SaslAuthenticate requests. With a session lifetime
// (security.connections_max_reauth_ms or a token's expiry; KIP-368) the client must
// authenticate again on the same connection before it ends, as the same principal and with
// the same mechanism; a request after the end closes the connection. A password login also
// ends when its user's password changes or the user is removed: as after a session's end,
// only a re-authentication (SaslHandshake) is taken, and any other request closes the
// connection (the client logs in again, with the new password).
//
// Owned by the connection and touched only on its thread; the connection reads no
// further request while an exchange is under way.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "security/principal.h"
#include "security/sasl_server.h"

namespace brook::broker {

struct sasl_session {
  enum class stage { unauthenticated, handshaken, authenticated, failed };
  using clock = std::chrono::steady_clock;

  bool required = false;  // a SASL listener
  stage at = stage::unauthenticated;
  int16_t handshake_version = 1;
  std::string mechanism;                            // of the last handshake
  std::unique_ptr<security::sasl_server> exchange;  // while handshaken
  bool reauthenticating = false;                    // handshaken again after authenticating
  security::principal principal;                    // once authenticated
  std::string authenticated_mechanism;
  std::optional<clock::time_point> expires_at;  // the session's end (KIP-368), if it has one
  // A password login (SCRAM, PLAIN; or a token of Brook's own issuer, bound to the
  // password) ends when its user's credentials change (a new password, the user removed):
  // the user directory's generation() when the exchange began, moved on each time a
  // request finds the user's credentials unchanged since.
  bool password_login = false;
  uint64_t credentials_seen = 0;

  // Whether the next frame is a raw SASL token rather than a Kafka request.
  bool raw_token_next() const { return at == stage::handshaken && handshake_version == 0; }
  // Whether requests other than the SASL ones are served now: not before authentication,
  // not during a re-authentication, not after a failed one, not after the session's end.
  bool serves_requests(clock::time_point now) const {
    if (!required) {
      return true;
    }
    return at == stage::authenticated && !expired(now);
  }
  // An authenticated session past its end (KIP-368): only a re-authentication
  // (SaslHandshake) may follow; anything else closes the connection, as on Kafka.
  bool expired(clock::time_point now) const {
    return at == stage::authenticated && expires_at && now >= *expires_at;
  }
};

}  // namespace brook::broker
