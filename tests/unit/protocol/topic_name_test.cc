#include "protocol/topic_name.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace brook::protocol {
namespace {

// Why `name` is refused (as INVALID_TOPIC_EXCEPTION), or "" when it is legal.
std::string refusal(std::string_view name) {
  auto valid = validate_topic_name(name);
  if (valid) {
    return "";
  }
  EXPECT_EQ(valid.error().code, kafka_error::invalid_topic_exception) << name;
  return valid.error().message;
}

TEST(TopicName, AcceptsKafkaLegalNames) {
  EXPECT_EQ(refusal("events"), "");
  EXPECT_EQ(refusal("a"), "");
  EXPECT_EQ(refusal("Orders_v2.eu-west-1"), "");
  EXPECT_EQ(refusal("..."), "");
  EXPECT_EQ(refusal("__consumer_offsets"), "");
  EXPECT_EQ(refusal(std::string(249, 'x')), "");
}

TEST(TopicName, EmptyIsRefused) {
  EXPECT_EQ(refusal(""), "Topic name is illegal, it can't be empty");
}

TEST(TopicName, DotAndDotDotAreRefused) {
  EXPECT_EQ(refusal("."), "Topic name cannot be \".\" or \"..\"");
  EXPECT_EQ(refusal(".."), "Topic name cannot be \".\" or \"..\"");
}

TEST(TopicName, LongerThan249IsRefused) {
  EXPECT_EQ(refusal(std::string(250, 'x')),
            "Topic name is illegal, it can't be longer than 249 characters");
}

TEST(TopicName, IllegalCharactersAreRefused) {
  const std::string message =
      "Topic name is illegal, it contains a character other than ASCII alphanumerics, '.', "
      "'_' and '-'";
  for (const std::string& bad :
       std::vector<std::string>{"a b", "a/b", "a\\b", "topic!", "t\xc3\xa9", "a:b", "a,b", "a+b",
                                std::string("a\0b", 3), "a\n"}) {
    EXPECT_EQ(refusal(bad), message) << bad;
  }
}

TEST(TopicName, IsLegalAgreesWithValidate) {
  EXPECT_TRUE(is_legal_topic_name("events"));
  EXPECT_TRUE(is_legal_topic_name(std::string(249, 'x')));
  EXPECT_FALSE(is_legal_topic_name(""));
  EXPECT_FALSE(is_legal_topic_name(".."));
  EXPECT_FALSE(is_legal_topic_name(std::string(250, 'x')));
  EXPECT_FALSE(is_legal_topic_name("^events.*"));
}

TEST(TopicName, KafkasAndBrooksInternalNames) {
  EXPECT_TRUE(is_internal_topic_name("__consumer_offsets"));
  EXPECT_TRUE(is_internal_topic_name("__transaction_state"));
  EXPECT_TRUE(is_internal_topic_name("__cluster_metadata"));
  EXPECT_TRUE(is_internal_topic_name("__brook_audit"));
  EXPECT_TRUE(is_brook_internal_topic_name("__brook_audit"));
  EXPECT_FALSE(is_brook_internal_topic_name("__consumer_offsets"));
  // Kafka lets clients use other names with two underscores (tools do: __confluent.*).
  EXPECT_FALSE(is_internal_topic_name("__"));
  EXPECT_FALSE(is_internal_topic_name("__consumer_offsets2"));
  EXPECT_FALSE(is_internal_topic_name("__confluent.support.metrics"));
  EXPECT_FALSE(is_internal_topic_name("_private"));
  EXPECT_FALSE(is_internal_topic_name("events__"));
  EXPECT_FALSE(is_internal_topic_name(""));
}

TEST(TopicName, DotAndUnderscoreCollide) {
  EXPECT_TRUE(has_collision_chars("a.b"));
  EXPECT_TRUE(has_collision_chars("a_b"));
  EXPECT_FALSE(has_collision_chars("a-b"));
  EXPECT_EQ(unify_collision_chars("a.b_c.d"), "a_b_c_d");
  EXPECT_TRUE(topic_names_collide("a.b", "a_b"));
  EXPECT_TRUE(topic_names_collide("x_y.z", "x.y_z"));
  EXPECT_FALSE(topic_names_collide("a.b", "a.b"));
  EXPECT_FALSE(topic_names_collide("a.b", "a-b"));
  EXPECT_FALSE(topic_names_collide("a.b", "a_bc"));
}

}  // namespace
}  // namespace brook::protocol
