#include "registry/agent_key_login.h"

#include <charconv>
#include <vector>

#include "base/base64.h"
#include "security/crypto.h"
#include "security/ed25519_key.h"

namespace brook::registry {

namespace {

// brook-agent-login:<id>:<expiry, epoch ms>:<nonce>:<seal>
constexpr std::string_view challenge_prefix = "brook-agent-login:";
constexpr size_t max_challenge_text = 256;
constexpr size_t max_signature_text = 512;

registry_error unauthorized(std::string message) {
  return registry_error{401, 40101, std::move(message)};
}

int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
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

// The fields of a challenge text: id, expiry, nonce, seal; empty when it is not shaped so.
std::vector<std::string_view> fields_of(std::string_view text) {
  if (text.size() > max_challenge_text || !text.starts_with(challenge_prefix)) {
    return {};
  }
  text.remove_prefix(challenge_prefix.size());
  std::vector<std::string_view> out;
  for (size_t colon = text.find(':'); colon != std::string_view::npos; colon = text.find(':')) {
    out.push_back(text.substr(0, colon));
    text.remove_prefix(colon + 1);
  }
  out.push_back(text);
  return out.size() == 4 ? out : std::vector<std::string_view>{};
}

}  // namespace

agent_key_login::agent_key_login(const agent_store& store,
                                 const security::local_token_issuer& tokens,
                                 security::login_guard* guard, key_login_options options)
    : _store(store),
      _tokens(tokens),
      _guard(guard),
      _options(std::move(options)),
      _secret(security::random_bytes(32)) {}

std::string agent_key_login::seal(std::string_view fields) const {
  return base64url_encode(security::hmac(security::digest::sha256, _secret, fields));
}

registry_result<agent_key_login::challenge> agent_key_login::challenge_for(
    const std::string& id) const {
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
  const auto expires = _options.now() + _options.challenge_lifetime;
  const std::string fields = a.id + ":" + std::to_string(epoch_ms(expires)) + ":" +
                             base64url_encode(security::random_bytes(16));
  return challenge{std::string(challenge_prefix) + fields + ":" + seal(fields), expires};
}

bool agent_key_login::use_locked(const std::string& nonce,
                                 std::chrono::system_clock::time_point expires_at,
                                 std::chrono::system_clock::time_point now, bool& full) {
  while (!_used_by_expiry.empty() && _used_by_expiry.begin()->first <= now) {
    _used.erase(_used_by_expiry.begin()->second);
    _used_by_expiry.erase(_used_by_expiry.begin());
  }
  if (_used.contains(nonce)) {
    return false;
  }
  if (_used.size() >= _options.max_remembered) {
    full = true;
    return false;
  }
  _used.emplace(nonce, expires_at);
  _used_by_expiry.emplace(expires_at, nonce);
  return true;
}

registry_result<agent_key_login::login> agent_key_login::check(const std::string& id,
                                                               std::string_view challenge_text,
                                                               std::string_view signature,
                                                               std::string& attributed) {
  const auto fields = fields_of(challenge_text);
  if (fields.empty() ||
      !security::equal_constant_time(
          seal(challenge_text.substr(
              challenge_prefix.size(),
              challenge_text.size() - challenge_prefix.size() - fields[3].size() - 1)),
          fields[3])) {
    return unexpected(unauthorized("the challenge is not one this server gave: ask for a new one"));
  }
  if (fields[0] != id) {
    return unexpected(unauthorized("the challenge is another agent's"));
  }
  // A challenge this server gave for this agent: what follows is the agent's failed login.
  attributed = agent_registry::username_of(id);
  int64_t expiry = 0;
  std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), expiry);
  const auto expires_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(expiry));
  const auto now = _options.now();
  if (expires_at <= now) {
    return unexpected(unauthorized("the challenge expired: ask for a new one"));
  }
  bool full = false;
  bool fresh = false;
  {
    std::lock_guard lock(_mutex);
    fresh = use_locked(std::string(fields[2]), expires_at, now, full);
  }
  if (full) {
    return unexpected(
        registry_error{503, 503, "too many key logins are under way: try again in a minute"});
  }
  if (!fresh) {
    return unexpected(unauthorized("the challenge was used already: ask for a new one"));
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
  auto token = _tokens.issue(attributed);
  if (!token) {
    return unexpected(unauthorized("the agent cannot log in: " + token.error()));
  }
  return login{std::move(token->text), token->expires_at, attributed};
}

registry_result<agent_key_login::login> agent_key_login::answer(const std::string& id,
                                                                std::string_view challenge_text,
                                                                std::string_view signature,
                                                                const std::string& client,
                                                                const std::string& listener) {
  const security::login_attempt attempt{listener, client, "AGENT-KEY"};
  if (_guard != nullptr) {
    if (auto refused = _guard->admit(attempt, ""); refused) {
      return unexpected(registry_error{429, 42901, *refused});
    }
  }
  std::string attributed;
  auto result = check(id, challenge_text, signature, attributed);
  if (_guard != nullptr) {
    if (result) {
      _guard->succeeded(attempt, security::principal{"User", result->username});
    } else if (result.error().status == 401) {
      _guard->failed(attempt, attributed, result.error().message);
    }
  }
  return result;
}

}  // namespace brook::registry
