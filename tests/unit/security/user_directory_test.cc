#include "security/user_directory.h"

#include <gtest/gtest.h>

#include "security/plain_server.h"
#include "support/temp_dir.h"

namespace brook::security {
namespace {

TEST(UserDirectory, UsersSurviveAReopen) {
  test::temp_dir dir;
  {
    auto users = user_directory::open(dir.path());
    ASSERT_TRUE(users) << users.error().message();
    EXPECT_TRUE((*users)->empty());
    ASSERT_TRUE((*users)->put(
        "alice", scram_credential_from_password(scram_mechanism::sha256, "pw-a", 4096)));
    ASSERT_TRUE((*users)->put(
        "alice", scram_credential_from_password(scram_mechanism::sha512, "pw-a", 8192)));
    ASSERT_TRUE((*users)->put(
        "bob", scram_credential_from_password(scram_mechanism::sha256, "pw-b", 4096)));
  }
  auto users = user_directory::open(dir.path());
  ASSERT_TRUE(users);
  auto all = (*users)->list();
  ASSERT_EQ(all.size(), 2U);
  ASSERT_EQ(all["alice"].size(), 2U);
  EXPECT_EQ(all["alice"][1].second, 8192);
  EXPECT_TRUE(password_matches(**users, "alice", "pw-a"));
  EXPECT_FALSE(password_matches(**users, "alice", "pw-b"));
  EXPECT_TRUE(password_matches(**users, "bob", "pw-b"));
  EXPECT_FALSE(password_matches(**users, "carol", "pw-b"));
}

TEST(UserDirectory, RemovalsAreDurableAndChangeTheGeneration) {
  test::temp_dir dir;
  {
    auto users = user_directory::open(dir.path());
    ASSERT_TRUE(users);
    ASSERT_TRUE(
        (*users)->put("alice", scram_credential_from_password(scram_mechanism::sha256, "x")));
    ASSERT_TRUE(
        (*users)->put("alice", scram_credential_from_password(scram_mechanism::sha512, "x")));
    const auto g = (*users)->generation();
    auto removed = (*users)->remove("alice", scram_mechanism::sha256);
    ASSERT_TRUE(removed);
    EXPECT_TRUE(*removed);
    EXPECT_GT((*users)->generation(), g);
    removed = (*users)->remove("alice", scram_mechanism::sha256);
    ASSERT_TRUE(removed);
    EXPECT_FALSE(*removed);
  }
  auto users = user_directory::open(dir.path());
  ASSERT_TRUE(users);
  EXPECT_FALSE((*users)->find("alice", scram_mechanism::sha256));
  EXPECT_TRUE((*users)->find("alice", scram_mechanism::sha512));
  auto gone = (*users)->remove_user("alice");
  ASSERT_TRUE(gone);
  EXPECT_TRUE(*gone);
  EXPECT_TRUE((*users)->empty());
}

TEST(UserDirectory, TheDecoyIsStableAndMatchesNoPassword) {
  test::temp_dir dir;
  auto users = user_directory::open(dir.path());
  ASSERT_TRUE(users);
  auto a = (*users)->decoy("ghost", scram_mechanism::sha256);
  auto b = (*users)->decoy("ghost", scram_mechanism::sha256);
  EXPECT_EQ(a.salt, b.salt);
  EXPECT_NE(a.salt, (*users)->decoy("other", scram_mechanism::sha256).salt);
  EXPECT_FALSE(scram_password_matches(a, ""));
  // A restart must not tell an unknown user from a known one: the decoy's salt stays.
  users->reset();
  auto reopened = user_directory::open(dir.path());
  ASSERT_TRUE(reopened);
  EXPECT_EQ((*reopened)->decoy("ghost", scram_mechanism::sha256).salt, a.salt);
  test::temp_dir other;
  auto elsewhere = user_directory::open(other.path());
  ASSERT_TRUE(elsewhere);
  EXPECT_NE((*elsewhere)->decoy("ghost", scram_mechanism::sha256).salt, a.salt);
}

}  // namespace
}  // namespace brook::security
