// http_authentication: who an HTTP request acts for (http.authentication). Without it every
// request is User:ANONYMOUS and the Authorization header is not looked at (a client that
// signs its requests for another service keeps working). With it every request, except
// those of open routes (health probes, the API document), must carry HTTP Basic
// credentials (RFC 7617) of a user of credentials.db, the same users that log in on the
// Kafka port with SASL, and the request acts as User:<name>; or, when an OpenID Connect
// issuer is configured, `Authorization: Bearer <JWT>` (RFC 6750) checked by the same
// jwt_validator as SASL OAUTHBEARER, acting as the token's principal. A request without
// them, or with wrong ones, is answered 401 with WWW-Authenticate and Confluent's code 40101.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "security/jwt_validator.h"
#include "security/password_authenticator.h"
#include "security/principal.h"

namespace brook::http {

class http_authentication {
 public:
  // No login: everyone is User:ANONYMOUS.
  http_authentication() = default;
  // Logins required, checked by `passwords` and, when given, bearer tokens by `tokens`
  // (both outlive this object).
  explicit http_authentication(security::password_authenticator& passwords,
                               const security::jwt_validator* tokens = nullptr)
      : _passwords(&passwords), _tokens(tokens) {}

  bool required() const { return _passwords != nullptr; }
  bool takes_tokens() const { return _tokens != nullptr; }

  struct verdict {
    std::optional<security::principal> who;  // nullopt: refused
    std::string problem;                     // why, for the 401 answer (no secret in it)
    std::string attempted_user;              // the user name tried, if any (for the log)
    std::string mechanism;                   // "basic", "bearer" or "" (nothing sent)
    bool bad_token = false;                  // a bearer token was refused (RFC 6750's
                                             // error="invalid_token")
  };
  // The principal of a request with this Authorization header ("" when it has none). A
  // bearer token may wait for the issuer's keys: the caller's coroutine resumes on its
  // own executor.
  boost::asio::awaitable<verdict> authenticate(std::string authorization) const;

  // The WWW-Authenticate headers of a 401 answer that refused `v`: Basic, and Bearer when
  // tokens are taken (with error="invalid_token" when one was refused).
  std::vector<std::string> challenges(const verdict& v) const;

 private:
  // Everything but the wait for a token's verdict.
  verdict check_basic(std::string_view credentials) const;

  security::password_authenticator* _passwords = nullptr;
  const security::jwt_validator* _tokens = nullptr;
};

}  // namespace brook::http
