// The assignors a Brook group leader runs (range, roundrobin), checked against the
// assignments Kafka's own assignors of those names produce for the same members.
#include "broker/group/assignors.h"

#include <gtest/gtest.h>

namespace brook::broker::group {
namespace {

using parts = std::map<std::string, std::vector<int32_t>>;

TEST(Assignors, RangeSplitsEachTopicIntoContiguousRangesByMemberId) {
  // Kafka's RangeAssignor: 7 partitions over 3 members -> 3, 2, 2, in member id order.
  auto a = assign(range_assignor, {{"m2", {"t"}}, {"m1", {"t"}}, {"m3", {"t"}}}, {{"t", 7}});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->at("m1"), (parts{{"t", {0, 1, 2}}}));
  EXPECT_EQ(a->at("m2"), (parts{{"t", {3, 4}}}));
  EXPECT_EQ(a->at("m3"), (parts{{"t", {5, 6}}}));
}

TEST(Assignors, RangeWorksPerTopicOverItsOwnSubscribers) {
  auto a = assign(range_assignor, {{"a", {"t1", "t2"}}, {"b", {"t2"}}, {"c", {"missing"}}},
                  {{"t1", 2}, {"t2", 3}});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->at("a"), (parts{{"t1", {0, 1}}, {"t2", {0, 1}}}));
  EXPECT_EQ(a->at("b"), (parts{{"t2", {2}}}));
  // Every member is answered, with nothing for a topic that does not exist.
  EXPECT_TRUE(a->at("c").empty());
}

TEST(Assignors, RangeGivesNothingToMembersBeyondThePartitionCount) {
  auto a = assign(range_assignor, {{"a", {"t"}}, {"b", {"t"}}, {"c", {"t"}}}, {{"t", 2}});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->at("a"), (parts{{"t", {0}}}));
  EXPECT_EQ(a->at("b"), (parts{{"t", {1}}}));
  EXPECT_TRUE(a->at("c").empty());
}

TEST(Assignors, RoundRobinDealsPartitionsInTurnSkippingNonSubscribers) {
  // Kafka's RoundRobinAssignor over t0 (3 partitions, both) and t1 (2 partitions, b only).
  auto a =
      assign(roundrobin_assignor, {{"a", {"t0"}}, {"b", {"t0", "t1"}}}, {{"t0", 3}, {"t1", 2}});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->at("a"), (parts{{"t0", {0, 2}}}));
  EXPECT_EQ(a->at("b"), (parts{{"t0", {1}}, {"t1", {0, 1}}}));
}

TEST(Assignors, EveryPartitionGoesToExactlyOneMember) {
  for (const char* name : {range_assignor, roundrobin_assignor}) {
    std::map<std::string, std::vector<std::string>> members;
    for (int m = 0; m < 5; ++m) {
      members["member-" + std::to_string(m)] = {"x", "y"};
    }
    auto a = assign(name, members, {{"x", 11}, {"y", 4}});
    ASSERT_TRUE(a) << name;
    std::map<std::string, std::vector<int32_t>> seen;
    for (const auto& [member, ps] : *a) {
      for (const auto& [topic, list] : ps) {
        seen[topic].insert(seen[topic].end(), list.begin(), list.end());
      }
    }
    std::sort(seen["x"].begin(), seen["x"].end());
    std::sort(seen["y"].begin(), seen["y"].end());
    EXPECT_EQ(seen["x"], (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})) << name;
    EXPECT_EQ(seen["y"], (std::vector<int32_t>{0, 1, 2, 3})) << name;
  }
}

TEST(Assignors, UnknownAssignorIsRefused) {
  EXPECT_FALSE(assign("cooperative-sticky", {{"a", {"t"}}}, {{"t", 1}}));
  EXPECT_FALSE(assign("", {{"a", {"t"}}}, {{"t", 1}}));
}

}  // namespace
}  // namespace brook::broker::group
