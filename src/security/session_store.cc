#include "security/session_store.h"

#include <algorithm>

#include "base/base64.h"
#include "security/crypto.h"

namespace brook::security {

namespace {

std::string key_of(std::string_view id) {
  return hash(digest::sha256, id);
}

}  // namespace

bool session_store::expired(const entry& e, clock::time_point now) const {
  return now - e.last_used >= _limits.idle_timeout || now - e.opened >= _limits.lifetime;
}

void session_store::sweep(clock::time_point now) {
  if (now - _last_sweep < std::chrono::minutes(1) && _sessions.size() < _limits.max_sessions) {
    return;
  }
  _last_sweep = now;
  std::erase_if(_sessions, [&](const auto& kv) { return expired(kv.second, now); });
}

bool session_store::stale(const entry& e) const {
  return e.generation && _changed_at && _changed_at(e.who.name) > *e.generation;
}

std::optional<session_store::opened> session_store::open(const principal& who,
                                                         std::optional<uint64_t> bound_generation,
                                                         clock::time_point now) {
  opened made{base64url_encode(random_bytes(32)), base64url_encode(random_bytes(32))};
  std::lock_guard lock(_mutex);
  sweep(now);
  // One principal cannot take every session: past its own bound its oldest ends.
  size_t mine = 0;
  auto oldest = _sessions.end();
  for (auto it = _sessions.begin(); it != _sessions.end(); ++it) {
    if (it->second.who == who) {
      ++mine;
      if (oldest == _sessions.end() || it->second.opened < oldest->second.opened) {
        oldest = it;
      }
    }
  }
  if (mine >= _limits.max_per_principal && oldest != _sessions.end()) {
    _sessions.erase(oldest);
  }
  if (_sessions.size() >= _limits.max_sessions) {
    return std::nullopt;
  }
  std::optional<uint64_t> generation;
  if (bound_generation && _changed_at) {
    generation = bound_generation;
  }
  _sessions.emplace(key_of(made.id), entry{who, made.csrf, now, now, generation});
  return made;
}

std::optional<session_store::found> session_store::find(std::string_view id,
                                                        clock::time_point now) {
  if (id.empty() || id.size() > 256) {
    return std::nullopt;
  }
  const std::string key = key_of(id);
  std::lock_guard lock(_mutex);
  auto it = _sessions.find(key);
  if (it == _sessions.end()) {
    return std::nullopt;
  }
  if (stale(it->second) || expired(it->second, now)) {
    _sessions.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  const auto lived = std::chrono::duration_cast<std::chrono::milliseconds>(now - it->second.opened);
  return found{it->second.who, it->second.csrf,
               std::min(_limits.idle_timeout, _limits.lifetime - lived)};
}

bool session_store::alive(std::string_view id, clock::time_point now) {
  const std::string key = key_of(id);
  std::lock_guard lock(_mutex);
  auto it = _sessions.find(key);
  return it != _sessions.end() && !stale(it->second) && !expired(it->second, now);
}

bool session_store::close(std::string_view id) {
  const std::string key = key_of(id);
  std::lock_guard lock(_mutex);
  return _sessions.erase(key) > 0;
}

size_t session_store::close_all_of(const principal& who) {
  std::lock_guard lock(_mutex);
  return std::erase_if(_sessions, [&](const auto& kv) { return kv.second.who == who; });
}

size_t session_store::open_count() const {
  std::lock_guard lock(_mutex);
  return _sessions.size();
}

}  // namespace brook::security
