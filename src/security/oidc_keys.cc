#include "security/oidc_keys.h"

#include <simdjson.h>

#include "base/log.h"

namespace brook::security {

std::string oidc_discovery_url(std::string issuer) {
  while (!issuer.empty() && issuer.back() == '/') {
    issuer.pop_back();
  }
  return issuer + "/.well-known/openid-configuration";
}

namespace {

expected<std::string, std::string> get(const std::string& what, const std::string& url,
                                       const net::fetch_options& options) {
  auto reply = net::http_get(url, options);
  if (!reply) {
    return unexpected("cannot read the " + what + " at " + url + ": " + reply.error());
  }
  if (reply->status != 200) {
    return unexpected("the " + what + " at " + url + " answered HTTP " +
                      std::to_string(reply->status));
  }
  return std::move(reply->body);
}

}  // namespace

oidc_keys::oidc_keys(oidc_settings settings)
    : _settings(std::move(settings)), _jwks_uri(_settings.jwks_uri) {
  _thread = std::thread([this] { run(); });
}

oidc_keys::~oidc_keys() {
  {
    std::lock_guard lock(_mu);
    _stopping = true;
  }
  _wake.notify_all();
  if (_thread.joinable()) {
    _thread.join();
  }
  // Exchanges still waiting are dropped, not answered: the connections they would answer
  // on are closing with the server.
}

void oidc_keys::start() {
  {
    std::lock_guard lock(_mu);
    _wanted = true;
  }
  _wake.notify_one();
}

void oidc_keys::keys_for(std::string_view kid, keys_fn done) {
  std::unique_lock lock(_mu);
  const auto now = clock::now();
  const bool may_fetch = !_attempted || now - _attempt_at >= _settings.min_refetch;
  // A token without a kid is tried against every key held.
  const bool held = _keys && (kid.empty() || _keys->keys.contains(kid));
  if (_keys && _fetched_at + _settings.refresh <= now && may_fetch && !_fetching) {
    _wanted = true;  // stale: fetched again in the background
    _wake.notify_one();
  }
  if (held) {
    auto keys = _keys;
    lock.unlock();
    done(keys, "");
    return;
  }
  if (_fetching || _wanted || may_fetch) {
    // An unknown kid (or no set yet): wait for the fetch under way, or ask for one.
    _waiting.push_back(std::move(done));
    if (!_fetching && !_wanted) {
      _wanted = true;
      _wake.notify_one();
    }
    return;
  }
  // Fetched a moment ago: answer with what is held (the token's kid is unknown to it).
  auto keys = _keys;
  const std::string problem = _problem;
  lock.unlock();
  done(keys, problem);
}

void oidc_keys::run() {
  std::unique_lock lock(_mu);
  for (;;) {
    _wake.wait(lock, [this] { return _stopping || _wanted; });
    if (_stopping) {
      return;
    }
    _wanted = false;
    _fetching = true;
    _attempted = true;
    _attempt_at = clock::now();
    lock.unlock();
    std::string problem = fetch();
    lock.lock();
    _fetching = false;
    _problem = problem;
    if (!problem.empty()) {
      log::warn("OpenID Connect issuer {}: {}", _settings.issuer, problem);
    }
    std::vector<keys_fn> waiting;
    waiting.swap(_waiting);
    auto keys = _keys;
    lock.unlock();
    for (auto& done : waiting) {
      done(keys, problem);
    }
    lock.lock();
  }
}

std::string oidc_keys::fetch() {
  std::string jwks_uri;
  {
    std::lock_guard lock(_mu);
    jwks_uri = _jwks_uri;
  }
  if (jwks_uri.empty()) {
    auto doc = get("discovery document", oidc_discovery_url(_settings.issuer), _settings.fetch);
    if (!doc) {
      return doc.error();
    }
    simdjson::dom::parser parser;
    simdjson::dom::object meta;
    if (parser.parse(simdjson::padded_string(*doc)).get_object().get(meta) != simdjson::SUCCESS) {
      return "the discovery document is not a JSON object";
    }
    std::string_view issuer;
    std::string_view uri;
    if (meta["issuer"].get_string().get(issuer) != simdjson::SUCCESS ||
        issuer != _settings.issuer) {
      return "the discovery document names issuer '" + std::string(issuer.substr(0, 256)) +
             "', not '" + _settings.issuer + "' (oidc.issuer must be exactly the issuer's)";
    }
    if (meta["jwks_uri"].get_string().get(uri) != simdjson::SUCCESS || uri.empty()) {
      return "the discovery document has no jwks_uri";
    }
    jwks_uri = std::string(uri);
    std::lock_guard lock(_mu);
    _jwks_uri = jwks_uri;
  }
  auto doc = get("JWK Set", jwks_uri, _settings.fetch);
  if (!doc) {
    return doc.error();
  }
  auto set = parse_json_web_key_set(*doc);
  if (!set) {
    return set.error() + " (" + jwks_uri + ")";
  }
  for (const auto& skipped : set->skipped) {
    log::debug("OpenID Connect issuer {}: key left out: {}", _settings.issuer, skipped);
  }
  log::info("OpenID Connect issuer {}: {} signing keys from {}", _settings.issuer, set->keys.size(),
            jwks_uri);
  std::lock_guard lock(_mu);
  _keys = std::make_shared<const json_web_key_set>(std::move(*set));
  _fetched_at = clock::now();
  return {};
}

}  // namespace brook::security
