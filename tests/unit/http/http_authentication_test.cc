#include "http/http_authentication.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "security/user_directory.h"
#include "support/temp_dir.h"

namespace brook::http {
namespace {

std::string basic(std::string_view user_password) {
  return "Basic " + base64_encode(user_password);
}

TEST(HttpAuthentication, WithoutLoginsEveryoneIsAnonymousWhateverTheyOffer) {
  http_authentication none;
  EXPECT_FALSE(none.required());
  for (std::string_view header : {"", "Basic !!", "Bearer x", "AWS4-HMAC-SHA256 Credential=a"}) {
    auto v = none.authenticate(header);
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

  auto ok = logins.authenticate(basic("alice:p:w d"));  // the password may hold ':' and ' '
  ASSERT_TRUE(ok.who) << ok.problem;
  EXPECT_EQ(ok.who->to_string(), "User:alice");
  EXPECT_TRUE(logins.authenticate("bAsIc   " + base64_encode("alice:p:w d") + "  ").who);

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
    auto v = logins.authenticate(r.header);
    EXPECT_FALSE(v.who) << r.header;
    EXPECT_NE(v.problem.find(r.says), std::string::npos) << r.header << ": " << v.problem;
    EXPECT_EQ(v.problem.find("wrong"), std::string::npos) << "a secret in the answer";
    EXPECT_EQ(v.problem.find("sk-live"), std::string::npos) << "a secret in the answer";
  }
  EXPECT_EQ(logins.authenticate(basic("nobody:x")).attempted_user, "nobody");
}

}  // namespace
}  // namespace brook::http
