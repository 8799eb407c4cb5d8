// token_issuer: an OpenID Connect issuer's keys for unit tests: an RSA 2048 or EC P-256 key
// pair made at construction, its public half as a JWK Set, and JWTs signed with it (or
// with whatever header a test wants to try). keys() serves the set to a jwt_validator
// without any fetch.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "security/jwt_validator.h"

typedef struct evp_pkey_st EVP_PKEY;  // NOLINT(modernize-use-using): OpenSSL's own name

namespace brook::test {

class token_issuer {
 public:
  enum class key_type { rsa, ec };
  explicit token_issuer(std::string issuer, key_type type = key_type::rsa,
                        std::string kid = "key-1");
  ~token_issuer();
  token_issuer(const token_issuer&) = delete;
  token_issuer& operator=(const token_issuer&) = delete;

  // Claims by name, each value a JSON text ("\"alice\"", "1700000000").
  using claim_map = std::map<std::string, std::string>;
  // sub and aud as given, exp an hour from now.
  static claim_map claims(std::string_view sub, std::string_view aud);

  // A signed JWT of `claims` (iss added when absent), its header {"alg", "kid", "typ"}.
  std::string token(const claim_map& claims) const;
  // Header and claims as given, signed with this key's algorithm (RS256 or ES256).
  std::string sign(std::string_view header_json, std::string_view claims_json) const;
  const std::string& alg() const { return _alg; }
  const std::string& kid() const { return _kid; }
  // The public key as a JWK Set document.
  std::string jwks() const;
  security::key_source& keys() { return *_keys; }

 private:
  std::string _issuer;
  std::string _alg;
  std::string _kid;
  EVP_PKEY* _key = nullptr;
  std::unique_ptr<security::key_source> _keys;
};

}  // namespace brook::test
