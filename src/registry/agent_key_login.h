// agent_key_login: an agent logs in with its key (doc/registry.md, "Key login"): it asks for
// a challenge (a random nonce naming the agent, good for one answer within the challenge
// lifetime), signs it with the private half of the Ed25519 key it registered, and trades
// the challenge and the signature for a short-lived token of Brook's own issuer
// (security::local_token_issuer) naming User:agent-<id>, taken as SASL OAUTHBEARER on the
// Kafka port and as HTTP Bearer. A challenge is used up by its first answer, right or wrong.
// Every answer is audited as an authentication (mechanism AGENT-KEY), so the agent's
// GET /v1/agents/{id}/logins lists it. Challenges live in memory only: a restart voids
// those outstanding (the agent asks again).
//
// Thread-safe; calls read the agent store (they may block on it).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "registry/agent_registry.h"
#include "registry/agent_store.h"
#include "security/audit_log.h"
#include "security/local_token_issuer.h"

namespace brook::registry {

struct key_login_options {
  std::chrono::milliseconds challenge_lifetime{60'000};
  size_t max_challenges = 100'000;  // outstanding, all agents together
  size_t max_per_agent = 16;        // outstanding; a new one voids the agent's oldest
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
};

class agent_key_login {
 public:
  // All three outlive this object; `audit` may be null (no audit log).
  agent_key_login(const agent_store& store, const security::local_token_issuer& tokens,
                  security::audit_log* audit, key_login_options options = {});

  struct challenge {
    std::string text;  // what the agent signs, as it is (its UTF-8 bytes)
    std::chrono::system_clock::time_point expires_at;
  };
  // A challenge for agent `id`: 404 without such an agent, 409 when it has no public key or
  // is not active, 503 when too many are outstanding.
  registry_result<challenge> challenge_for(const std::string& id);

  struct login {
    std::string token;
    std::chrono::system_clock::time_point expires_at;
    std::string username;  // agent-<id>
  };
  // The token for a challenge of agent `id` and the agent's `signature` of it (base64 or
  // base64url, padding optional); 401 when the challenge is unknown, used, expired or not
  // this agent's, or the signature is not its key's. `client` (its address) is audited.
  registry_result<login> answer(const std::string& id, std::string_view challenge_text,
                                std::string_view signature, const std::string& client,
                                const std::string& listener);

 private:
  struct pending {
    std::string id;
    std::chrono::system_clock::time_point expires_at;
  };
  // Drops expired challenges. Under _mutex.
  void prune_locked(std::chrono::system_clock::time_point now);
  // Takes the challenge out (it is used whatever follows); its agent and expiry if it was
  // outstanding. Under _mutex.
  std::optional<pending> take_locked(std::string_view challenge_text);
  registry_result<login> check(const std::string& id, std::string_view challenge_text,
                               std::string_view signature);

  const agent_store& _store;
  const security::local_token_issuer& _tokens;
  security::audit_log* _audit;
  const key_login_options _options;
  std::mutex _mutex;
  std::map<std::string, pending, std::less<>> _pending;  // by challenge text
  std::deque<std::string> _order;                        // challenge texts, oldest first
  std::map<std::string, std::deque<std::string>, std::less<>> _per_agent;  // oldest first
};

}  // namespace brook::registry
