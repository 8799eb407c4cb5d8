#include "security/login_limiter.h"

namespace brook::security {

login_limiter::counter* login_limiter::over(table& t, std::string_view key, int limit,
                                            clock::time_point now) const {
  if (limit <= 0) {
    return nullptr;
  }
  auto it = t.find(std::string(key));
  if (it == t.end() || now - it->second.since >= _limits.window || it->second.failures < limit) {
    return nullptr;
  }
  return &it->second;
}

void login_limiter::add(table& t, std::string_view key, clock::time_point now) {
  if (t.size() >= _max_keys && !t.contains(std::string(key))) {
    std::erase_if(t, [&](const auto& e) { return now - e.second.since >= _limits.window; });
    if (t.size() >= _max_keys) {
      return;  // every tracked key is in its window: a flood of new keys goes uncounted
    }
  }
  counter& c = t[std::string(key)];
  if (c.failures == 0 || now - c.since >= _limits.window) {
    c = counter{now, 0};
  }
  ++c.failures;
}

std::optional<login_limiter::refusal> login_limiter::refused(std::string_view address,
                                                             std::string_view user,
                                                             clock::time_point now) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(_limits.window).count();
  std::lock_guard lock(_mu);
  if (_addresses.empty() && _users.empty()) {
    return std::nullopt;  // no failure counted: every HTTP request asks, keep it cheap
  }
  auto refuse = [](counter* c, std::string reason) {
    refusal r{std::move(reason), !c->refusal_reported};
    c->refusal_reported = true;
    return r;
  };
  if (counter* c = over(_addresses, address, _limits.per_address, now)) {
    return refuse(c, "too many failed logins from " + std::string(address) + " (" +
                         std::to_string(_limits.per_address) + " in " + std::to_string(seconds) +
                         " s)");
  }
  if (counter* c =
          user.empty() ? nullptr : over(_users, user.substr(0, 256), _limits.per_user, now)) {
    return refuse(c, "too many failed logins as '" + std::string(user.substr(0, 256)) + "' (" +
                         std::to_string(_limits.per_user) + " in " + std::to_string(seconds) +
                         " s)");
  }
  return std::nullopt;
}

void login_limiter::failed(std::string_view address, std::string_view user, clock::time_point now) {
  std::lock_guard lock(_mu);
  if (_limits.per_address > 0) {
    add(_addresses, address, now);
  }
  if (_limits.per_user > 0 && !user.empty()) {
    add(_users, user.substr(0, 256), now);
  }
}

}  // namespace brook::security
