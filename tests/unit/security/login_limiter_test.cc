#include "security/login_limiter.h"

#include <gtest/gtest.h>

#include <simdjson.h>

#include "security/audit_log.h"
#include "security/login_guard.h"

namespace brook::security {
namespace {

using namespace std::chrono_literals;

TEST(LoginLimiter, AnAddressOverItsLimitIsRefusedUntilTheWindowEnds) {
  login_limiter limiter({3, 0, 60s});
  const auto t0 = login_limiter::clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.refused("10.0.0.7", "alice", t0));
    limiter.failed("10.0.0.7", "alice", t0 + 1s);
  }
  auto first = limiter.refused("10.0.0.7", "bob", t0 + 2s);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->first);
  EXPECT_EQ(first->reason, "too many failed logins from 10.0.0.7 (3 in 60 s)");
  auto second = limiter.refused("10.0.0.7", "", t0 + 3s);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->first);  // audited once per window
  EXPECT_FALSE(limiter.refused("10.0.0.8", "alice", t0 + 3s)) << "another address";
  EXPECT_FALSE(limiter.refused("10.0.0.7", "alice", t0 + 62s)) << "the window ended";
}

TEST(LoginLimiter, AUserOverItsLimitIsRefusedFromAnyAddress) {
  login_limiter limiter({0, 2, 10s});
  const auto t0 = login_limiter::clock::now();
  limiter.failed("10.0.0.1", "alice", t0);
  limiter.failed("10.0.0.2", "alice", t0);
  EXPECT_FALSE(limiter.refused("10.0.0.3", "", t0)) << "the user is not known yet";
  auto r = limiter.refused("10.0.0.3", "alice", t0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, "too many failed logins as 'alice' (2 in 10 s)");
  EXPECT_FALSE(limiter.refused("10.0.0.3", "bob", t0));
}

TEST(LoginLimiter, MemoryIsBoundedByMaxKeys) {
  login_limiter limiter({1, 0, 60s}, 100);
  const auto t0 = login_limiter::clock::now();
  for (int i = 0; i < 1000; ++i) {
    limiter.failed("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), "", t0);
  }
  EXPECT_TRUE(limiter.refused("10.0.0.0", "", t0));
  EXPECT_FALSE(limiter.refused("10.0.3.200", "", t0)) << "past max_keys: not tracked";
  // Once the window passed, old keys make room.
  limiter.failed("10.9.9.9", "", t0 + 61s);
  EXPECT_TRUE(limiter.refused("10.9.9.9", "", t0 + 61s));
}

TEST(AuditLog, RecordsAreJsonHandedOnInOrderAndDroppedPastTheQueue) {
  std::vector<std::string> stored;
  std::mutex mu;
  {
    audit_log log(
        [&](std::vector<std::string> records, std::function<void(bool)> done) {
          std::lock_guard lock(mu);
          stored.insert(stored.end(), records.begin(), records.end());
          done(true);
        },
        100'000);
    login_limiter limiter({2, 0, 60s});
    login_guard guard(limiter, &log);
    login_attempt a{"SASL_SSL", "10.0.0.7", "PLAIN"};
    guard.failed(a, "mallory\"\n", "invalid credentials");
    guard.failed(a, "mallory", "invalid credentials");
    EXPECT_TRUE(guard.admit(a, "mallory"));
    EXPECT_TRUE(guard.admit(a, "mallory"));  // not audited twice
    guard.succeeded({"http", "::1", "basic"}, principal{"User", "alice"});
    log.stop();
    EXPECT_EQ(log.current().published, 4u);
  }
  ASSERT_EQ(stored.size(), 4u);
  simdjson::dom::parser parser;
  std::vector<std::string> outcomes;
  for (const auto& text : stored) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(text).get(e), simdjson::SUCCESS) << text;
    outcomes.emplace_back(std::string_view(e["outcome"]));
  }
  EXPECT_EQ(outcomes, (std::vector<std::string>{"failure", "failure", "rate_limited", "success"}));
  EXPECT_NE(stored[0].find(R"("user":"mallory\"\n")"), std::string::npos) << stored[0];
  EXPECT_NE(stored[3].find(R"("principal":"User:alice")"), std::string::npos) << stored[3];

  audit_log full([](std::vector<std::string>, std::function<void(bool)> done) { done(false); }, 0);
  full.record({});
  full.stop();
  EXPECT_EQ(full.current().dropped, 1u);
}

}  // namespace
}  // namespace brook::security
