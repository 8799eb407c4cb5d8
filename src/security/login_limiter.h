// login_limiter: failed logins counted per client address and per user name, and further
// attempts refused once either count reaches its limit within the window
// (security.failed_login_limit_per_address / _per_user, security.failed_login_window_ms).
// A refused attempt is not checked at all (no PBKDF2 for a brute-forcer), on the Kafka port
// (any SASL mechanism) and on HTTP (Basic, Bearer) alike; it ends when the window that
// counted the failures does. The per-user limit also refuses the right password while it
// holds (a lockout: someone guessing alice's password from many addresses locks alice out
// for the window), which is why it is higher than the per-address one and can be set to 0
// (off). Memory is bounded: at most max_keys addresses and user names are tracked.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace brook::security {

struct login_limits {
  int per_address = 10;  // 0: no limit
  int per_user = 30;     // 0: no limit
  std::chrono::milliseconds window{60'000};
};

class login_limiter {
 public:
  using clock = std::chrono::steady_clock;
  explicit login_limiter(login_limits limits, size_t max_keys = 100'000)
      : _limits(limits), _max_keys(max_keys) {}

  struct refusal {
    std::string reason;  // "too many failed logins from 10.0.0.7 (10 in 60 s)"
    bool first = false;  // the first refusal of this address or user in its window
  };
  // Why an attempt from `address` as `user` (empty: not known yet) is refused, or nullopt
  // when it may go on.
  std::optional<refusal> refused(std::string_view address, std::string_view user,
                                 clock::time_point now = clock::now());
  const login_limits& limits() const { return _limits; }
  // Counts a failed attempt.
  void failed(std::string_view address, std::string_view user,
              clock::time_point now = clock::now());

 private:
  struct counter {
    clock::time_point since;
    int failures = 0;
    bool refusal_reported = false;
  };
  using table = std::unordered_map<std::string, counter>;
  // The counter of `key` while it is over `limit` in its window, else null.
  counter* over(table& t, std::string_view key, int limit, clock::time_point now) const;
  void add(table& t, std::string_view key, clock::time_point now);

  const login_limits _limits;
  const size_t _max_keys;
  mutable std::mutex _mu;
  table _addresses;
  table _users;
};

}  // namespace brook::security
