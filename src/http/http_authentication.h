// http_authentication: who an HTTP request acts for (http.authentication). Without it every
// request is User:ANONYMOUS and the Authorization header is not looked at (a client that
// signs its requests for another service keeps working). With it every request, except
// those of open routes (health probes, the API document), must carry HTTP Basic
// credentials (RFC 7617) of a user of credentials.db, the same users that log in on the
// Kafka port with SASL; the request then acts as User:<name>. A request without them, or
// with wrong ones, is answered 401 with WWW-Authenticate and Confluent's code 40101.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "security/password_authenticator.h"
#include "security/principal.h"

namespace brook::http {

class http_authentication {
 public:
  // No login: everyone is User:ANONYMOUS.
  http_authentication() = default;
  // Logins required, checked by `passwords` (which outlives this object).
  explicit http_authentication(security::password_authenticator& passwords)
      : _passwords(&passwords) {}

  bool required() const { return _passwords != nullptr; }

  struct verdict {
    std::optional<security::principal> who;  // nullopt: refused
    std::string problem;                     // why, for the 401 answer (no secret in it)
    std::string attempted_user;              // the user name tried, if any (for the log)
  };
  // The principal of a request with this Authorization header ("" when it has none).
  verdict authenticate(std::string_view authorization) const;

  // The WWW-Authenticate header of a 401 answer.
  static constexpr std::string_view challenge = R"(Basic realm="brook", charset="UTF-8")";

 private:
  security::password_authenticator* _passwords = nullptr;
};

}  // namespace brook::http
