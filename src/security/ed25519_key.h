// ed25519_key: an Ed25519 public key (RFC 8032) as people hand one over, and signature
// checks with it. The agent registry takes an agent's key at registration (issue 15's
// key-based login: the agent signs a challenge with the private half).
#pragma once

#include <string>
#include <string_view>

#include "base/expected.h"

namespace brook::security {

// The Ed25519 signature (64 bytes) of `message` by the private key in `private_pem` (a PEM
// "PRIVATE KEY", as `openssl genpkey -algorithm ed25519` writes it), or why not. For an
// agent's side of the key login (`brook agent login`).
expected<std::string, std::string> ed25519_sign(std::string_view private_pem,
                                                std::string_view message);

class ed25519_key {
 public:
  // The key in `text`: a PEM "PUBLIC KEY" (SubjectPublicKeyInfo, as `openssl pkey -pubout`
  // writes it) or the 32 raw bytes in base64 or base64url (padding optional). Anything
  // else, another key type included, is refused with the reason.
  static expected<ed25519_key, std::string> parse(std::string_view text);

  // The 32 bytes of the key.
  const std::string& raw() const { return _raw; }
  // Whether `signature` (64 bytes) is this key's signature of `message`.
  bool verify(std::string_view message, std::string_view signature) const;

 private:
  explicit ed25519_key(std::string raw) : _raw(std::move(raw)) {}
  std::string _raw;
};

}  // namespace brook::security
