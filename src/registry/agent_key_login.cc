#include "registry/agent_key_login.h"

#include <algorithm>

#include "base/base64.h"
#include "base/uri_encoding.h"
#include "security/crypto.h"
#include "security/ed25519_key.h"

namespace brook::registry {

namespace {

constexpr std::string_view challenge_prefix = "brook-agent-login:";
constexpr size_t max_signature_text = 512;

registry_error unauthorized(std::string message) {
  return registry_error{401, 40101, std::move(message)};
}

// The signature's bytes from base64 or base64url, padding optional.
std::optional<std::string> signature_bytes(std::string_view text) {
  std::string padded(text);
  while (padded.size() % 4 != 0) {
    padded += '=';
  }
  if (auto raw = base64_decode(padded)) {
    return raw;
  }
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  return base64url_decode(text);
}

}  // namespace

agent_key_login::agent_key_login(const agent_store& store,
                                 const security::local_token_issuer& tokens,
                                 security::audit_log* audit, key_login_options options)
    : _store(store), _tokens(tokens), _audit(audit), _options(std::move(options)) {}

void agent_key_login::prune_locked(std::chrono::system_clock::time_point now) {
  // Every challenge has the same lifetime: the oldest expire first.
  while (!_order.empty()) {
    auto it = _pending.find(_order.front());
    if (it != _pending.end() && it->second.expires_at > now) {
      return;
    }
    if (it != _pending.end()) {
      (void)take_locked(_order.front());
    }
    _order.pop_front();
  }
}

std::optional<agent_key_login::pending> agent_key_login::take_locked(
    std::string_view challenge_text) {
  auto it = _pending.find(challenge_text);
  if (it == _pending.end()) {
    return std::nullopt;
  }
  pending p = std::move(it->second);
  _pending.erase(it);
  if (auto a = _per_agent.find(p.id); a != _per_agent.end()) {
    std::erase(a->second, challenge_text);
    if (a->second.empty()) {
      _per_agent.erase(a);
    }
  }
  return p;
}

registry_result<agent_key_login::challenge> agent_key_login::challenge_for(const std::string& id) {
  auto found = _store.get(id);
  if (!found) {
    return unexpected(
        registry_error{500, 500, "the registry cannot be read: " + found.error().message()});
  }
  if (!*found) {
    return unexpected(registry_error{404, 40403, "agent " + id.substr(0, 64) + " not found"});
  }
  const agent_record& a = **found;
  if (!a.public_key) {
    return unexpected(registry_error{
        409, 409, "agent " + a.id + " has no public key: it logs in with its password"});
  }
  if (a.state != "active") {
    return unexpected(registry_error{409, 409, "agent " + a.id + " is " + a.state});
  }
  const auto now = _options.now();
  challenge c{
      std::string(challenge_prefix) + a.id + ":" + base64url_encode(security::random_bytes(32)),
      now + _options.challenge_lifetime};
  std::lock_guard lock(_mutex);
  prune_locked(now);
  if (_pending.size() >= _options.max_challenges) {
    return unexpected(registry_error{
        503, 503, "too many key-login challenges are outstanding: try again in a minute"});
  }
  for (auto mine = _per_agent.find(a.id);
       mine != _per_agent.end() && mine->second.size() >= _options.max_per_agent;
       mine = _per_agent.find(a.id)) {
    (void)take_locked(std::string(mine->second.front()));  // voids the agent's oldest
  }
  _pending.emplace(c.text, pending{a.id, c.expires_at});
  _per_agent[a.id].push_back(c.text);
  _order.push_back(c.text);
  return c;
}

registry_result<agent_key_login::login> agent_key_login::check(const std::string& id,
                                                               std::string_view challenge_text,
                                                               std::string_view signature) {
  std::optional<pending> p;
  const auto now = _options.now();
  {
    std::lock_guard lock(_mutex);
    p = take_locked(challenge_text);
  }
  if (!p) {
    return unexpected(unauthorized("the challenge is unknown or used: ask for a new one"));
  }
  if (p->id != id) {
    return unexpected(unauthorized("the challenge is another agent's"));
  }
  if (p->expires_at <= now) {
    return unexpected(unauthorized("the challenge expired: ask for a new one"));
  }
  if (signature.empty() || signature.size() > max_signature_text) {
    return unexpected(unauthorized("the signature must be 1 to 512 characters of base64"));
  }
  auto raw = signature_bytes(signature);
  if (!raw) {
    return unexpected(unauthorized("the signature is not base64"));
  }
  auto found = _store.get(id);
  if (!found) {
    return unexpected(
        registry_error{500, 500, "the registry cannot be read: " + found.error().message()});
  }
  if (!*found || !(*found)->public_key || (*found)->state != "active") {
    return unexpected(unauthorized("the agent is gone, disabled or has no public key"));
  }
  auto key = security::ed25519_key::parse(*(*found)->public_key);
  if (!key) {
    return unexpected(registry_error{500, 500, "the agent's key is not taken: " + key.error()});
  }
  if (!key->verify(challenge_text, *raw)) {
    return unexpected(unauthorized("the signature is not the agent's key's"));
  }
  const std::string username = agent_registry::username_of(id);
  auto token = _tokens.issue(username);
  if (!token) {
    return unexpected(unauthorized("the agent cannot log in: " + token.error()));
  }
  return login{std::move(token->text), token->expires_at, username};
}

registry_result<agent_key_login::login> agent_key_login::answer(const std::string& id,
                                                                std::string_view challenge_text,
                                                                std::string_view signature,
                                                                const std::string& client,
                                                                const std::string& listener) {
  auto result = check(id, challenge_text, signature);
  if (_audit != nullptr && (result || result.error().status == 401)) {
    security::audit_event e;
    e.event = "authentication";
    e.outcome = result ? "success" : "failure";
    e.listener = listener;
    e.client = client;
    e.mechanism = "AGENT-KEY";
    e.user = agent_registry::username_of(id.substr(0, 64));
    e.principal = "User:" + e.user;
    if (!result) {
      e.reason = result.error().message;
    }
    _audit->record(e);
  }
  return result;
}

}  // namespace brook::registry
