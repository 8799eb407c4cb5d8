#include "security/acl_authorizer.h"

#include <gtest/gtest.h>

#include <random>

#include "support/temp_dir.h"

namespace brook::security {
namespace {

acl_binding binding(resource_type type, std::string name, pattern_type pattern,
                    std::string principal, acl_operation op, acl_permission permission,
                    std::string host = "*") {
  return acl_binding{type, std::move(name), pattern, std::move(principal), std::move(host),
                     op,   permission};
}

principal user(std::string name) {
  return principal{"User", std::move(name)};
}

// Resources are views: the names are literals, alive for the whole test.
acl_resource topic(std::string_view name) {
  return acl_resource{resource_type::topic, name};
}

class AclAuthorizer : public ::testing::Test {
 protected:
  void open(acl_authorizer_options options = {}) {
    acls.reset();
    acls = acl_authorizer::open(dir.path(), std::move(options)).value();
  }
  bool may(const std::string& who, acl_operation op, const acl_resource& r,
           std::string_view host = "/127.0.0.1") {
    return acls->authorize(user(who), host, op, r);
  }

  test::temp_dir dir;
  std::unique_ptr<acl_authorizer> acls;
};

TEST_F(AclAuthorizer, NoAclFoundFollowsTheSetting) {
  open({{}, false});
  EXPECT_FALSE(may("alice", acl_operation::read, topic("t")));
  open({{}, true});
  EXPECT_TRUE(may("alice", acl_operation::read, topic("t")));
  // Once any binding applies to the resource, only the bindings decide.
  ASSERT_TRUE(acls->create({binding(resource_type::topic, "t", pattern_type::literal, "User:bob",
                                    acl_operation::read, acl_permission::allow)}));
  EXPECT_FALSE(may("alice", acl_operation::read, topic("t")));
  EXPECT_TRUE(may("alice", acl_operation::read, topic("other")));
}

TEST_F(AclAuthorizer, LiteralWildcardAndPrefixedPatterns) {
  open();
  ASSERT_TRUE(acls->create({binding(resource_type::topic, "orders-", pattern_type::prefixed,
                                    "User:alice", acl_operation::write, acl_permission::allow),
                            binding(resource_type::topic, "*", pattern_type::literal, "User:bob",
                                    acl_operation::read, acl_permission::allow),
                            binding(resource_type::topic, "exact", pattern_type::literal,
                                    "User:carol", acl_operation::read, acl_permission::allow)}));
  EXPECT_TRUE(may("alice", acl_operation::write, topic("orders-eu")));
  EXPECT_FALSE(may("alice", acl_operation::write, topic("order")));
  EXPECT_FALSE(may("alice", acl_operation::read, topic("orders-eu")));
  EXPECT_TRUE(may("bob", acl_operation::read, topic("anything")));
  EXPECT_TRUE(may("carol", acl_operation::read, topic("exact")));
  EXPECT_FALSE(may("carol", acl_operation::read, topic("exactly")));
  // A topic binding says nothing about groups.
  EXPECT_FALSE(may("bob", acl_operation::read, acl_resource{resource_type::group, "anything"}));
}

TEST_F(AclAuthorizer, DenyWinsAndImpliedOperations) {
  open();
  ASSERT_TRUE(acls->create({binding(resource_type::topic, "t", pattern_type::literal, "User:*",
                                    acl_operation::all, acl_permission::allow),
                            binding(resource_type::topic, "t", pattern_type::literal,
                                    "User:mallory", acl_operation::write, acl_permission::deny),
                            binding(resource_type::topic, "c", pattern_type::literal, "User:alice",
                                    acl_operation::alter_configs, acl_permission::allow),
                            binding(resource_type::topic, "d", pattern_type::literal, "User:alice",
                                    acl_operation::remove, acl_permission::allow)}));
  EXPECT_TRUE(may("anyone", acl_operation::write, topic("t")));
  EXPECT_FALSE(may("mallory", acl_operation::write, topic("t")));
  EXPECT_TRUE(may("mallory", acl_operation::read, topic("t")));  // DENY WRITE only
  EXPECT_TRUE(may("alice", acl_operation::describe_configs, topic("c")));
  EXPECT_FALSE(may("alice", acl_operation::describe, topic("c")));
  EXPECT_TRUE(may("alice", acl_operation::describe, topic("d")));
  EXPECT_FALSE(may("alice", acl_operation::read, topic("d")));
}

TEST_F(AclAuthorizer, HostsAndSuperUsers) {
  open({{"User:root"}, false});
  ASSERT_TRUE(acls->create({binding(resource_type::topic, "t", pattern_type::literal, "User:alice",
                                    acl_operation::read, acl_permission::allow, "10.0.0.1")}));
  EXPECT_TRUE(may("alice", acl_operation::read, topic("t"), "/10.0.0.1"));
  EXPECT_FALSE(may("alice", acl_operation::read, topic("t"), "/10.0.0.2"));
  EXPECT_TRUE(
      may("root", acl_operation::alter, acl_resource{resource_type::cluster, "kafka-cluster"}));
}

TEST_F(AclAuthorizer, BindingsSurviveAReopenAndFiltersSelectThem) {
  open();
  ASSERT_TRUE(acls->create({binding(resource_type::topic, "a-", pattern_type::prefixed,
                                    "User:alice", acl_operation::read, acl_permission::allow),
                            binding(resource_type::topic, "a-b", pattern_type::literal, "User:bob",
                                    acl_operation::write, acl_permission::deny),
                            binding(resource_type::group, "g", pattern_type::literal, "User:bob",
                                    acl_operation::read, acl_permission::allow)}));
  open();
  EXPECT_EQ(acls->size(), 3U);
  auto match = make_acl_filter(2, "a-b", 2, std::nullopt, std::nullopt, 1, 1).value();
  EXPECT_EQ(acls->describe(match).size(), 2U);
  auto bobs = make_acl_filter(1, std::nullopt, 1, "User:bob", std::nullopt, 1, 1).value();
  EXPECT_EQ(acls->describe(bobs).size(), 2U);
  auto removed = acls->remove(bobs);
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->size(), 2U);
  open();
  EXPECT_EQ(acls->size(), 1U);
}

TEST(AclBinding, InvalidBindingsAreRefusedWithKafkasReasons) {
  EXPECT_TRUE(make_acl_binding(2, "t", 3, "User:a", "*", 3, 3));
  EXPECT_FALSE(make_acl_binding(1, "t", 3, "User:a", "*", 3, 3));  // ANY resource type
  EXPECT_FALSE(make_acl_binding(2, "t", 2, "User:a", "*", 3, 3));  // MATCH pattern
  EXPECT_FALSE(make_acl_binding(2, "t", 3, "alice", "*", 3, 3));   // no principal type
  EXPECT_FALSE(make_acl_binding(2, "t", 3, "User:a", "", 3, 3));   // no host
  EXPECT_FALSE(make_acl_binding(2, "t", 3, "User:a", "*", 1, 3));  // ANY operation
  EXPECT_FALSE(make_acl_binding(2, "t", 3, "User:a", "*", 3, 1));  // ANY permission
  EXPECT_FALSE(make_acl_binding(2, "", 3, "User:a", "*", 3, 3));   // empty name
  auto cluster = make_acl_binding(4, "other", 3, "User:a", "*", 7, 3);
  ASSERT_FALSE(cluster);
  EXPECT_EQ(cluster.error(), "The only valid name for the CLUSTER resource is kafka-cluster");
  EXPECT_FALSE(make_acl_filter(9, std::nullopt, 1, std::nullopt, std::nullopt, 1, 1));
  EXPECT_FALSE(make_acl_filter(1, std::nullopt, 7, std::nullopt, std::nullopt, 1, 1));
}

// Kafka's authorizeByResourceType (an idempotent producer's WRITE on some topic).
TEST_F(AclAuthorizer, AnyResourceOfATypeUnlessADenyCoversTheAllow) {
  open({{}, true});
  EXPECT_TRUE(acls->authorize_any(user("alice"), "/1.2.3.4", acl_operation::write,
                                  resource_type::topic));  // no topic binding: the setting
  open({{"User:admin"}, false});
  EXPECT_FALSE(
      acls->authorize_any(user("alice"), "/1.2.3.4", acl_operation::write, resource_type::topic));
  EXPECT_TRUE(
      acls->authorize_any(user("admin"), "/1.2.3.4", acl_operation::write, resource_type::topic));
  ASSERT_TRUE(acls->create({binding(resource_type::topic, "orders-", pattern_type::prefixed,
                                    "User:alice", acl_operation::write, acl_permission::allow),
                            binding(resource_type::topic, "t", pattern_type::literal, "User:bob",
                                    acl_operation::all, acl_permission::allow),
                            binding(resource_type::topic, "t", pattern_type::literal, "User:bob",
                                    acl_operation::write, acl_permission::deny),
                            binding(resource_type::topic, "ord", pattern_type::prefixed,
                                    "User:carol", acl_operation::write, acl_permission::deny),
                            binding(resource_type::topic, "orders-x", pattern_type::literal,
                                    "User:carol", acl_operation::write, acl_permission::allow)}));
  auto any = [&](const std::string& who, acl_operation op) {
    return acls->authorize_any(user(who), "/1.2.3.4", op, resource_type::topic);
  };
  EXPECT_TRUE(any("alice", acl_operation::write));
  EXPECT_FALSE(any("alice", acl_operation::describe));  // as Kafka: no implied operations
  EXPECT_FALSE(any("alice", acl_operation::read));
  EXPECT_FALSE(any("bob", acl_operation::write));  // its only ALLOW is denied
  EXPECT_TRUE(any("bob", acl_operation::read));
  EXPECT_FALSE(any("carol", acl_operation::write));  // the denied prefix covers orders-x
  EXPECT_FALSE(any("dave", acl_operation::write));
  // Allowing everyone where no binding applies still counts once topic bindings exist.
  open({{"User:admin"}, true});
  EXPECT_TRUE(any("dave", acl_operation::write));
  // ...unless a DENY of every name applies.
  ASSERT_TRUE(acls->create({binding(resource_type::topic, "*", pattern_type::literal, "User:dave",
                                    acl_operation::write, acl_permission::deny)}));
  EXPECT_FALSE(any("dave", acl_operation::write));
}

// The indexed lookup (ranges of "*" and of the name's prefixes) against the rule itself,
// applied to every binding, over random bindings and resources of few letters (so that
// names, prefixes and "*" meet often).
TEST_F(AclAuthorizer, TheIndexedLookupDecidesAsAScanOfEveryBinding) {
  open({{}, true});
  std::mt19937 rng(12);
  auto pick = [&](std::initializer_list<const char*> from) {
    return std::string(*(from.begin() + rng() % from.size()));
  };
  std::vector<acl_binding> all;
  for (int i = 0; i < 300; ++i) {
    const bool prefixed = rng() % 3 == 0;
    all.push_back(binding(rng() % 4 == 0 ? resource_type::group : resource_type::topic,
                          prefixed ? pick({"a", "ab", "abc", "b", "ba", "*"})
                                   : pick({"a", "ab", "abc", "abd", "b", "*", "*x"}),
                          prefixed ? pattern_type::prefixed : pattern_type::literal,
                          pick({"User:u1", "User:u2", "User:*"}),
                          rng() % 2 == 0 ? acl_operation::read : acl_operation::all,
                          rng() % 5 == 0 ? acl_permission::deny : acl_permission::allow,
                          pick({"*", "127.0.0.1", "10.0.0.1"})));
    ASSERT_TRUE(acls->create({all.back()}));
    if (i % 30 != 29) {
      continue;
    }
    for (std::string name : {"a", "ab", "abc", "abcd", "abd", "b", "ba", "bab", "c", "*x", "*"}) {
      for (auto type : {resource_type::topic, resource_type::group}) {
        for (std::string who : {"u1", "u2", "u3"}) {
          // The rule, over every binding.
          bool any = false;
          bool allow = false;
          bool deny = false;
          for (const auto& b : all) {
            const bool applies = b.type == type && (b.pattern == pattern_type::literal
                                                        ? b.name == name || b.name == "*"
                                                        : name.starts_with(b.name));
            if (!applies) {
              continue;
            }
            any = true;
            if ((b.principal != "User:" + who && b.principal != "User:*") ||
                (b.host != "*" && b.host != "127.0.0.1")) {
              continue;
            }
            (b.permission == acl_permission::deny ? deny : allow) = true;
          }
          const bool expected = deny ? false : any ? allow : true;
          EXPECT_EQ(may(who, acl_operation::read, acl_resource{type, name}), expected)
              << who << " READ " << name << " after " << all.size() << " bindings";
        }
      }
    }
  }
}

}  // namespace
}  // namespace brook::security
