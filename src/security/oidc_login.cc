#include "security/oidc_login.h"

#include <simdjson.h>

#include <algorithm>
#include <memory>

#include "base/base64.h"
#include "base/uri_encoding.h"
#include "security/crypto.h"
#include "security/oidc_keys.h"

namespace brook::security {

namespace {

std::string random_token() {
  return base64url_encode(random_bytes(32));
}

std::string form(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) {
      out += '&';
    }
    out += uri_encode(k);
    out += '=';
    out += uri_encode(v);
  }
  return out;
}

}  // namespace

oidc_login::oidc_login(oidc_login_settings settings, key_source& keys)
    : _settings(std::move(settings)), _keys(keys) {}

expected<std::pair<std::string, std::string>, std::string> oidc_login::endpoints() {
  {
    std::lock_guard lock(_mutex);
    if (!_token_endpoint.empty()) {
      return std::make_pair(_authorization_endpoint, _token_endpoint);
    }
  }
  const std::string url = oidc_discovery_url(_settings.issuer);
  auto reply = net::http_get(url, _settings.fetch);
  if (!reply) {
    return unexpected("the provider's discovery document (" + url + "): " + reply.error());
  }
  if (reply->status != 200) {
    return unexpected("the provider's discovery document (" + url + ") answered " +
                      std::to_string(reply->status));
  }
  simdjson::dom::parser parser;
  simdjson::dom::object meta;
  std::string_view authorization;
  std::string_view token;
  if (parser.parse(reply->body).get(meta) != simdjson::SUCCESS ||
      meta["authorization_endpoint"].get(authorization) != simdjson::SUCCESS ||
      meta["token_endpoint"].get(token) != simdjson::SUCCESS || authorization.empty() ||
      token.empty()) {
    return unexpected("the provider's discovery document (" + url +
                      ") has no authorization_endpoint and token_endpoint");
  }
  std::lock_guard lock(_mutex);
  _authorization_endpoint = std::string(authorization);
  _token_endpoint = std::string(token);
  return std::make_pair(_authorization_endpoint, _token_endpoint);
}

expected<oidc_login::started, std::string> oidc_login::begin(const std::string& redirect_uri,
                                                             clock::time_point now) {
  auto ends = endpoints();
  if (!ends) {
    return unexpected(ends.error());
  }
  pending p{random_token(), random_token(), redirect_uri, now};
  const std::string state = random_token();
  const std::string challenge = base64url_encode(hash(digest::sha256, p.verifier));
  {
    std::lock_guard lock(_mutex);
    std::erase_if(_pending, [&](const auto& kv) {
      return now - kv.second.started >= _settings.pending_lifetime;
    });
    if (_pending.size() >= _settings.max_pending) {
      // Full: the oldest login under way gives way (refusing would let anyone lock single
      // sign-on with unauthenticated requests).
      auto oldest = std::min_element(
          _pending.begin(), _pending.end(),
          [](const auto& a, const auto& b) { return a.second.started < b.second.started; });
      _pending.erase(oldest);
    }
    _pending.emplace(state, p);
  }
  const std::string& base = ends->first;
  std::string url = base + (base.find('?') == std::string::npos ? "?" : "&");
  url += form({{"response_type", "code"},
               {"client_id", _settings.client_id},
               {"redirect_uri", redirect_uri},
               {"scope", _settings.scopes},
               {"state", state},
               {"nonce", p.nonce},
               {"code_challenge", challenge},
               {"code_challenge_method", "S256"}});
  return started{std::move(url), state};
}

void oidc_login::finish(const std::string& state, const std::string& code, finished_fn done,
                        clock::time_point now) {
  pending p;
  {
    std::lock_guard lock(_mutex);
    auto it = _pending.find(state);
    if (it == _pending.end() || now - it->second.started >= _settings.pending_lifetime) {
      if (it != _pending.end()) {
        _pending.erase(it);
      }
      done(unexpected(std::string("this login is unknown or has expired: start again")));
      return;
    }
    p = std::move(it->second);
    _pending.erase(it);  // each state is used once
  }
  auto ends = endpoints();
  if (!ends) {
    done(unexpected(ends.error()));
    return;
  }
  net::fetch_request request;
  request.method = "POST";
  request.url = ends->second;
  request.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
  request.body = form({{"grant_type", "authorization_code"},
                       {"code", code},
                       {"redirect_uri", p.redirect_uri},
                       {"client_id", _settings.client_id},
                       {"code_verifier", p.verifier}});
  if (!_settings.client_secret.empty()) {
    request.user = _settings.client_id;
    request.password = _settings.client_secret;
  }
  auto reply = net::http_call(request, _settings.fetch);
  if (!reply) {
    done(unexpected("the provider's token endpoint: " + reply.error()));
    return;
  }
  simdjson::dom::parser parser;
  simdjson::dom::object answer;
  std::string_view id_token;
  if (parser.parse(reply->body).get(answer) != simdjson::SUCCESS) {
    done(unexpected("the provider's token endpoint answered " + std::to_string(reply->status) +
                    " without JSON"));
    return;
  }
  if (reply->status != 200 || answer["id_token"].get(id_token) != simdjson::SUCCESS) {
    std::string_view error = "no id_token";
    std::string_view description;
    if (answer["error"].get(error) != simdjson::SUCCESS) {
      error = "no id_token";
    }
    if (answer["error_description"].get(description) != simdjson::SUCCESS) {
      description = {};
    }
    done(unexpected(
        "the provider refused the code: " + std::string(error.substr(0, 200)) +
        (description.empty() ? "" : " (" + std::string(description.substr(0, 200)) + ")")));
    return;
  }
  // The ID token: this issuer's keys, "aud" this client, "nonce" the one sent.
  trusted_issuer issuer;
  issuer.rules.issuer = _settings.issuer;
  issuer.rules.audiences = {_settings.client_id};
  issuer.rules.principal_claim = _settings.principal_claim;
  issuer.rules.clock_skew = _settings.clock_skew;
  issuer.keys = &_keys;
  const std::string nonce = p.nonce;
  issuer.binding = [nonce](const json_web_token& t) -> std::string {
    auto claimed = t.strings.find("nonce");
    return claimed != t.strings.end() && claimed->second == nonce
               ? ""
               : "the ID token's nonce is not this login's";
  };
  auto validator = std::make_shared<jwt_validator>(std::vector<trusted_issuer>{std::move(issuer)});
  validator->validate(std::string(id_token),
                      [validator, done = std::move(done)](token_verdict v) mutable {
                        if (!v.who) {
                          done(unexpected("the provider's ID token: " + v.reason));
                        } else {
                          done(std::move(*v.who));
                        }
                      });
}

}  // namespace brook::security
