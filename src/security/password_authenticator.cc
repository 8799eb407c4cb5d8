#include "security/password_authenticator.h"

#include "security/crypto.h"
#include "security/plain_server.h"

namespace brook::security {

password_authenticator::password_authenticator(const credential_source& users,
                                               size_t max_remembered, std::chrono::seconds ttl)
    : _users(users), _max_remembered(max_remembered), _ttl(ttl), _key(random_bytes(32)) {}

std::string password_authenticator::mac_of(std::string_view user, std::string_view password) const {
  std::string message;
  message.reserve(user.size() + 1 + password.size());
  message.append(user).push_back('\0');  // a user name holds no NUL (SASL names cannot)
  message.append(password);
  return hmac(digest::sha256, _key, message);
}

std::optional<principal> password_authenticator::login(std::string_view user,
                                                       std::string_view password) {
  if (user.empty() || password.empty()) {
    return std::nullopt;
  }
  const std::string mac = mac_of(user, password);
  const auto now = std::chrono::steady_clock::now();
  // Read before the check: a change made during it makes what is remembered stale.
  const uint64_t generation = _users.generation();
  {
    std::lock_guard lock(_mutex);
    auto it = _remembered.find(user);
    if (it != _remembered.end()) {
      const auto& r = it->second;
      const bool fresh = r.generation == generation && now - r.at < _ttl;
      if (fresh && equal_constant_time(r.mac, mac)) {
        ++_hits;
        return principal{"User", std::string(user)};
      }
      if (!fresh) {
        _remembered.erase(it);
      }
      // A wrong password leaves the user's remembered login alone: guessing does not slow
      // down the real user.
    }
  }
  if (!password_matches(_users, user, password)) {
    return std::nullopt;
  }
  std::lock_guard lock(_mutex);
  if (_remembered.size() >= _max_remembered) {
    _remembered.clear();  // bounded: past the limit, start over
  }
  _remembered[std::string(user)] = remembered{mac, generation, now};
  return principal{"User", std::string(user)};
}

uint64_t password_authenticator::remembered_hits() const {
  std::lock_guard lock(_mutex);
  return _hits;
}

}  // namespace brook::security
