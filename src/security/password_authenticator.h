// password_authenticator: logins by user name and password outside SASL (HTTP Basic, RFC
// 7617), checked against the users' SCRAM credentials so that one user works on the Kafka
// port and on HTTP.
//
// Checking a password costs a PBKDF2 of 4096 or more iterations (about a millisecond), too
// much for every HTTP request of a keep-alive client. So a successful login is remembered:
// an HMAC of the user name and password under a key drawn at start-up (never the password
// itself), forgotten as soon as any credential changes (credential_source::generation) and
// after `ttl`. Failed logins are not remembered: each costs the full check, the same for
// an unknown user as for a wrong password.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "security/credential_source.h"
#include "security/principal.h"

namespace brook::security {

class password_authenticator {
 public:
  explicit password_authenticator(const credential_source& users, size_t max_remembered = 10000,
                                  std::chrono::seconds ttl = std::chrono::minutes(10));

  // User:<user> when the password is the user's, else nullopt.
  std::optional<principal> login(std::string_view user, std::string_view password);

  // How many logins were answered from memory (tests and metrics).
  uint64_t remembered_hits() const;

 private:
  struct remembered {
    std::string mac;
    uint64_t generation = 0;
    std::chrono::steady_clock::time_point at;
  };

  std::string mac_of(std::string_view user, std::string_view password) const;

  const credential_source& _users;
  const size_t _max_remembered;
  const std::chrono::seconds _ttl;
  const std::string _key;  // random, this process only
  mutable std::mutex _mutex;
  std::map<std::string, remembered, std::less<>> _remembered;  // by user; guarded by _mutex
  uint64_t _hits = 0;                                          // guarded by _mutex
};

}  // namespace brook::security
