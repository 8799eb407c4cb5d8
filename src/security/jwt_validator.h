// jwt_validator: whether a bearer token (a JWT from an OpenID Connect issuer) lets its
// holder in, and as whom. The one check behind SASL OAUTHBEARER on the Kafka port and
// `Authorization: Bearer` on HTTP: JWS compact form, an accepted algorithm (RS*, PS*, ES*;
// never "none" or HMAC) and a good signature by a key of the issuer's JWK Set (found by
// "kid"), "iss" equal to the issuer, "aud" naming one of the audiences (when any are set),
// "exp" in the future and "nbf" in the past (both with the clock skew allowed), and a
// non-empty principal claim ("sub", or "preferred_username" for Keycloak). The principal
// is User:<claim>. Several issuers may be trusted (the OpenID Connect provider and Brook's
// own, local_token_issuer): the token's "iss" picks whose keys and rules check it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/json_web_key.h"
#include "security/json_web_token.h"
#include "security/principal.h"

namespace brook::security {

struct jwt_rules {
  std::string issuer;
  std::vector<std::string> audiences;  // empty: "aud" is not checked
  std::string principal_claim = "sub";
  std::chrono::seconds clock_skew{30};
};

// Where the issuer's keys come from (oidc_keys; a fixed set in tests).
class key_source {
 public:
  // The key set, or null with why there is none. `kid` is the key the token names: a
  // source may fetch the set again when it does not hold it. `done` runs once, on the
  // caller's thread or later on another.
  using keys_fn =
      std::function<void(std::shared_ptr<const json_web_key_set> keys, std::string problem)>;
  virtual ~key_source() = default;
  virtual void keys_for(std::string_view kid, keys_fn done) = 0;
};

// An issuer whose tokens are taken.
struct trusted_issuer {
  jwt_rules rules;
  key_source* keys = nullptr;  // outlives the validator
  // When set, a last check of a token whose signature and claims are good: "" lets it in,
  // anything else is why not. Its logins are bound to the user's credentials
  // (token_verdict::bound).
  std::function<std::string(const json_web_token&)> binding;
};

struct token_verdict {
  std::optional<principal> who;  // nullopt: refused
  std::optional<std::chrono::system_clock::time_point> expiry;
  std::string reason;   // on refusal, why (never the token)
  std::string claimed;  // the principal claim as the token states it, for the audit (may be
                        // forged when refused)
  // The login stands only while the user's credentials are unchanged (a token of Brook's
  // own issuer): a Kafka session it opened ends when they change, as a password login's.
  bool bound = false;
};

class jwt_validator {
 public:
  using clock_fn = std::function<std::chrono::system_clock::time_point()>;
  // One issuer; `keys` outlives the validator.
  jwt_validator(
      jwt_rules rules, key_source& keys,
      clock_fn now = [] { return std::chrono::system_clock::now(); });
  // Several (at least one), told apart by "iss".
  explicit jwt_validator(
      std::vector<trusted_issuer> issuers,
      clock_fn now = [] { return std::chrono::system_clock::now(); });

  // Checks `token`; `done` runs once, on the caller's thread or later on another (when the
  // keys had to be fetched).
  void validate(std::string_view token_text, std::function<void(token_verdict)> done) const;
  // The checks once the keys of the token's issuer are at hand.
  token_verdict check(const json_web_token& token, const json_web_key_set& keys) const;

 private:
  // The issuer whose rules check `token`: the one its "iss" names (null: none).
  const trusted_issuer* issuer_of(const json_web_token& token) const;
  // Why a token of no trusted issuer is refused.
  std::string untrusted(const json_web_token& token) const;
  token_verdict check(const trusted_issuer& issuer, const json_web_token& token,
                      const json_web_key_set& keys) const;

  std::vector<trusted_issuer> _issuers;
  clock_fn _now;
};

}  // namespace brook::security
