#include "security/jwt_validator.h"

#include <algorithm>

namespace brook::security {

namespace {
// The principal claim as the token states it (unverified), for the audit.
std::string claimed_by(const json_web_token& token, const std::string& claim) {
  auto it = token.strings.find(claim);
  return it == token.strings.end() ? std::string() : it->second.substr(0, 256);
}
}  // namespace

jwt_validator::jwt_validator(jwt_rules rules, key_source& keys, clock_fn now)
    : jwt_validator(std::vector<trusted_issuer>{{std::move(rules), &keys, {}}}, std::move(now)) {}

jwt_validator::jwt_validator(std::vector<trusted_issuer> issuers, clock_fn now)
    : _issuers(std::move(issuers)), _now(std::move(now)) {}

const trusted_issuer* jwt_validator::issuer_of(const json_web_token& token) const {
  for (const auto& i : _issuers) {
    if (i.rules.issuer == token.iss) {
      return &i;
    }
  }
  return nullptr;
}

std::string jwt_validator::untrusted(const json_web_token& token) const {
  std::string out = "iss '" + token.iss.substr(0, 256) + "' is not a trusted issuer (";
  for (size_t i = 0; i < _issuers.size(); ++i) {
    out += (i == 0 ? "" : ", ") + _issuers[i].rules.issuer;
  }
  return out + ")";
}

void jwt_validator::validate(std::string_view token_text,
                             std::function<void(token_verdict)> done) const {
  auto token = parse_json_web_token(token_text);
  if (!token) {
    done({std::nullopt, std::nullopt, "malformed token: " + token.error(), {}});
    return;
  }
  const trusted_issuer* issuer = issuer_of(*token);
  if (!supported_jws_algorithm(token->alg)) {
    token_verdict refused;
    refused.reason = "alg '" + token->alg +
                     "' is not accepted (RS256/384/512, PS256/384/512, ES256/384/512 are)";
    refused.claimed = claimed_by(*token, issuer ? issuer->rules.principal_claim : "sub");
    done(std::move(refused));
    return;
  }
  if (issuer == nullptr) {
    token_verdict refused;
    refused.reason = untrusted(*token);
    refused.claimed = claimed_by(*token, "sub");
    done(std::move(refused));
    return;
  }
  auto shared = std::make_shared<json_web_token>(std::move(*token));
  const std::string kid = shared->kid;
  issuer->keys->keys_for(
      kid, [this, issuer, shared, done = std::move(done)](
               std::shared_ptr<const json_web_key_set> keys, const std::string& problem) {
        if (!keys) {
          token_verdict refused;
          refused.reason = "the issuer's keys are not at hand: " + problem;
          refused.claimed = claimed_by(*shared, issuer->rules.principal_claim);
          done(std::move(refused));
          return;
        }
        done(check(*issuer, *shared, *keys));
      });
}

token_verdict jwt_validator::check(const json_web_token& token,
                                   const json_web_key_set& keys) const {
  const trusted_issuer* issuer = issuer_of(token);
  if (issuer == nullptr) {
    token_verdict refused;
    refused.reason = untrusted(token);
    return refused;
  }
  return check(*issuer, token, keys);
}

token_verdict jwt_validator::check(const trusted_issuer& issuer, const json_web_token& token,
                                   const json_web_key_set& keys) const {
  const jwt_rules& rules = issuer.rules;
  token_verdict out;
  out.claimed = claimed_by(token, rules.principal_claim);
  auto refuse = [&out](std::string why) {
    out.reason = std::move(why);
    return out;
  };
  if (!supported_jws_algorithm(token.alg)) {
    return refuse("alg '" + token.alg + "' is not accepted");
  }
  bool verified = false;
  if (!token.kid.empty()) {
    auto it = keys.keys.find(token.kid);
    if (it == keys.keys.end()) {
      return refuse("the issuer has no key with kid '" + token.kid + "'");
    }
    if (!it->second.fits(token.alg)) {
      return refuse("key '" + token.kid + "' is not a " + token.alg + " key");
    }
    verified = it->second.verify(token.alg, token.signed_text, token.signature);
  } else {
    // No kid: any key of the set that makes this algorithm's signatures.
    verified = std::any_of(keys.keys.begin(), keys.keys.end(), [&token](const auto& k) {
      return k.second.verify(token.alg, token.signed_text, token.signature);
    });
  }
  if (!verified) {
    return refuse("bad signature");
  }
  // "iss" is the issuer's: issuer_of() chose it by that.
  if (!rules.audiences.empty() &&
      std::none_of(token.aud.begin(), token.aud.end(), [&rules](const std::string& a) {
        return std::find(rules.audiences.begin(), rules.audiences.end(), a) !=
               rules.audiences.end();
      })) {
    return refuse(token.aud.empty()
                      ? std::string("the token has no aud")
                      : "aud '" + token.aud.front().substr(0, 256) +
                            (token.aud.size() > 1 ? "', ..." : "'") + " does not name this server");
  }
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(_now().time_since_epoch()).count();
  const int64_t skew = rules.clock_skew.count();
  if (!token.exp) {
    return refuse("the token has no exp");
  }
  if (*token.exp + skew <= now) {
    return refuse("the token expired " + std::to_string(now - *token.exp) + " s ago");
  }
  if (token.nbf && *token.nbf - skew > now) {
    return refuse("the token is not valid for another " + std::to_string(*token.nbf - now) +
                  " s (nbf)");
  }
  auto claim = token.strings.find(rules.principal_claim);
  if (claim == token.strings.end() || claim->second.empty()) {
    return refuse("the token has no " + rules.principal_claim + " claim to name the principal");
  }
  if (claim->second.size() > 256) {
    return refuse("the " + rules.principal_claim + " claim is over 256 bytes");
  }
  if (issuer.binding) {
    if (auto why = issuer.binding(token); !why.empty()) {
      return refuse(std::move(why));
    }
    out.bound = true;
  }
  out.who = principal{"User", claim->second};
  out.expiry = std::chrono::system_clock::time_point(std::chrono::seconds(*token.exp + skew));
  return out;
}

}  // namespace brook::security
