// The consumer protocol's embedded messages as Brook's own group members write them, read
// back by the parser the coordinator uses for Kafka clients' messages; and topic patterns.
#include "protocol/consumer_protocol.h"

#include <gtest/gtest.h>

#include "protocol/topic_pattern.h"

namespace brook::protocol {
namespace {

TEST(ConsumerProtocol, SubscriptionRoundTrips) {
  auto bytes = encode_consumer_subscription({"a", "b.c"});
  // Version 0: int16 version, array of strings, null user data.
  ASSERT_EQ(bytes.size(), 2u + 4u + (2u + 1u) + (2u + 3u) + 4u);
  auto s = parse_consumer_subscription(bytes);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version, 0);
  EXPECT_EQ(s->topics, (std::vector<std::string>{"a", "b.c"}));
}

TEST(ConsumerProtocol, AssignmentRoundTrips) {
  std::map<std::string, std::vector<int32_t>> parts{{"t1", {0, 2}}, {"t2", {5}}};
  auto a = parse_consumer_assignment(encode_consumer_assignment(parts));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->partitions, parts);
  auto empty = parse_consumer_assignment(encode_consumer_assignment({}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->partitions.empty());
}

TEST(TopicPattern, MatchesWholeNamesOnly) {
  auto p = topic_pattern::compile("orders-.*");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->matches("orders-eu"));
  EXPECT_TRUE(p->matches("orders-"));
  EXPECT_FALSE(p->matches("old-orders-eu"));
  EXPECT_FALSE(p->matches("orders"));
  auto alternatives = topic_pattern::compile("a|b");
  ASSERT_TRUE(alternatives);
  EXPECT_TRUE(alternatives->matches("a"));
  EXPECT_FALSE(alternatives->matches("ab"));  // anchored around the whole alternation
  auto copy = *p;                             // copies share the compiled form
  EXPECT_TRUE(copy.matches("orders-us"));
}

TEST(TopicPattern, InvalidPatternIsAnInvalidRequest) {
  auto p = topic_pattern::compile("(unclosed");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, kafka_error::invalid_request);
  EXPECT_NE(p.error().message.find("(unclosed"), std::string::npos) << p.error().message;
}

}  // namespace
}  // namespace brook::protocol
