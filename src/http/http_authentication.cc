#include "http/http_authentication.h"

#include <cctype>

#include "base/base64.h"

namespace brook::http {

namespace {

bool same_scheme(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

http_authentication::verdict http_authentication::authenticate(
    std::string_view authorization) const {
  if (!required()) {
    return {security::principal::anonymous(), {}, {}};
  }
  if (authorization.empty()) {
    return {std::nullopt,
            "Authentication required: send the credentials of a Brook user with HTTP Basic "
            "(curl -u user:password)",
            {}};
  }
  const size_t space = authorization.find(' ');
  const std::string_view scheme = authorization.substr(0, space);
  std::string_view token =
      space == std::string_view::npos ? std::string_view() : authorization.substr(space + 1);
  while (!token.empty() && token.front() == ' ') {
    token.remove_prefix(1);
  }
  while (!token.empty() && token.back() == ' ') {
    token.remove_suffix(1);
  }
  if (same_scheme(scheme, "Bearer")) {
    return {std::nullopt,
            "Bearer tokens are not accepted by this server: use HTTP Basic with the "
            "credentials of a Brook user",
            {}};
  }
  if (!same_scheme(scheme, "Basic")) {
    // The scheme is not echoed: a client that sends a bare secret makes it the "scheme".
    return {std::nullopt, "Unsupported authentication scheme: use HTTP Basic", {}};
  }
  auto decoded = base64_decode(token);
  const size_t colon = decoded ? decoded->find(':') : std::string::npos;
  if (!decoded || colon == std::string::npos) {
    return {std::nullopt, "Malformed HTTP Basic credentials: expected base64 of user:password", {}};
  }
  const std::string_view user = std::string_view(*decoded).substr(0, colon);
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);
  auto who = _passwords->login(user, password);
  if (!who) {
    return {std::nullopt, "Invalid user name or password", std::string(user.substr(0, 256))};
  }
  return {std::move(who), {}, std::string(user)};
}

}  // namespace brook::http
