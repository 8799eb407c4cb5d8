// oidc_login: the web console's single sign-on with the OpenID Connect provider of [oidc]:
// the authorization code flow with PKCE (RFC 6749 section 4.1, RFC 7636 S256), as a
// confidential client when oidc.console_client_secret is set, else a public one. begin()
// makes the state, the nonce and the code verifier, keeps them (in memory, at most
// max_pending, each usable once for 10 minutes) and answers the provider's authorization
// URL (past max_pending the oldest login under way gives way); finish() takes the
// callback's code and state back, exchanges the code at the token
// endpoint, and checks the ID token with a jwt_validator of its own (the issuer's keys;
// "aud" the client id; "nonce" the one sent): the principal is User:<principal claim>, as
// for a bearer token. The endpoints come from the issuer's discovery document, read on the
// first login. begin() and finish() block on HTTP: callers run them off the I/O threads.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "base/expected.h"
#include "net/http_fetch.h"
#include "security/jwt_validator.h"

namespace brook::security {

struct oidc_login_settings {
  std::string issuer;
  std::string client_id;      // empty: no single sign-on
  std::string client_secret;  // empty: a public client (PKCE alone)
  std::string scopes = "openid profile";
  std::string principal_claim = "sub";
  std::chrono::seconds clock_skew{30};
  net::fetch_options fetch;
  std::chrono::milliseconds pending_lifetime{600'000};
  size_t max_pending = 10'000;
};

class oidc_login {
 public:
  using clock = std::chrono::steady_clock;
  // `keys`: the issuer's keys (the oidc_keys SASL OAUTHBEARER uses); outlives this.
  oidc_login(oidc_login_settings settings, key_source& keys);

  struct started {
    std::string authorization_url;  // where to send the browser
    std::string state;              // to bind to the browser (a cookie) and expect back
  };
  // A new login that will come back to `redirect_uri`; or why not (the provider's
  // discovery document cannot be read, too many logins under way).
  expected<started, std::string> begin(const std::string& redirect_uri,
                                       clock::time_point now = clock::now());

  // The callback's `code` and `state`: the principal, or why not. `done` runs once, on this
  // thread or on the key fetcher's.
  using finished_fn = std::function<void(expected<principal, std::string>)>;
  void finish(const std::string& state, const std::string& code, finished_fn done,
              clock::time_point now = clock::now());

  const oidc_login_settings& settings() const { return _settings; }

 private:
  struct pending {
    std::string verifier;
    std::string nonce;
    std::string redirect_uri;
    clock::time_point started;
  };
  // The endpoints, from discovery (once).
  expected<std::pair<std::string, std::string>, std::string> endpoints();

  const oidc_login_settings _settings;
  key_source& _keys;
  std::mutex _mutex;
  std::map<std::string, pending> _pending;  // by state
  std::string _authorization_endpoint;
  std::string _token_endpoint;
};

}  // namespace brook::security
