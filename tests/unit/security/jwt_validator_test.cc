#include "security/jwt_validator.h"

#include <gtest/gtest.h>

#include <ctime>

#include "base/base64.h"
#include "security/oauthbearer_server.h"
#include "support/token_issuer.h"

namespace brook::security {
namespace {

using test::token_issuer;

jwt_rules rules() {
  return {"https://issuer.test", {"brook"}, "sub", std::chrono::seconds(30)};
}

token_verdict validate(const jwt_validator& v, const std::string& token) {
  std::optional<token_verdict> out;
  v.validate(token, [&](token_verdict verdict) { out = std::move(verdict); });
  EXPECT_TRUE(out.has_value()) << "a fixed key source answers at once";
  return out.value_or(token_verdict{});
}

void expect_refused(const jwt_validator& v, const std::string& token, std::string_view why) {
  auto verdict = validate(v, token);
  EXPECT_FALSE(verdict.who) << token;
  EXPECT_NE(verdict.reason.find(why), std::string::npos)
      << "expected '" << why << "', got '" << verdict.reason << "'";
}

class JwtValidator : public ::testing::TestWithParam<token_issuer::key_type> {};

TEST_P(JwtValidator, AGoodTokenNamesItsSubject) {
  token_issuer issuer("https://issuer.test", GetParam());
  jwt_validator v(rules(), issuer.keys());
  auto verdict = validate(v, issuer.token(token_issuer::claims("alice", "brook")));
  ASSERT_TRUE(verdict.who) << verdict.reason;
  EXPECT_EQ(verdict.who->to_string(), "User:alice");
  ASSERT_TRUE(verdict.expiry);
  EXPECT_GT(*verdict.expiry, std::chrono::system_clock::now() + std::chrono::minutes(59));
}

TEST_P(JwtValidator, TamperedAndForeignSignaturesAreRefused) {
  token_issuer issuer("https://issuer.test", GetParam());
  token_issuer stranger("https://issuer.test", GetParam());  // same kid, another key
  jwt_validator v(rules(), issuer.keys());
  const std::string good = issuer.token(token_issuer::claims("alice", "brook"));
  expect_refused(v, stranger.token(token_issuer::claims("alice", "brook")), "bad signature");
  // The claims changed after signing: alice becomes admin.
  const size_t dot1 = good.find('.');
  const size_t dot2 = good.find('.', dot1 + 1);
  auto claims = *base64url_decode(good.substr(dot1 + 1, dot2 - dot1 - 1));
  claims.replace(claims.find("alice"), 5, "admin");
  expect_refused(v, good.substr(0, dot1 + 1) + base64url_encode(claims) + good.substr(dot2),
                 "bad signature");
  // A flipped signature byte, a cut signature, no signature.
  std::string sig = *base64url_decode(good.substr(dot2 + 1));
  sig[5] = static_cast<char>(sig[5] ^ 1);
  expect_refused(v, good.substr(0, dot2 + 1) + base64url_encode(sig), "bad signature");
  expect_refused(v, good.substr(0, dot2 + 1) + base64url_encode(sig.substr(0, 10)),
                 "bad signature");
  expect_refused(v, good.substr(0, dot2 + 1), "bad signature");
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, JwtValidator,
                         ::testing::Values(token_issuer::key_type::rsa,
                                           token_issuer::key_type::ec));

TEST(JwtValidatorClaims, EachRuleRefusesWithItsReason) {
  token_issuer issuer("https://issuer.test");
  jwt_validator v(rules(), issuer.keys());
  const auto now = std::time(nullptr);
  auto with = [&](const std::string& name, const std::string& value) {
    auto c = token_issuer::claims("alice", "brook");
    if (value.empty()) {
      c.erase(name);
    } else {
      c[name] = value;
    }
    return issuer.token(c);
  };
  expect_refused(v, with("exp", std::to_string(now - 3600)), "expired");
  expect_refused(v, with("exp", ""), "no exp");
  expect_refused(v, with("exp", "\"tomorrow\""), "exp is not a number");
  expect_refused(v, with("nbf", std::to_string(now + 3600)), "not valid for another");
  expect_refused(v, with("aud", "\"someone-else\""), "does not name this server");
  expect_refused(v, with("aud", ""), "no aud");
  expect_refused(v, with("iss", "\"https://evil.test\""), "is not a trusted issuer");
  expect_refused(v, with("sub", ""), "no sub claim");
  expect_refused(v, with("sub", "\"\""), "no sub claim");
  expect_refused(v, with("sub", "42"), "no sub claim");
  // Within the clock skew both ways.
  EXPECT_TRUE(validate(v, with("exp", std::to_string(now - 10))).who);
  EXPECT_TRUE(validate(v, with("nbf", std::to_string(now + 10))).who);
  // aud as a list naming this server among others.
  EXPECT_TRUE(validate(v, with("aud", R"(["other","brook"])")).who);
  // No audience configured: aud is not looked at.
  jwt_rules any = rules();
  any.audiences.clear();
  jwt_validator lax(any, issuer.keys());
  EXPECT_TRUE(validate(lax, with("aud", "")).who);
  // Another principal claim.
  jwt_rules keycloak = rules();
  keycloak.principal_claim = "preferred_username";
  jwt_validator kc(keycloak, issuer.keys());
  expect_refused(kc, with("sub", "\"f3a1\""), "no preferred_username claim");
  auto named = validate(kc, with("preferred_username", "\"bob\""));
  ASSERT_TRUE(named.who) << named.reason;
  EXPECT_EQ(named.who->name, "bob");
}

TEST(JwtValidatorHeader, NoneHmacUnknownKidsAndJunkAreRefused) {
  token_issuer issuer("https://issuer.test");
  jwt_validator v(rules(), issuer.keys());
  const std::string claims = R"({"iss":"https://issuer.test","aud":"brook","sub":"admin","exp":)" +
                             std::to_string(std::time(nullptr) + 3600) + "}";
  const std::string unsigned_token =
      base64url_encode(R"({"alg":"none"})") + "." + base64url_encode(claims) + ".";
  auto none = validate(v, unsigned_token);
  EXPECT_FALSE(none.who);
  EXPECT_NE(none.reason.find("alg 'none' is not accepted"), std::string::npos);
  EXPECT_EQ(none.claimed, "admin");  // for the audit
  // HS256 with the public key as the secret (the classic confusion attack) is not an option.
  expect_refused(v, issuer.sign(R"({"alg":"HS256","kid":"key-1"})", claims), "alg 'HS256'");
  // An RSA key does not make ES256 signatures.
  expect_refused(v, issuer.sign(R"({"alg":"ES256","kid":"key-1"})", claims), "not a ES256 key");
  expect_refused(v, issuer.sign(R"({"alg":"RS256","kid":"key-9"})", claims), "no key with kid");
  // Without a kid every key of the set is tried.
  EXPECT_TRUE(validate(v, issuer.sign(R"({"alg":"RS256"})", claims)).who);
  expect_refused(v, issuer.sign(R"({"alg":"RS256","crit":["exp"]})", claims), "crit");
  for (const std::string junk : {"", "abc", "a.b", "a.b.c", "...", "a.b.c.d.e", "e30.e30.",
                                 "W10.e30.", "e30.W10.", "eyJhbGciOjF9.e30."}) {
    auto verdict = validate(v, junk);
    EXPECT_FALSE(verdict.who) << junk;
    EXPECT_FALSE(verdict.reason.empty()) << junk;
  }
  expect_refused(v, std::string(max_json_web_token_bytes + 1, 'a'), "over");
}

TEST(JsonWebKeySet, KeysThatCannotVerifyAreSkippedWithAReason) {
  auto set = parse_json_web_key_set(R"({"keys":[
      {"kty":"oct","kid":"s","k":"c2VjcmV0"},
      {"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"},
      {"kty":"RSA","kid":"short","n":"AQAB","e":"AQAB"},
      {"kty":"EC","kid":"off","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
      {"kty":"EC","kid":"k","crv":"secp256k1","x":"AA","y":"AA"},
      7]})");
  ASSERT_TRUE(set) << set.error();
  EXPECT_TRUE(set->keys.empty());
  ASSERT_EQ(set->skipped.size(), 6u);
  EXPECT_NE(set->skipped[0].find("kty 'oct'"), std::string::npos);
  EXPECT_NE(set->skipped[1].find("use 'enc'"), std::string::npos);
  EXPECT_NE(set->skipped[2].find("too short"), std::string::npos);
  EXPECT_NE(set->skipped[3].find("not a point"), std::string::npos);
  EXPECT_NE(set->skipped[4].find("crv"), std::string::npos);
  EXPECT_FALSE(parse_json_web_key_set("[]"));
  EXPECT_FALSE(parse_json_web_key_set("{\"keys\":{}}"));
  EXPECT_FALSE(parse_json_web_key_set("not json"));
}

// OAUTHBEARER (RFC 7628) messages as Kafka clients send them.
TEST(OauthbearerServer, TakesTheClientMessageOfKafkaClients) {
  token_issuer issuer("https://issuer.test", token_issuer::key_type::ec);
  jwt_validator v(rules(), issuer.keys());
  const std::string token = issuer.token(token_issuer::claims("alice", "brook"));
  auto run = [&](const std::string& message) {
    oauthbearer_server server(v);
    sasl_step out;
    server.step(message, [&](sasl_step s) { out = std::move(s); });
    if (out.outcome == sasl_step::state::success) {
      EXPECT_EQ(server.authenticated().to_string(), "User:alice");
      EXPECT_TRUE(server.credential_expiry());
    }
    return out;
  };
  using state = sasl_step::state;
  EXPECT_EQ(run("n,,\x01"
                "auth=Bearer " +
                token + "\x01\x01")
                .outcome,
            state::success);
  // With SASL extensions (KIP-342) and an authzid that is the principal.
  EXPECT_EQ(run("n,a=alice,\x01"
                "auth=Bearer " +
                token +
                "\x01"
                "logicalCluster=x\x01\x01")
                .outcome,
            state::success);
  auto other =
      run("n,a=bob,\x01"
          "auth=Bearer " +
          token + "\x01\x01");
  EXPECT_EQ(other.outcome, state::failure);
  EXPECT_NE(other.reason.find("authorization id"), std::string::npos);
  for (const std::string& bad :
       std::vector<std::string>{"", "\x01\x01", "n,,auth=Bearer " + token, "p=tls-unique,,\x01\x01",
                                "n,,\x01"
                                "auth=Basic " +
                                    token + "\x01\x01",
                                "n,,\x01"
                                "auth=Bearer \x01\x01",
                                "n,,\x01"
                                "=x\x01"
                                "auth=Bearer " +
                                    token + "\x01\x01",
                                "n,,\x01"
                                "auth=Bearer " +
                                    token +
                                    "\x01"
                                    "auth=Bearer " +
                                    token + "\x01\x01"}) {
    auto step = run(bad);
    EXPECT_EQ(step.outcome, state::failure) << bad;
    EXPECT_NE(step.reason.find("malformed OAUTHBEARER message"), std::string::npos) << step.reason;
  }
  // A second message after the end fails.
  oauthbearer_server once(v);
  once.step(
      "n,,\x01"
      "auth=Bearer " +
          token + "\x01\x01",
      [](sasl_step) {});
  sasl_step again;
  once.step("\x01", [&](sasl_step s) { again = std::move(s); });
  EXPECT_EQ(again.outcome, state::failure);
}

}  // namespace
}  // namespace brook::security
