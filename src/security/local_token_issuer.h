// local_token_issuer: Brook's own bearer tokens, for the logins Brook checks itself (an
// agent's key login, doc/registry.md): short-lived JWTs signed ES256 with a P-256 key kept
// in the data directory (token-signing-key.pem, readable by the owner only, made at the
// first start), taken by the same jwt_validator as an OpenID Connect issuer's tokens (SASL
// OAUTHBEARER, HTTP Bearer) through trusted(). A token is bound to its user's credentials
// as they were when it was issued ("brook_cred", an HMAC of them under a key derived from
// the signing key): once they change (a
// new password, the user removed) the token is refused, and a Kafka session it opened
// ends, as a password login's does.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.h"
#include "security/credential_source.h"
#include "security/jwt_validator.h"

typedef struct evp_pkey_st EVP_PKEY;  // NOLINT(modernize-use-using): OpenSSL's own name

namespace brook::security {

class local_token_issuer {
 public:
  struct options {
    std::string issuer = "urn:brook:local";  // "iss"
    std::string audience = "brook";          // "aud"
    std::chrono::seconds lifetime{900};
    std::function<std::chrono::system_clock::time_point()> now = [] {
      return std::chrono::system_clock::now();
    };
  };
  static constexpr const char* key_file = "token-signing-key.pem";

  // The key of <data_dir>/token-signing-key.pem, made when there is none; `users` (whose
  // credentials tokens are bound to) outlives the issuer.
  static expected<std::unique_ptr<local_token_issuer>, std::string> open(
      const std::filesystem::path& data_dir, const credential_source& users, options opts);
  ~local_token_issuer();
  local_token_issuer(const local_token_issuer&) = delete;
  local_token_issuer& operator=(const local_token_issuer&) = delete;

  struct token {
    std::string text;
    std::chrono::system_clock::time_point expires_at;
  };
  // A token naming `user` ("sub"), or why none (the user has no credentials).
  expected<token, std::string> issue(std::string_view user) const;
  // What a jwt_validator needs to take these tokens.
  trusted_issuer trusted();
  const options& settings() const { return _opts; }

 private:
  local_token_issuer(EVP_PKEY* key, const credential_source& users, options opts);
  // The digest of the user's credentials now, or nullopt when it has none.
  std::optional<std::string> credentials_digest(std::string_view user) const;
  // "" when `token` is bound to its user's credentials as they are now, else why not.
  std::string binding(const json_web_token& token) const;

  EVP_PKEY* _key;
  const credential_source& _users;
  options _opts;
  std::string _kid;
  std::string _binding_key;  // brook_cred's HMAC key
  std::unique_ptr<key_source> _keys;
};

}  // namespace brook::security
