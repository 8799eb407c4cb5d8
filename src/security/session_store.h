// session_store: the web console's logins (POST /v1/session). A session is a random
// identifier the browser keeps in an HttpOnly cookie, bound to the principal that logged in
// and to a CSRF token the page sends back in a header on every call that changes something.
// Sessions live in memory only (a restart logs everyone out), are keyed by a SHA-256 digest
// of their identifier (the identifier itself is never stored), end after an idle time and
// after an absolute lifetime (http.session_idle_timeout_ms, http.session_lifetime_ms), and
// are bounded in number: past the bound a new login is refused rather than an older session
// evicted (one password must not be able to log everyone else out). A session opened with a
// password is bound to the user's credentials: it ends when they change (a new password,
// the user deleted), as a Kafka connection's login does.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "security/principal.h"

namespace brook::security {

struct session_limits {
  std::chrono::milliseconds idle_timeout{30 * 60'000};
  std::chrono::milliseconds lifetime{12 * 3'600'000};
  size_t max_sessions = 10'000;
  size_t max_per_principal = 20;
};

class session_store {
 public:
  using clock = std::chrono::steady_clock;
  // `changed_at(user)`: the credentials' generation of the user's last change
  // (user_directory::changed_at), and `generation()` the current one; both null: sessions are
  // not bound to credentials.
  using changed_at_fn = std::function<uint64_t(std::string_view user)>;
  using generation_fn = std::function<uint64_t()>;
  explicit session_store(session_limits limits, changed_at_fn changed_at = nullptr,
                         generation_fn generation = nullptr)
      : _limits(limits), _changed_at(std::move(changed_at)), _generation(std::move(generation)) {}

  struct opened {
    std::string id;    // for the cookie: 43 characters of base64url (256 random bits)
    std::string csrf;  // for the X-CSRF-Token header: the same form
  };
  // A new session for `who`; nullopt when max_sessions are open. `bound_generation`: opened
  // with the user's password when the credentials' generation was this (read before the
  // password was checked: current_generation()), it ends when they change after it. A
  // principal keeps at most max_per_principal sessions: its oldest ends for a new one.
  std::optional<opened> open(const principal& who,
                             std::optional<uint64_t> bound_generation = std::nullopt,
                             clock::time_point now = clock::now());
  // The credentials' generation now (0 without a generation function).
  uint64_t current_generation() const { return _generation ? _generation() : 0; }
  // Whether session `id` is still open, without counting this as a use (a stream that
  // outlives a logout checks it).
  bool alive(std::string_view id, clock::time_point now = clock::now());

  struct found {
    principal who;
    std::string csrf;
    std::chrono::milliseconds expires_in;  // until the idle timeout or the lifetime ends
  };
  // The open session `id` names (its idle time starts again), or nullopt when none does:
  // never opened, closed, or expired (then forgotten).
  std::optional<found> find(std::string_view id, clock::time_point now = clock::now());
  // Ends session `id`; false when it was not open.
  bool close(std::string_view id);
  // Ends every session of `who` (a user deleted, a password changed); how many ended.
  size_t close_all_of(const principal& who);

  size_t open_count() const;
  const session_limits& limits() const { return _limits; }

 private:
  struct entry {
    principal who;
    std::string csrf;
    clock::time_point opened;
    clock::time_point last_used;
    std::optional<uint64_t> generation;  // bound: the credentials' generation at the login
  };
  // Drops expired sessions (called with the lock held, at most once a minute).
  void sweep(clock::time_point now);
  bool expired(const entry& e, clock::time_point now) const;
  bool stale(const entry& e) const;

  const session_limits _limits;
  const changed_at_fn _changed_at;
  const generation_fn _generation;
  mutable std::mutex _mutex;
  std::unordered_map<std::string, entry> _sessions;  // by SHA-256 of the identifier
  clock::time_point _last_sweep{};
};

}  // namespace brook::security
