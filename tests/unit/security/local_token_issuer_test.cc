// Brook's own bearer tokens: issued, taken by the jwt_validator beside an OpenID Connect
// issuer, bound to the user's credentials, signed by a key that survives a restart.
#include "security/local_token_issuer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "security/scram_credential.h"
#include "security/user_directory.h"
#include "support/temp_dir.h"
#include "support/token_issuer.h"

namespace brook::security {
namespace {

using namespace std::chrono_literals;

token_verdict validate(const jwt_validator& v, const std::string& token) {
  std::optional<token_verdict> out;
  v.validate(token, [&out](token_verdict verdict) { out = std::move(verdict); });
  EXPECT_TRUE(out.has_value());  // fixed keys: answered at once
  return out.value_or(token_verdict{});
}

struct LocalTokenIssuer : ::testing::Test {
  void SetUp() override {
    auto opened = user_directory::open(dir.path());
    ASSERT_TRUE(opened);
    users = std::move(*opened);
    ASSERT_TRUE(users->put("agent-1", scram_credential_from_password(scram_mechanism::sha512,
                                                                     "first password", 4096)));
  }
  std::unique_ptr<local_token_issuer> open(local_token_issuer::options o = {}) {
    auto issuer = local_token_issuer::open(dir.path(), *users, std::move(o));
    EXPECT_TRUE(issuer) << (issuer ? "" : issuer.error());
    return issuer ? std::move(*issuer) : nullptr;
  }
  test::temp_dir dir;
  std::unique_ptr<user_directory> users;
};

TEST_F(LocalTokenIssuer, ATokenIsTakenUntilTheUsersCredentialsChange) {
  auto issuer = open();
  jwt_validator v({issuer->trusted()});
  auto token = issuer->issue("agent-1");
  ASSERT_TRUE(token) << token.error();
  const auto left = token->expires_at - std::chrono::system_clock::now();
  EXPECT_GT(left, 890s);
  EXPECT_LE(left, 900s);
  auto verdict = validate(v, token->text);
  ASSERT_TRUE(verdict.who) << verdict.reason;
  EXPECT_EQ(verdict.who->to_string(), "User:agent-1");
  EXPECT_TRUE(verdict.bound);

  // A new password: the token is void.
  ASSERT_TRUE(users->put(
      "agent-1", scram_credential_from_password(scram_mechanism::sha512, "second password", 4096)));
  verdict = validate(v, token->text);
  EXPECT_FALSE(verdict.who);
  EXPECT_NE(verdict.reason.find("changed since the token was issued"), std::string::npos)
      << verdict.reason;
  EXPECT_EQ(verdict.claimed, "agent-1");
  // A new token is bound to the new password; removing the user voids it too.
  auto again = issuer->issue("agent-1");
  ASSERT_TRUE(again);
  EXPECT_TRUE(validate(v, again->text).who);
  ASSERT_TRUE(users->remove_user("agent-1"));
  verdict = validate(v, again->text);
  EXPECT_FALSE(verdict.who);
  EXPECT_NE(verdict.reason.find("no credentials"), std::string::npos) << verdict.reason;
  // No credentials, no token.
  EXPECT_FALSE(issuer->issue("agent-1"));
  EXPECT_FALSE(issuer->issue("nobody"));
}

TEST_F(LocalTokenIssuer, TheKeyIsKeptOwnerOnlyAndTakenAgainAfterARestart) {
  std::string token;
  {
    auto issuer = open();
    token = issuer->issue("agent-1")->text;
  }
  struct stat st {};
  ASSERT_EQ(::stat((dir / local_token_issuer::key_file).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto reopened = open();
  jwt_validator v({reopened->trusted()});
  EXPECT_TRUE(validate(v, token).who);
}

TEST_F(LocalTokenIssuer, AKeyFileThatIsNotAP256KeyIsAClearError) {
  std::ofstream(dir / local_token_issuer::key_file) << "-----BEGIN PRIVATE KEY-----\nxx\n";
  auto issuer = local_token_issuer::open(dir.path(), *users, {});
  ASSERT_FALSE(issuer);
  EXPECT_NE(issuer.error().find("is not a P-256 private key"), std::string::npos) << issuer.error();
}

TEST_F(LocalTokenIssuer, AnExpiredTokenIsRefused) {
  local_token_issuer::options o;
  o.lifetime = 60s;
  o.now = [] { return std::chrono::system_clock::now() - 1h; };
  auto issuer = open(o);
  jwt_validator v({issuer->trusted()});
  auto verdict = validate(v, issuer->issue("agent-1")->text);
  EXPECT_FALSE(verdict.who);
  EXPECT_NE(verdict.reason.find("expired"), std::string::npos) << verdict.reason;
}

TEST_F(LocalTokenIssuer, TakenBesideAnOpenIdConnectIssuerEachCheckedByItsOwnKeys) {
  auto issuer = open();
  test::token_issuer oidc("https://idp.example", test::token_issuer::key_type::ec);
  jwt_rules oidc_rules;
  oidc_rules.issuer = "https://idp.example";
  oidc_rules.audiences = {"brook"};
  jwt_validator v({issuer->trusted(), trusted_issuer{oidc_rules, &oidc.keys(), {}}});

  auto own = validate(v, issuer->issue("agent-1")->text);
  ASSERT_TRUE(own.who) << own.reason;
  EXPECT_TRUE(own.bound);
  auto theirs = validate(v, oidc.token(test::token_issuer::claims("alice", "brook")));
  ASSERT_TRUE(theirs.who) << theirs.reason;
  EXPECT_EQ(theirs.who->name, "alice");
  EXPECT_FALSE(theirs.bound);  // the provider's tokens are not tied to a password

  // The provider's key cannot make Brook's tokens: Brook's "iss" with its claims, signed by
  // the provider, is refused.
  auto claims = test::token_issuer::claims("agent-1", "brook");
  claims["iss"] = "\"" + issuer->settings().issuer + "\"";
  auto forged = validate(v, oidc.token(claims));
  EXPECT_FALSE(forged.who);
  // An issuer nobody trusts.
  test::token_issuer stranger("https://elsewhere.example", test::token_issuer::key_type::ec);
  auto unknown = validate(v, stranger.token(test::token_issuer::claims("alice", "brook")));
  EXPECT_FALSE(unknown.who);
  EXPECT_NE(unknown.reason.find("is not a trusted issuer"), std::string::npos) << unknown.reason;
}

}  // namespace
}  // namespace brook::security
