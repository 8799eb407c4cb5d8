// json_web_token: a JWT in JWS compact form (RFC 7519, RFC 7515) taken apart: the header's
// "alg", "kid" and "typ", the claims Brook checks, and the signed text and signature. Only
// decoding: whether the signature and the claims are good is jwt_validator's question.
// Hostile input gets a short reason, never an exception or a crash (fuzzed by fuzz_jwt).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"

namespace brook::security {

struct json_web_token {
  std::string alg;
  std::string kid;
  std::string signed_text;  // base64url(header) "." base64url(claims)
  std::string signature;    // decoded
  // Registered claims (RFC 7519 section 4.1) as far as they are present.
  std::string iss;
  std::vector<std::string> aud;  // a single string is a list of one
  std::optional<int64_t> exp;    // seconds since the epoch (fractions dropped)
  std::optional<int64_t> nbf;
  std::optional<int64_t> iat;
  // Every top-level claim whose value is a string, by name ("sub", "preferred_username").
  std::map<std::string, std::string, std::less<>> strings;
};

// The largest token taken (Keycloak's tokens with many roles are a few KiB).
inline constexpr size_t max_json_web_token_bytes = 64 * 1024;

// `text` taken apart, or why it is not a JWS compact JWT ("the header is not JSON", "exp
// is not a number", "it is encrypted (JWE)").
expected<json_web_token, std::string> parse_json_web_token(std::string_view text);

}  // namespace brook::security
