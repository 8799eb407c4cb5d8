#include "security/password_authenticator.h"

#include <gtest/gtest.h>

#include "security/user_directory.h"
#include "support/temp_dir.h"

namespace brook::security {
namespace {

class PasswordAuthenticator : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = user_directory::open(_dir.path());
    ASSERT_TRUE(opened) << opened.error().message();
    users = std::move(*opened);
    ASSERT_TRUE(
        users->put("alice", scram_credential_from_password(scram_mechanism::sha256, "pw-a")));
  }

  test::temp_dir _dir;
  std::unique_ptr<user_directory> users;
};

TEST_F(PasswordAuthenticator, TheRightPasswordLogsInAsTheUser) {
  password_authenticator logins(*users);
  auto who = logins.login("alice", "pw-a");
  ASSERT_TRUE(who);
  EXPECT_EQ(who->to_string(), "User:alice");
  EXPECT_FALSE(logins.login("alice", "pw-b"));
  EXPECT_FALSE(logins.login("alice", ""));
  EXPECT_FALSE(logins.login("", "pw-a"));
  EXPECT_FALSE(logins.login("mallory", "pw-a"));
  EXPECT_FALSE(logins.login(std::string("alice\0x", 7), "pw-a"));
}

TEST_F(PasswordAuthenticator, ASuccessIsRememberedAndAFailureNever) {
  password_authenticator logins(*users);
  ASSERT_TRUE(logins.login("alice", "pw-a"));
  EXPECT_EQ(logins.remembered_hits(), 0U);
  ASSERT_TRUE(logins.login("alice", "pw-a"));
  EXPECT_EQ(logins.remembered_hits(), 1U);
  // A wrong password is checked in full, and leaves alice's remembered login alone.
  EXPECT_FALSE(logins.login("alice", "pw-a "));
  EXPECT_FALSE(logins.login("alice", "pw-"));
  ASSERT_TRUE(logins.login("alice", "pw-a"));
  EXPECT_EQ(logins.remembered_hits(), 2U);
}

TEST_F(PasswordAuthenticator, AChangedPasswordOrARemovedUserIsForgottenAtOnce) {
  password_authenticator logins(*users);
  ASSERT_TRUE(logins.login("alice", "pw-a"));
  ASSERT_TRUE(logins.login("alice", "pw-a"));
  ASSERT_TRUE(users->put("alice", scram_credential_from_password(scram_mechanism::sha256, "new")));
  EXPECT_FALSE(logins.login("alice", "pw-a"));
  ASSERT_TRUE(logins.login("alice", "new"));
  ASSERT_TRUE(users->remove_user("alice"));
  EXPECT_FALSE(logins.login("alice", "new"));
  // A change to another user also forgets (the generation is the directory's).
  ASSERT_TRUE(users->put("bob", scram_credential_from_password(scram_mechanism::sha512, "b")));
  ASSERT_TRUE(logins.login("bob", "b"));
  const auto hits = logins.remembered_hits();
  ASSERT_TRUE(users->put("carol", scram_credential_from_password(scram_mechanism::sha512, "c")));
  ASSERT_TRUE(logins.login("bob", "b"));
  EXPECT_EQ(logins.remembered_hits(), hits);
}

TEST_F(PasswordAuthenticator, RemembersAtMostItsLimitAndForWithinItsTtl) {
  password_authenticator none_kept(*users, 10, std::chrono::seconds(0));
  ASSERT_TRUE(none_kept.login("alice", "pw-a"));
  ASSERT_TRUE(none_kept.login("alice", "pw-a"));
  EXPECT_EQ(none_kept.remembered_hits(), 0U);

  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(users->put("u" + std::to_string(i),
                           scram_credential_from_password(scram_mechanism::sha256, "p")));
  }
  password_authenticator small(*users, 2);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(small.login("u" + std::to_string(i), "p"));
    }
  }
  // Five users through a memory of two: each round starts over, so few are hits, and every
  // login still answers right.
  EXPECT_LT(small.remembered_hits(), 5U);
}

}  // namespace
}  // namespace brook::security
