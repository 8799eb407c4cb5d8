// request_context: a handler asks the context's authorizer about the context's principal
// and client address; a broker allows everything until ACLs exist, and a replacement
// authorizer set at start-up is the one every request then asks.
#include "broker/request_context.h"

#include <gtest/gtest.h>

#include "support/broker_fixture.h"

namespace brook::broker {
namespace {

using security::acl_operation;
using security::resource_type;

// Records the question and answers with a fixed rule: only alice may write topic "t".
class recording_authorizer final : public security::authorizer {
 public:
  bool permits(const security::principal& who, std::string_view host, acl_operation op,
               const security::acl_resource& resource) const override {
    last = who.to_string() + " " + std::string(host) + " " +
           std::string(security::acl_operation_name(op)) + " " +
           std::string(security::resource_type_name(resource.type)) + ":" +
           std::string(resource.name);
    return who.name == "alice" && op == acl_operation::write && resource.name == "t";
  }
  bool permits_any(const security::principal& who, std::string_view, acl_operation op,
                   resource_type type) const override {
    return who.name == "alice" && op == acl_operation::write && type == resource_type::topic;
  }
  mutable std::string last;
};

TEST(RequestContext, AnonymousUntilAuthenticated) {
  request_context ctx;
  EXPECT_EQ(ctx.principal.to_string(), "User:ANONYMOUS");
  EXPECT_EQ(ctx.listener, "PLAINTEXT");
}

TEST(RequestContext, ABrokerAllowsEverythingByDefault) {
  test::broker_fixture f;
  request_context ctx;
  ctx.authorizer = &f.b->authorizer();
  EXPECT_TRUE(ctx.authorized(acl_operation::remove, resource_type::topic, "anything"));
  EXPECT_TRUE(ctx.authorized(acl_operation::alter, resource_type::cluster, "kafka-cluster"));
}

TEST(RequestContext, TheAuthorizerIsAskedAboutThePrincipalHostOperationAndResource) {
  test::broker_fixture f;
  recording_authorizer acl;
  f.b->set_authorizer(acl);
  request_context ctx;
  ctx.authorizer = &f.b->authorizer();
  ctx.client_host = "/127.0.0.1";
  ctx.principal = {"User", "alice"};
  EXPECT_TRUE(ctx.authorized(acl_operation::write, resource_type::topic, "t"));
  EXPECT_EQ(acl.last, "User:alice /127.0.0.1 WRITE TOPIC:t");
  EXPECT_FALSE(ctx.authorized(acl_operation::read, resource_type::group, "g"));
  EXPECT_EQ(acl.last, "User:alice /127.0.0.1 READ GROUP:g");
  ctx.principal = security::principal::anonymous();
  EXPECT_FALSE(ctx.authorized(acl_operation::write, resource_type::topic, "t"));
}

TEST(RequestContext, TopicCreationAuthorizedOperationsAndDenialMessages) {
  test::broker_fixture f;
  recording_authorizer acl;
  f.b->set_authorizer(acl);
  request_context ctx;
  ctx.authorizer = &f.b->authorizer();
  ctx.principal = {"User", "alice"};
  EXPECT_FALSE(ctx.may_create_topic("t"));
  // Alice may only WRITE "t" (the test authorizer implies nothing): no DESCRIBE, no bits.
  EXPECT_EQ(ctx.authorized_operations(resource_type::topic, "t"), 0);  // no DESCRIBE
  EXPECT_EQ(ctx.authorized_operations(resource_type::topic, "u"), 0);
  EXPECT_EQ(denied_message(resource_type::topic, "orders"),
            "Not authorized to access topics: [orders]");
  EXPECT_EQ(denied_message(resource_type::group, "billing"),
            "Not authorized to access group: billing");
  EXPECT_EQ(denied_message(resource_type::cluster, "kafka-cluster"),
            "Cluster authorization failed.");
}

TEST(RequestContext, RefusalsAreReportedAndWhatIsOnlyLeftOutIsNot) {
  recording_authorizer acl;
  std::vector<std::string> denials;
  acl.on_denial([&](const security::principal& who, std::string_view host, acl_operation op,
                    const security::acl_resource& r) {
    denials.push_back(who.to_string() + " " + std::string(host) + " " +
                      std::string(security::acl_operation_name(op)) + " " + std::string(r.name));
  });
  request_context ctx;
  ctx.authorizer = &acl;
  ctx.client_host = "/10.0.0.7";
  ctx.principal = {"User", "bob"};
  EXPECT_FALSE(ctx.permitted(acl_operation::describe, resource_type::topic, "t"));
  EXPECT_EQ(ctx.authorized_operations(resource_type::topic, "t"), 0);
  EXPECT_TRUE(denials.empty());
  EXPECT_FALSE(ctx.authorized(acl_operation::read, resource_type::topic, "t"));
  // CREATE on the cluster or the topic: one refusal, named after the topic.
  EXPECT_FALSE(ctx.may_create_topic("new"));
  EXPECT_EQ(denials, (std::vector<std::string>{"User:bob /10.0.0.7 READ t",
                                               "User:bob /10.0.0.7 CREATE new"}));
  ctx.principal = {"User", "alice"};
  EXPECT_TRUE(ctx.authorized(acl_operation::write, resource_type::topic, "t"));
  EXPECT_EQ(denials.size(), 2u);
}

}  // namespace
}  // namespace brook::broker
