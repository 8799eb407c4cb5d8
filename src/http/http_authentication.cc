#include "http/http_authentication.h"

#include <cctype>

#include "base/base64.h"
#include "base/text.h"
#include "http/await.h"
#include "security/crypto.h"

namespace brook::http {

namespace {

// An Authorization header's scheme and credentials (trimmed).
struct authorization_parts {
  std::string_view scheme;
  std::string_view credentials;
};
authorization_parts split_authorization(std::string_view header) {
  const size_t space = header.find(' ');
  if (space == std::string_view::npos) {
    return {header, {}};
  }
  return {header.substr(0, space), trim(header.substr(space + 1))};
}

// Text safe inside a quoted-string of a header: printable ASCII without '"' or '\'.
std::string quotable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 200)) {
    out.push_back(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
  }
  return out;
}

// The user name of Basic credentials, without checking them ("" for anything else).
std::string basic_user(std::string_view authorization) {
  const auto [scheme, credentials] = split_authorization(authorization);
  if (!iequals(scheme, "Basic")) {
    return {};
  }
  auto decoded = base64_decode(credentials);
  const size_t colon = decoded ? decoded->find(':') : std::string::npos;
  return colon == std::string::npos ? std::string()
                                    : decoded->substr(0, std::min<size_t>(colon, 256));
}

}  // namespace

std::optional<std::string_view> cookie_value(std::string_view cookie_header,
                                             std::string_view name) {
  while (!cookie_header.empty()) {
    const size_t end = cookie_header.find(';');
    std::string_view pair = trim(cookie_header.substr(0, end));
    cookie_header =
        end == std::string_view::npos ? std::string_view() : cookie_header.substr(end + 1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name) {
      std::string_view value = trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
  }
  return std::nullopt;
}

std::optional<http_authentication::verdict> http_authentication::from_session(
    std::string_view cookie_header, bool changes_state, std::string_view csrf) const {
  if (_sessions == nullptr) {
    return std::nullopt;
  }
  auto id = cookie_value(cookie_header, session_cookie);
  if (!id) {
    return std::nullopt;
  }
  auto found = _sessions->find(*id);
  verdict v;
  v.mechanism = "session";
  if (!found) {
    v.problem =
        "Your console session has ended (logged out, idle too long, or the server "
        "restarted): log in again";
    return v;
  }
  if (changes_state && !security::equal_constant_time(csrf, found->csrf)) {
    v.problem = csrf.empty() ? "This call changes something: send the session's CSRF token "
                               "(from POST or GET /v1/session) in the X-CSRF-Token header"
                             : "The X-CSRF-Token header is not this session's CSRF token";
    v.forbidden = true;
    v.attempted_user = found->who.name;
    return v;
  }
  v.attempted_user = found->who.name;
  v.who = std::move(found->who);
  return v;
}

boost::asio::awaitable<http_authentication::verdict> http_authentication::authenticate(
    std::string authorization, security::login_attempt from, std::string known) const {
  if (!required()) {
    co_return verdict{security::principal::anonymous(), {}, {}, {}, false, false};
  }
  if (_guard != nullptr && !authorization.empty()) {
    // Over a failed-login limit: refused before any password or token is checked.
    std::string user = basic_user(authorization);
    if (auto why = _guard->admit(from, user)) {
      co_return verdict{std::nullopt,
                        "Too many failed logins: " + *why + "; try again later",
                        std::move(user),
                        {},
                        false,
                        true,
                        _guard->retry_after().count()};
    }
  }
  verdict v = co_await check(authorization);
  if (_guard != nullptr && !v.mechanism.empty()) {
    from.mechanism = v.mechanism;
    if (!v.who) {
      _guard->failed(from, v.attempted_user, v.problem);
    } else if (v.who->to_string() != known) {
      _guard->succeeded(from, *v.who);
    }
  }
  co_return v;
}

boost::asio::awaitable<http_authentication::verdict> http_authentication::check(
    std::string_view authorization) const {
  if (authorization.empty()) {
    co_return verdict{std::nullopt,
                      takes_tokens()
                          ? "Authentication required: send the credentials of a Brook user "
                            "with HTTP Basic (curl -u user:password) or a bearer token "
                            "(Authorization: Bearer <token>: the OpenID Connect issuer's, or "
                            "an agent's from its key login)"
                          : "Authentication required: send the credentials of a Brook user "
                            "with HTTP Basic (curl -u user:password)",
                      {},
                      {},
                      false};
  }
  // (Plain variables, not structured bindings: this is a coroutine, and GCC 12.)
  const authorization_parts parts = split_authorization(authorization);
  const std::string_view scheme = parts.scheme;
  const std::string_view credentials = parts.credentials;
  if (iequals(scheme, "Bearer")) {
    if (!takes_tokens()) {
      co_return verdict{std::nullopt,
                        "Bearer tokens are not accepted here: use HTTP Basic with the "
                        "credentials of a Brook user",
                        {},
                        "bearer",
                        false};
    }
    const std::string token(credentials);
    const security::jwt_validator* tokens = _tokens;
    auto check = [tokens, token](std::function<void(security::token_verdict)> done) {
      tokens->validate(token, std::move(done));
    };
    security::token_verdict checked = co_await await_callback<security::token_verdict>(check);
    if (!checked.who) {
      co_return verdict{std::nullopt, "Invalid bearer token: " + checked.reason, checked.claimed,
                        "bearer", true};
    }
    co_return verdict{std::move(checked.who), {}, checked.claimed, "bearer", false};
  }
  if (!iequals(scheme, "Basic")) {
    // The scheme is not echoed: a client that sends a bare secret makes it the "scheme".
    co_return verdict{std::nullopt,
                      takes_tokens() ? "Unsupported authentication scheme: use HTTP Basic or Bearer"
                                     : "Unsupported authentication scheme: use HTTP Basic",
                      {},
                      {},
                      false};
  }
  co_return check_basic(credentials);
}

http_authentication::verdict http_authentication::check_basic(std::string_view credentials) const {
  auto decoded = base64_decode(credentials);
  const size_t colon = decoded ? decoded->find(':') : std::string::npos;
  if (!decoded || colon == std::string::npos) {
    return {std::nullopt,
            "Malformed HTTP Basic credentials: expected base64 of user:password",
            {},
            "basic",
            false};
  }
  const std::string_view user = std::string_view(*decoded).substr(0, colon);
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);
  auto who = _passwords->login(user, password);
  if (!who) {
    return {std::nullopt, "Invalid user name or password", std::string(user.substr(0, 256)),
            "basic", false};
  }
  return {std::move(who), {}, std::string(user), "basic", false};
}

std::vector<std::string> http_authentication::challenges(const verdict& v) const {
  std::vector<std::string> out = {R"(Basic realm="brook", charset="UTF-8")"};
  if (takes_tokens()) {
    if (v.bad_token) {
      out.push_back(R"(Bearer realm="brook", error="invalid_token", error_description=")" +
                    quotable(v.problem) + "\"");
    } else {
      out.emplace_back(R"(Bearer realm="brook")");
    }
  }
  return out;
}

}  // namespace brook::http
