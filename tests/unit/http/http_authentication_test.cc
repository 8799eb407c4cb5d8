#include "http/http_authentication.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "base/base64.h"
#include "security/user_directory.h"
#include "support/temp_dir.h"
#include "support/token_issuer.h"

namespace brook::http {
namespace {

std::string basic(std::string_view user_password) {
  return "Basic " + base64_encode(user_password);
}

// The verdict on `header`, the coroutine run to its end.
http_authentication::verdict check(const http_authentication& a, std::string_view header) {
  boost::asio::io_context io;
  std::optional<http_authentication::verdict> out;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        std::string authorization(header);
        security::login_attempt from{"http", "127.0.0.1", {}};
        std::string known;
        http_authentication::verdict v =
            co_await a.authenticate(std::move(authorization), std::move(from), std::move(known));
        out = std::move(v);
      },
      boost::asio::detached);
  io.run();
  return *out;
}

TEST(HttpAuthentication, WithoutLoginsEveryoneIsAnonymousWhateverTheyOffer) {
  http_authentication none;
  EXPECT_FALSE(none.required());
  for (std::string_view header : {"", "Basic !!", "Bearer x", "AWS4-HMAC-SHA256 Credential=a"}) {
    auto v = check(none, header);
    ASSERT_TRUE(v.who) << header;
    EXPECT_EQ(v.who->to_string(), "User:ANONYMOUS");
  }
}

TEST(HttpAuthentication, BasicCredentialsOfAUserLogIn) {
  test::temp_dir dir;
  auto users = security::user_directory::open(dir.path());
  ASSERT_TRUE(users);
  ASSERT_TRUE((*users)->put("alice", security::scram_credential_from_password(
                                         security::scram_mechanism::sha512, "p:w d")));
  security::password_authenticator passwords(**users);
  http_authentication logins(passwords);
  EXPECT_TRUE(logins.required());

  auto ok = check(logins, basic("alice:p:w d"));  // the password may hold ':' and ' '
  ASSERT_TRUE(ok.who) << ok.problem;
  EXPECT_EQ(ok.who->to_string(), "User:alice");
  EXPECT_TRUE(check(logins, "bAsIc   " + base64_encode("alice:p:w d") + "  ").who);

  struct refusal {
    std::string header;
    std::string says;
  };
  for (const auto& r : std::vector<refusal>{
           {"", "Authentication required"},
           {basic("alice:wrong"), "Invalid user name or password"},
           {basic("nobody:p:w d"), "Invalid user name or password"},
           {basic("alice"), "Malformed"},
           {"Basic", "Malformed"},
           {"Basic %%%%", "Malformed"},
           {"Bearer eyJhbGciOiJub25lIn0.e30.", "Bearer"},
           {"Negotiate abc", "Unsupported authentication scheme: use HTTP Basic"},
           {"sk-live-0123456789abcdef", "Unsupported authentication scheme"},
       }) {
    auto v = check(logins, r.header);
    EXPECT_FALSE(v.who) << r.header;
    EXPECT_NE(v.problem.find(r.says), std::string::npos) << r.header << ": " << v.problem;
    EXPECT_EQ(v.problem.find("wrong"), std::string::npos) << "a secret in the answer";
    EXPECT_EQ(v.problem.find("sk-live"), std::string::npos) << "a secret in the answer";
  }
  EXPECT_EQ(check(logins, basic("nobody:x")).attempted_user, "nobody");
  // Without an issuer only Basic is offered.
  auto refused = check(logins, "");
  EXPECT_EQ(logins.challenges(refused),
            std::vector<std::string>{R"(Basic realm="brook", charset="UTF-8")"});
}

TEST(HttpAuthentication, BearerTokensOfTheIssuerLogInBesideBasic) {
  test::temp_dir dir;
  auto users = security::user_directory::open(dir.path());
  ASSERT_TRUE(users);
  security::password_authenticator passwords(**users);
  test::token_issuer issuer("https://issuer.test");
  security::jwt_validator tokens(
      {"https://issuer.test", {"brook"}, "sub", std::chrono::seconds(30)}, issuer.keys());
  http_authentication logins(passwords, &tokens);
  EXPECT_TRUE(logins.takes_tokens());

  auto ok = check(logins, "Bearer " + issuer.token(test::token_issuer::claims("alice", "brook")));
  ASSERT_TRUE(ok.who) << ok.problem;
  EXPECT_EQ(ok.who->to_string(), "User:alice");
  EXPECT_EQ(ok.mechanism, "bearer");

  auto expired = test::token_issuer::claims("alice", "brook");
  expired["exp"] = std::to_string(std::time(nullptr) - 3600);
  auto refused = check(logins, "Bearer " + issuer.token(expired));
  EXPECT_FALSE(refused.who);
  EXPECT_TRUE(refused.bad_token);
  EXPECT_NE(refused.problem.find("expired"), std::string::npos) << refused.problem;
  auto headers = logins.challenges(refused);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_TRUE(headers[1].starts_with(R"(Bearer realm="brook", error="invalid_token")"))
      << headers[1];

  auto none = check(logins, "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.");
  EXPECT_FALSE(none.who);
  EXPECT_NE(none.problem.find("alg 'none' is not accepted"), std::string::npos) << none.problem;
  auto nothing = check(logins, "");
  EXPECT_NE(nothing.problem.find("Bearer"), std::string::npos);
  EXPECT_EQ(logins.challenges(nothing).back(), R"(Bearer realm="brook")");
}

}  // namespace
}  // namespace brook::http
