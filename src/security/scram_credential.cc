#include "security/scram_credential.h"

namespace brook::security {

std::string_view scram_mechanism_name(scram_mechanism m) {
  return m == scram_mechanism::sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";
}

std::optional<scram_mechanism> scram_mechanism_named(std::string_view name) {
  if (name == "SCRAM-SHA-256") {
    return scram_mechanism::sha256;
  }
  if (name == "SCRAM-SHA-512") {
    return scram_mechanism::sha512;
  }
  return std::nullopt;
}

std::optional<scram_mechanism> scram_mechanism_of_code(int8_t code) {
  if (code == 1) {
    return scram_mechanism::sha256;
  }
  if (code == 2) {
    return scram_mechanism::sha512;
  }
  return std::nullopt;
}

digest digest_of(scram_mechanism m) {
  return m == scram_mechanism::sha256 ? digest::sha256 : digest::sha512;
}

scram_credential scram_credential_from_salted(scram_mechanism m, std::string_view salted_password,
                                              std::string salt, int32_t iterations) {
  const digest d = digest_of(m);
  scram_credential c;
  c.mechanism = m;
  c.salt = std::move(salt);
  c.iterations = iterations;
  c.stored_key = hash(d, hmac(d, salted_password, "Client Key"));
  c.server_key = hmac(d, salted_password, "Server Key");
  return c;
}

scram_credential scram_credential_from_password(scram_mechanism m, std::string_view password,
                                                int32_t iterations) {
  std::string salt = random_bytes(32);
  const std::string salted = pbkdf2(digest_of(m), password, salt, iterations);
  return scram_credential_from_salted(m, salted, std::move(salt), iterations);
}

bool scram_password_matches(const scram_credential& c, std::string_view password) {
  const digest d = digest_of(c.mechanism);
  const std::string salted = pbkdf2(d, password, c.salt, c.iterations);
  return equal_constant_time(hash(d, hmac(d, salted, "Client Key")), c.stored_key);
}

}  // namespace brook::security
