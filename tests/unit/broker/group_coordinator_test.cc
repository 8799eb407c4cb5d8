// The group state machine without a network: joins, syncs, heartbeats, session expiry
// (run_deadlines with a clock moved forward), commits and a restart over the same store.
#include "broker/group/group_coordinator.h"

#include <gtest/gtest.h>

#include <future>

#include "net/io_pool.h"
#include "storage/group_store.h"
#include "support/temp_dir.h"

namespace brook::broker::group {
namespace {

using namespace std::chrono_literals;

struct harness {
  test::temp_dir dir;
  net::io_pool io{"test-io", 1};  // the coordinator's timer runs here
  std::unique_ptr<storage::group_store> store;
  std::unique_ptr<group_coordinator> coordinator;

  harness() {
    io.start();
    open();
  }
  void open() {
    store = storage::group_store::open(dir / "groups.db", true).value();
    group_config config;
    config.initial_rebalance_delay_ms = 0;
    config.min_session_timeout_ms = 100;
    coordinator = group_coordinator::open(
                      config, *store,
                      [](const std::string& topic, int32_t p) { return topic == "t" && p < 4; },
                      io.next_executor())
                      .value();
  }
  void restart() {
    coordinator.reset();
    store.reset();
    open();
  }
};

join_request joiner(std::string member_id = {}) {
  join_request j;
  j.group_id = "g";
  j.member_id = std::move(member_id);
  j.client_id = "c";
  j.session_timeout_ms = 1000;
  j.rebalance_timeout_ms = 1000;
  j.protocol_type = "consumer";
  j.protocols = {{"range", {std::byte{1}}}};
  return j;
}

std::future<join_result> join(group_coordinator& c, join_request j) {
  auto p = std::make_shared<std::promise<join_result>>();
  c.join(std::move(j), [p](join_result r) { p->set_value(std::move(r)); });
  return p->get_future();
}

std::future<sync_result> sync(group_coordinator& c, const std::string& member, int32_t gen,
                              std::vector<std::pair<std::string, bytes>> assignments = {}) {
  sync_request s;
  s.group_id = "g";
  s.member_id = member;
  s.generation = gen;
  s.assignments = std::move(assignments);
  auto p = std::make_shared<std::promise<sync_result>>();
  c.sync(std::move(s), [p](sync_result r) { p->set_value(std::move(r)); });
  return p->get_future();
}

std::vector<kafka_error> commit(group_coordinator& c, const std::string& member, int32_t gen,
                                int64_t offset) {
  offset_commit_request r;
  r.group_id = "g";
  r.member_id = member;
  r.generation = gen;
  r.offsets = {{"t", 0, offset, -1, std::nullopt}, {"missing", 0, offset, -1, std::nullopt}};
  std::promise<std::vector<kafka_error>> p;
  c.commit_offsets(std::move(r), [&p](std::vector<kafka_error> e) { p.set_value(e); });
  return p.get_future().get();
}

TEST(GroupCoordinator, OneMemberBecomesStableCommitsAndSurvivesARestart) {
  harness h;
  auto& c = *h.coordinator;
  auto first = join(c, joiner()).get();
  ASSERT_EQ(first.error, kafka_error::none);
  EXPECT_EQ(first.generation, 1);
  EXPECT_EQ(first.leader, first.member_id);
  ASSERT_EQ(first.members.size(), 1u);
  EXPECT_EQ(c.describe("g").state, group_state::completing_rebalance);
  // A stale generation cannot sync; the leader's assignment makes the group Stable.
  EXPECT_EQ(sync(c, first.member_id, 0).get().error, kafka_error::illegal_generation);
  bytes assignment{std::byte{7}, std::byte{8}};
  auto s = sync(c, first.member_id, 1, {{first.member_id, assignment}}).get();
  ASSERT_EQ(s.error, kafka_error::none);
  EXPECT_EQ(s.assignment, assignment);
  EXPECT_EQ(c.describe("g").state, group_state::stable);
  EXPECT_EQ(c.heartbeat("g", first.member_id, std::nullopt, 1), kafka_error::none);
  EXPECT_EQ(c.heartbeat("g", "nobody", std::nullopt, 1), kafka_error::unknown_member_id);
  EXPECT_EQ(c.heartbeat("g", first.member_id, std::nullopt, 7), kafka_error::illegal_generation);

  EXPECT_EQ(commit(c, first.member_id, 0, 5),
            (std::vector{kafka_error::illegal_generation, kafka_error::illegal_generation}));
  EXPECT_EQ(commit(c, first.member_id, 1, 42),
            (std::vector{kafka_error::none, kafka_error::unknown_topic_or_partition}));
  auto got = c.fetch_offsets("g", std::vector<topic_partition>{{"t", 0}, {"t", 1}});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].value.offset, 42);
  EXPECT_EQ(got[1].value.offset, -1);

  h.restart();
  auto& c2 = *h.coordinator;
  auto d = c2.describe("g");
  EXPECT_EQ(d.state, group_state::stable);
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].assignment, assignment);
  EXPECT_EQ(c2.heartbeat("g", first.member_id, std::nullopt, 1), kafka_error::none);
  EXPECT_EQ(c2.fetch_offsets("g", std::nullopt).at(0).value.offset, 42);
}

TEST(GroupCoordinator, ASilentMemberIsRemovedAfterItsSessionTimeout) {
  harness h;
  auto& c = *h.coordinator;
  auto a = join(c, joiner()).get();
  ASSERT_EQ(sync(c, a.member_id, 1, {{a.member_id, {}}}).get().error, kafka_error::none);
  // A second member starts a rebalance; the first learns it from its heartbeat.
  auto b_pending = join(c, joiner());
  EXPECT_EQ(c.heartbeat("g", a.member_id, std::nullopt, 1), kafka_error::rebalance_in_progress);
  auto a2 = join(c, joiner(a.member_id)).get();
  auto b = b_pending.get();
  ASSERT_EQ(a2.error, kafka_error::none);
  EXPECT_EQ(a2.generation, 2);
  EXPECT_EQ(b.generation, 2);
  EXPECT_EQ(a2.members.size() + b.members.size(), 2u);  // only the leader gets them
  auto sa = sync(c, a.member_id, 2, {{a.member_id, {}}, {b.member_id, {}}});
  auto sb = sync(c, b.member_id, 2);
  ASSERT_EQ(sa.get().error, kafka_error::none);
  ASSERT_EQ(sb.get().error, kafka_error::none);
  // Past the session timeout with no heartbeat since, b is gone (a too: the clock given
  // to run_deadlines is past its last heartbeat as well).
  (void)c.heartbeat("g", a.member_id, std::nullopt, 2);
  c.run_deadlines(clock::now() + 1500ms);
  auto d = c.describe("g");
  EXPECT_NE(d.state, group_state::stable);
  for (const auto& m : d.members) {
    EXPECT_NE(m.member_id, b.member_id);
  }
  EXPECT_EQ(c.heartbeat("g", b.member_id, std::nullopt, 2), kafka_error::unknown_member_id);
}

TEST(GroupCoordinator, DeletingRefusesAGroupWithMembers) {
  harness h;
  auto& c = *h.coordinator;
  auto a = join(c, joiner()).get();
  std::promise<std::vector<kafka_error>> p;
  c.delete_groups({"g", "nope"}, [&p](std::vector<kafka_error> e) { p.set_value(e); });
  EXPECT_EQ(p.get_future().get(),
            (std::vector{kafka_error::non_empty_group, kafka_error::group_id_not_found}));
  auto left = c.leave("g", {{a.member_id, std::nullopt}});
  ASSERT_EQ(left.members, std::vector{kafka_error::none});
  EXPECT_EQ(c.describe("g").state, group_state::empty);
  std::promise<std::vector<kafka_error>> q;
  c.delete_groups({"g"}, [&q](std::vector<kafka_error> e) { q.set_value(e); });
  EXPECT_EQ(q.get_future().get(), std::vector{kafka_error::none});
  EXPECT_EQ(c.describe("g").state, group_state::dead);
}

}  // namespace
}  // namespace brook::broker::group
