// scram_credential: what a server keeps to check a SCRAM login (RFC 5802 section 3): the
// salt, the iteration count, StoredKey = H(HMAC(SaltedPassword, "Client Key")) and
// ServerKey = HMAC(SaltedPassword, "Server Key"). The password and SaltedPassword are
// never kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "security/crypto.h"

namespace brook::security {

// Kafka's ScramMechanism codes.
enum class scram_mechanism : int8_t { sha256 = 1, sha512 = 2 };

// Kafka's limits on the iteration count (AlterUserScramCredentials refuses others).
constexpr int32_t min_scram_iterations = 4096;
constexpr int32_t max_scram_iterations = 16384;

std::string_view scram_mechanism_name(scram_mechanism m);  // "SCRAM-SHA-256"
std::optional<scram_mechanism> scram_mechanism_named(std::string_view name);
std::optional<scram_mechanism> scram_mechanism_of_code(int8_t code);
digest digest_of(scram_mechanism m);

struct scram_credential {
  scram_mechanism mechanism = scram_mechanism::sha256;
  std::string salt;
  std::string stored_key;
  std::string server_key;
  int32_t iterations = min_scram_iterations;
};

// The credential of SaltedPassword = Hi(password, salt, iterations), as a client sends it in
// AlterUserScramCredentials.
scram_credential scram_credential_from_salted(scram_mechanism m, std::string_view salted_password,
                                              std::string salt, int32_t iterations);
// The credential of `password` with a fresh random salt.
scram_credential scram_credential_from_password(scram_mechanism m, std::string_view password,
                                                int32_t iterations = min_scram_iterations);
// Whether `password` is the one `c` was made from (PLAIN and HTTP Basic logins).
bool scram_password_matches(const scram_credential& c, std::string_view password);

}  // namespace brook::security
