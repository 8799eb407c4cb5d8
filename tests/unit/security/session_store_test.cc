#include "security/session_store.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace brook::security {
namespace {

using namespace std::chrono_literals;

const principal alice{"User", "alice"};
const principal bob{"User", "bob"};

TEST(SessionStore, ASessionNamesItsPrincipalAndCsrfTokenUntilClosed) {
  session_store store({30min, 12h, 100});
  const auto t0 = session_store::clock::now();
  auto s = store.open(alice, std::nullopt, t0);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id.size(), 43u);
  EXPECT_EQ(s->csrf.size(), 43u);
  EXPECT_NE(s->id, s->csrf);
  auto found = store.find(s->id, t0 + 1s);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->who, alice);
  EXPECT_EQ(found->csrf, s->csrf);
  EXPECT_EQ(found->expires_in, 30min);
  EXPECT_FALSE(store.find(s->csrf, t0)) << "the CSRF token is not an identifier";
  EXPECT_FALSE(store.find(s->id.substr(1), t0));
  EXPECT_FALSE(store.find("", t0));
  EXPECT_TRUE(store.close(s->id));
  EXPECT_FALSE(store.find(s->id, t0 + 2s)) << "logged out";
  EXPECT_FALSE(store.close(s->id));
}

TEST(SessionStore, IdentifiersAreDistinct) {
  session_store store({30min, 12h, 1000});
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    auto s = store.open(alice);
    ASSERT_TRUE(s);
    EXPECT_TRUE(ids.insert(s->id).second);
  }
}

TEST(SessionStore, AnIdleSessionEndsAndUseKeepsItOpenUntilItsLifetime) {
  session_store store({10min, 1h, 100});
  const auto t0 = session_store::clock::now();
  auto idle = store.open(alice, std::nullopt, t0);
  auto used = store.open(bob, std::nullopt, t0);
  for (auto t = t0 + 9min; t < t0 + 60min; t += 9min) {
    auto found = store.find(used->id, t);
    ASSERT_TRUE(found) << "used every 9 minutes";
    EXPECT_LE(found->expires_in, 10min);
  }
  EXPECT_FALSE(store.find(idle->id, t0 + 10min)) << "idle for 10 minutes";
  auto last = store.find(used->id, t0 + 59min);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->expires_in, 1min) << "the lifetime ends first";
  EXPECT_FALSE(store.find(used->id, t0 + 60min)) << "past its lifetime, used or not";
}

TEST(SessionStore, PastTheBoundNewLoginsAreRefusedAndExpiredOnesMakeRoom) {
  session_store store({10min, 1h, 3});
  const auto t0 = session_store::clock::now();
  auto first = store.open(alice, std::nullopt, t0);
  ASSERT_TRUE(store.open(alice, std::nullopt, t0 + 5min));
  ASSERT_TRUE(store.open(bob, std::nullopt, t0 + 5min));
  EXPECT_FALSE(store.open(bob, std::nullopt, t0 + 6min)) << "full: refused, nobody evicted";
  EXPECT_TRUE(store.find(first->id, t0 + 6min)) << "still open";
  EXPECT_TRUE(store.open(bob, std::nullopt, t0 + 17min)) << "the two others expired at t0 + 15 min";
  EXPECT_EQ(store.open_count(), 1u) << "the sweep dropped the three expired";
}

TEST(SessionStore, OnePrincipalKeepsAtMostItsBoundAndItsOldestEnds) {
  session_limits limits{30min, 12h, 100};
  limits.max_per_principal = 3;
  session_store store(limits);
  const auto t0 = session_store::clock::now();
  std::vector<session_store::opened> mine;
  for (int i = 0; i < 3; ++i) {
    mine.push_back(*store.open(alice, std::nullopt, t0 + std::chrono::seconds(i)));
  }
  auto other = store.open(bob, std::nullopt, t0);
  auto fourth = store.open(alice, std::nullopt, t0 + 10s);
  ASSERT_TRUE(fourth);
  EXPECT_FALSE(store.alive(mine[0].id, t0 + 11s)) << "alice's oldest ended";
  EXPECT_TRUE(store.alive(mine[1].id, t0 + 11s));
  EXPECT_TRUE(store.alive(other->id, t0 + 11s)) << "bob's untouched";
  EXPECT_EQ(store.open_count(), 4u);
  // alive() is not a use: an idle session still ends.
  EXPECT_FALSE(store.alive(mine[1].id, t0 + 31min));
}

TEST(SessionStore, ClosingAllOfAPrincipalLeavesOthers) {
  session_store store({10min, 1h, 10});
  auto a1 = store.open(alice);
  auto a2 = store.open(alice);
  auto b = store.open(bob);
  EXPECT_EQ(store.close_all_of(alice), 2u);
  EXPECT_FALSE(store.find(a1->id));
  EXPECT_FALSE(store.find(a2->id));
  EXPECT_TRUE(store.find(b->id));
}

TEST(SessionStore, APasswordSessionEndsWhenTheUsersCredentialsChange) {
  uint64_t generation = 5;
  std::map<std::string, uint64_t, std::less<>> changed{{"alice", 3}, {"bob", 4}};
  session_store store(
      {30min, 12h, 100},
      [&](std::string_view user) {
        auto it = changed.find(user);
        return it == changed.end() ? uint64_t{0} : it->second;
      },
      [&] { return generation; });
  auto by_password = store.open(alice, store.current_generation());
  auto by_sso = store.open(alice, std::nullopt);
  auto bob_session = store.open(bob, store.current_generation());
  EXPECT_TRUE(store.find(by_password->id));
  changed["alice"] = ++generation;  // a new password, or alice deleted
  EXPECT_FALSE(store.find(by_password->id)) << "bound to the old credentials";
  EXPECT_TRUE(store.find(by_sso->id)) << "a single sign-on session is the provider's";
  EXPECT_TRUE(store.find(bob_session->id)) << "another user's";
  auto again = store.open(alice, store.current_generation());
  EXPECT_TRUE(store.find(again->id)) << "a login after the change";
}

}  // namespace
}  // namespace brook::security
