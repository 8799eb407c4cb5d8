// json_web_key: the public keys that sign JSON Web Tokens, read from a JWK Set (RFC 7517,
// the document at an OpenID Connect issuer's jwks_uri), and signature checks with them
// (RFC 7518): RS256/384/512 (RSASSA-PKCS1-v1_5), PS256/384/512 (RSASSA-PSS) and
// ES256/384/512 (ECDSA on P-256/384/521, signatures as r || s). Nothing else: "none" and the
// HMAC algorithms (a shared secret, not an issuer's key) are never accepted.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"

typedef struct evp_pkey_st EVP_PKEY;  // NOLINT(modernize-use-using): OpenSSL's own name

namespace brook::security {

// True for the algorithms above.
bool supported_jws_algorithm(std::string_view alg);

class json_web_key {
 public:
  // Takes ownership of `key` (an RSA or EC public key).
  json_web_key(std::string kid, std::string kty, std::string alg, EVP_PKEY* key);

  const std::string& kid() const { return _kid; }
  // "RSA" or "EC".
  const std::string& kty() const { return _kty; }
  // The "alg" the key is restricted to, or "" when the set does not say.
  const std::string& alg() const { return _alg; }
  // Whether this key can make `alg` signatures (the key type, the curve and the key's own
  // "alg" agree with it).
  bool fits(std::string_view alg) const;
  // Whether `signature` is the `alg` signature of `signed_text` by this key.
  bool verify(std::string_view alg, std::string_view signed_text, std::string_view signature) const;

 private:
  std::string _kid;
  std::string _kty;
  std::string _alg;
  std::string _curve;  // "P-256", "P-384", "P-521" for EC keys
  std::shared_ptr<EVP_PKEY> _key;
};

struct json_web_key_set {
  // By "kid"; keys without one are kept under "".
  std::map<std::string, json_web_key, std::less<>> keys;
  // Keys of the document that were left out and why ("kid x: kty oct is not a public key").
  std::vector<std::string> skipped;
};

// The signing keys of a JWK Set document. Keys that cannot verify signatures (private
// halves are ignored, symmetric keys, encryption keys, unknown types or curves, malformed
// numbers) are skipped and listed; a document that is not a JWK Set is an error.
expected<json_web_key_set, std::string> parse_json_web_key_set(std::string_view json);

}  // namespace brook::security
