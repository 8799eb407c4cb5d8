// http_authentication: who an HTTP request acts for (http.authentication). Without it every
// request is User:ANONYMOUS and the Authorization header is not looked at (a client that
// signs its requests for another service keeps working). With it every request, except
// those of open routes (health probes, the API document), must carry HTTP Basic
// credentials (RFC 7617) of a user of credentials.db, the same users that log in on the
// Kafka port with SASL, and the request acts as User:<name>; or, when an OpenID Connect
// issuer is configured, `Authorization: Bearer <JWT>` (RFC 6750) checked by the same
// jwt_validator as SASL OAUTHBEARER, acting as the token's principal. A request without
// them, or with wrong ones, is answered 401 with WWW-Authenticate and Confluent's code 40101.
// A request without an Authorization header may instead name a console session in the
// cookie brook_session (POST /v1/session opens one: security/session_store.h); a request
// through a session that changes something (any method but GET, HEAD and OPTIONS) must also
// carry the session's CSRF token in X-CSRF-Token, or it is refused 403.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "security/jwt_validator.h"
#include "security/login_guard.h"
#include "security/oidc_login.h"
#include "security/password_authenticator.h"
#include "security/principal.h"
#include "security/session_store.h"

namespace brook::http {

// The cookie that carries a console session's identifier.
inline constexpr std::string_view session_cookie = "brook_session";
// The header that carries its CSRF token.
inline constexpr std::string_view csrf_header = "X-CSRF-Token";
// A request with this header (the console's) is answered 401 without a Basic challenge, so
// that a browser does not raise its own login dialog over the console's.
inline constexpr std::string_view console_header = "X-Brook-Console";

// The value of cookie `name` in a Cookie header ("a=1; brook_session=x"), or nullopt.
std::optional<std::string_view> cookie_value(std::string_view cookie_header, std::string_view name);

class http_authentication {
 public:
  // No login: everyone is User:ANONYMOUS.
  http_authentication() = default;
  // Logins required, checked by `passwords` and, when given, bearer tokens by `tokens`;
  // limited and audited by `guard` when given (all three outlive this object).
  // Console sessions are kept in `sessions` when given, and open through single sign-on
  // with `sso` when given (both outlive this object too).
  explicit http_authentication(security::password_authenticator& passwords,
                               const security::jwt_validator* tokens = nullptr,
                               security::login_guard* guard = nullptr,
                               security::session_store* sessions = nullptr,
                               security::oidc_login* sso = nullptr)
      : _passwords(&passwords), _tokens(tokens), _guard(guard), _sessions(sessions), _sso(sso) {}

  bool required() const { return _passwords != nullptr; }
  bool takes_tokens() const { return _tokens != nullptr; }

  struct verdict {
    std::optional<security::principal> who;  // nullopt: refused
    std::string problem;                     // why, for the 401 answer (no secret in it)
    std::string attempted_user;              // the user name tried, if any (for the log)
    std::string mechanism;                   // "basic", "bearer" or "" (nothing sent)
    bool bad_token = false;                  // a bearer token was refused (RFC 6750's
                                             // error="invalid_token")
    bool limited = false;                    // refused unchecked: too many failed logins (429)
    int64_t retry_after_s = 0;               // when limited: the limit's window
    bool forbidden = false;                  // a session's call without its CSRF token (403)
  };
  // The principal of a request with this Authorization header ("" when it has none). A
  // bearer token may wait for the issuer's keys: the caller's coroutine resumes on its
  // own executor. `from` says where the request came from, for the failed-login limits and
  // the audit; a success is audited unless its principal is `known` (the connection's
  // previous request logged in as it).
  // (No default arguments: GCC 12 mishandles the temporaries they make in a co_await
  // expression. Callers name each argument before the co_await.)
  boost::asio::awaitable<verdict> authenticate(std::string authorization,
                                               security::login_attempt from,
                                               std::string known) const;

  // The console session a request's Cookie header names, when it names one and the request
  // has no Authorization header (which then decides alone): its principal, or why it is
  // refused (the session ended: 401; `changes_state` without the session's CSRF token in
  // `csrf`: 403). nullopt: no session cookie, or sessions are not kept.
  std::optional<verdict> from_session(std::string_view cookie_header, bool changes_state,
                                      std::string_view csrf) const;
  // Where console sessions are kept (null: logins not required, or no sessions).
  security::session_store* sessions() const { return _sessions; }
  // The console's single sign-on (null: none), and where logins are counted and audited
  // (null: nowhere).
  security::oidc_login* sso() const { return _sso; }
  security::login_guard* guard() const { return _guard; }

  // The WWW-Authenticate headers of a 401 answer that refused `v`: Basic, and Bearer when
  // tokens are taken (with error="invalid_token" when one was refused).
  std::vector<std::string> challenges(const verdict& v) const;

 private:
  // The check itself, before the guard counts its outcome.
  boost::asio::awaitable<verdict> check(std::string_view authorization) const;
  verdict check_basic(std::string_view credentials) const;

  security::password_authenticator* _passwords = nullptr;
  const security::jwt_validator* _tokens = nullptr;
  security::login_guard* _guard = nullptr;
  security::session_store* _sessions = nullptr;
  security::oidc_login* _sso = nullptr;
};

}  // namespace brook::http
