// agent_key_login: an agent logs in with its key (doc/registry.md, "Key login"): it asks for
// a challenge (naming the agent, an expiry and a random nonce, sealed with an HMAC under a
// secret of this process), signs it with the private half of the Ed25519 key it registered,
// and trades the challenge and the signature for a short-lived token of Brook's own issuer
// (security::local_token_issuer) naming User:agent-<id>, taken as SASL OAUTHBEARER on the
// Kafka port and as HTTP Bearer. Challenges are not stored: anyone may ask for many, and
// none voids another. A challenge is used up by its first answer, right or wrong (the used
// ones are remembered until they expire). Every answer goes to the login guard (the
// failed-login limits, then the audit, mechanism AGENT-KEY), attributed to the agent only
// when the challenge really is one given for it, so GET /v1/agents/{id}/logins lists it.
// A restart voids the challenges given before it (the secret is new).
//
// Thread-safe; calls read the agent store (they may block on it).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "registry/agent_registry.h"
#include "registry/agent_store.h"
#include "security/local_token_issuer.h"
#include "security/login_guard.h"

namespace brook::registry {

struct key_login_options {
  std::chrono::milliseconds challenge_lifetime{60'000};
  // Answered challenges remembered (until they expire) to refuse a replay; past this many,
  // answers are refused with 503 until some expire.
  size_t max_remembered = 100'000;
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
};

class agent_key_login {
 public:
  // `store` and `tokens` outlive this object; `guard` may be null (no limits, no audit).
  agent_key_login(const agent_store& store, const security::local_token_issuer& tokens,
                  security::login_guard* guard, key_login_options options = {});

  struct challenge {
    std::string text;  // what the agent signs, as it is (its UTF-8 bytes)
    std::chrono::system_clock::time_point expires_at;
  };
  // A challenge for agent `id`: 404 without such an agent, 409 when it has no public key or
  // is not active.
  registry_result<challenge> challenge_for(const std::string& id) const;

  struct login {
    std::string token;
    std::chrono::system_clock::time_point expires_at;
    std::string username;  // agent-<id>
  };
  // The token for a challenge of agent `id` and the agent's `signature` of it (base64 or
  // base64url, padding optional); 401 when the challenge is not this server's, used,
  // expired or not this agent's, or the signature is not its key's; 429 past the failed-login
  // limits; 503 when too many answers are remembered. `client` (its address) and `listener`
  // ("http", "https") are for the limits and the audit.
  registry_result<login> answer(const std::string& id, std::string_view challenge_text,
                                std::string_view signature, const std::string& client,
                                const std::string& listener);

 private:
  // The seal of a challenge's fields.
  std::string seal(std::string_view fields) const;
  // The checks, and the user name a failure is attributed to ("" when the challenge was not
  // one given for agent `id`).
  registry_result<login> check(const std::string& id, std::string_view challenge_text,
                               std::string_view signature, std::string& attributed);
  // Remembers the challenge's nonce as used; false when it was already (or when too many
  // are remembered: `full` set). Under _mutex.
  bool use_locked(const std::string& nonce, std::chrono::system_clock::time_point expires_at,
                  std::chrono::system_clock::time_point now, bool& full);

  const agent_store& _store;
  const security::local_token_issuer& _tokens;
  security::login_guard* _guard;
  const key_login_options _options;
  const std::string _secret;  // random, this process's
  std::mutex _mutex;
  std::map<std::string, std::chrono::system_clock::time_point, std::less<>> _used;
  std::multimap<std::chrono::system_clock::time_point, std::string> _used_by_expiry;
};

}  // namespace brook::registry
