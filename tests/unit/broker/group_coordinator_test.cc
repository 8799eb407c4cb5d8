// The group state machine without a network: joins, syncs, heartbeats, commits and a
// restart over the same store; and its deadlines (session and rebalance timeouts, offset
// expiry) on a clock the test moves by hand, to the millisecond, with no sleeping.
#include "broker/group/group_coordinator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "net/io_pool.h"
#include "storage/group_store.h"
#include "support/temp_dir.h"

namespace brook::broker::group {
namespace {

using namespace std::chrono_literals;

// The coordinator's clock here: time moves only when the test moves it (both clocks at
// once). Read from the coordinator's timer too, hence atomics.
class manual_clock {
 public:
  group_clock source() {
    return {[this] { return clock::time_point(clock::duration(_steady.load())); },
            [this] { return _wall_ms.load(); }};
  }
  void advance(std::chrono::milliseconds d) {
    _steady += std::chrono::duration_cast<clock::duration>(d).count();
    _wall_ms += d.count();
  }
  clock::time_point steady() const { return clock::time_point(clock::duration(_steady.load())); }
  int64_t wall_ms() const { return _wall_ms.load(); }

 private:
  std::atomic<clock::rep> _steady{clock::duration(1000h).count()};
  std::atomic<int64_t> _wall_ms{1'700'000'000'000};
};

struct harness {
  test::temp_dir dir;
  net::io_pool io{"test-io", 1};  // the coordinator's timer runs here
  manual_clock time;
  group_config config;
  std::unique_ptr<storage::group_store> store;
  std::unique_ptr<group_coordinator> coordinator;

  harness() {
    config.initial_rebalance_delay_ms = 0;
    config.min_session_timeout_ms = 100;
    io.start();
    open();
  }
  void open() {
    store = storage::group_store::open(dir / "groups.db", true).value();
    coordinator = group_coordinator::open(
                      config, *store,
                      [](const std::string& topic, int32_t p) { return topic == "t" && p < 4; },
                      io.next_executor(), time.source())
                      .value();
  }
  // Moves the clock on and runs what is then due, as the coordinator's timer would.
  void advance(std::chrono::milliseconds d) {
    time.advance(d);
    coordinator->run_deadlines(time.steady());
    coordinator->expire_offsets(time.wall_ms());
  }
  void restart() {
    coordinator.reset();
    store.reset();
    open();
  }
};

join_request joiner(std::string member_id = {}, int32_t session_timeout_ms = 1000,
                    int32_t rebalance_timeout_ms = 1000) {
  join_request j;
  j.group_id = "g";
  j.member_id = std::move(member_id);
  j.client_id = "c";
  j.session_timeout_ms = session_timeout_ms;
  j.rebalance_timeout_ms = rebalance_timeout_ms;
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

// Two members, a (the leader) and b, Stable at generation 2: a joins alone, b's join starts
// a rebalance that a learns from its heartbeat, both rejoin and sync. The clock stands still.
struct member_pair {
  std::string a;
  std::string b;
};
member_pair stable_pair(group_coordinator& c, int32_t session_timeout_ms = 1000,
                        int32_t rebalance_timeout_ms = 1000) {
  auto a = join(c, joiner({}, session_timeout_ms, rebalance_timeout_ms)).get();
  EXPECT_EQ(sync(c, a.member_id, 1, {{a.member_id, {}}}).get().error, kafka_error::none);
  auto b_pending = join(c, joiner({}, session_timeout_ms, rebalance_timeout_ms));
  EXPECT_EQ(c.heartbeat("g", a.member_id, std::nullopt, 1), kafka_error::rebalance_in_progress);
  auto a2 = join(c, joiner(a.member_id, session_timeout_ms, rebalance_timeout_ms)).get();
  auto b = b_pending.get();
  EXPECT_EQ(a2.error, kafka_error::none);
  EXPECT_EQ(a2.generation, 2);
  EXPECT_EQ(b.generation, 2);
  EXPECT_EQ(a2.members.size() + b.members.size(), 2u);  // only the leader gets them
  auto sa = sync(c, a.member_id, 2, {{a.member_id, {}}, {b.member_id, {}}});
  auto sb = sync(c, b.member_id, 2);
  EXPECT_EQ(sa.get().error, kafka_error::none);
  EXPECT_EQ(sb.get().error, kafka_error::none);
  EXPECT_EQ(c.describe("g").state, group_state::stable);
  return {a.member_id, b.member_id};
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

TEST(GroupCoordinator, ASilentMemberIsRemovedAtItsSessionTimeoutAndTheGroupRebalances) {
  harness h;
  auto& c = *h.coordinator;
  auto [a, b] = stable_pair(c);
  h.advance(600ms);
  EXPECT_EQ(c.heartbeat("g", a, std::nullopt, 2), kafka_error::none);
  // 999 ms after b's last heartbeat (its sync) it is still a member.
  h.advance(399ms);
  EXPECT_EQ(c.describe("g").state, group_state::stable);
  EXPECT_EQ(c.describe("g").members.size(), 2u);
  // At 1000 ms, its session timeout, it is removed and the group rebalances: a learns it
  // from its heartbeat and rejoins alone into the next generation.
  h.advance(1ms);
  auto d = c.describe("g");
  EXPECT_EQ(d.state, group_state::preparing_rebalance);
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].member_id, a);
  EXPECT_EQ(c.heartbeat("g", b, std::nullopt, 2), kafka_error::unknown_member_id);
  EXPECT_EQ(c.heartbeat("g", a, std::nullopt, 2), kafka_error::rebalance_in_progress);
  auto again = join(c, joiner(a)).get();
  ASSERT_EQ(again.error, kafka_error::none);
  EXPECT_EQ(again.generation, 3);
  EXPECT_EQ(again.leader, a);
  EXPECT_EQ(again.members.size(), 1u);
}

TEST(GroupCoordinator, AHeartbeatWithinTheSessionTimeoutKeepsTheMember) {
  harness h;
  auto& c = *h.coordinator;
  auto a = join(c, joiner()).get();
  ASSERT_EQ(sync(c, a.member_id, 1, {{a.member_id, {}}}).get().error, kafka_error::none);
  // Ten seconds of one-second sessions, a heartbeat in each.
  for (int i = 1; i <= 10; ++i) {
    h.advance(999ms);
    ASSERT_EQ(c.heartbeat("g", a.member_id, std::nullopt, 1), kafka_error::none)
        << "heartbeat " << i;
  }
  EXPECT_EQ(c.describe("g").state, group_state::stable);
  // Then silence for the session timeout: the member is gone (and the group with it, having
  // no committed offsets to keep).
  h.advance(1000ms);
  EXPECT_TRUE(c.describe("g").members.empty());
  EXPECT_EQ(c.heartbeat("g", a.member_id, std::nullopt, 1), kafka_error::unknown_member_id);
}

TEST(GroupCoordinator, AJoinWaitsAtMostTheRebalanceTimeoutForMembersThatDoNotRejoin) {
  harness h;
  auto& c = *h.coordinator;
  // Sessions far longer than the rebalance timeout: only the latter can drop b.
  auto [a, b] = stable_pair(c, 30000, 2000);
  auto third = join(c, joiner({}, 30000, 2000));  // a new member: a rebalance
  EXPECT_EQ(c.heartbeat("g", a, std::nullopt, 2), kafka_error::rebalance_in_progress);
  auto a_again = join(c, joiner(a, 30000, 2000));
  // b neither rejoins nor heartbeats: the joins wait for it...
  h.advance(1999ms);
  EXPECT_EQ(a_again.wait_for(0s), std::future_status::timeout);
  EXPECT_EQ(third.wait_for(0s), std::future_status::timeout);
  EXPECT_EQ(c.describe("g").state, group_state::preparing_rebalance);
  // ...until the rebalance timeout, when the group goes on without it.
  h.advance(1ms);
  auto ra = a_again.get();
  auto rt = third.get();
  ASSERT_EQ(ra.error, kafka_error::none);
  ASSERT_EQ(rt.error, kafka_error::none);
  EXPECT_EQ(ra.generation, 3);
  EXPECT_EQ(rt.generation, 3);
  EXPECT_EQ(ra.members.size() + rt.members.size(), 2u);  // only the leader gets them
  auto d = c.describe("g");
  EXPECT_EQ(d.state, group_state::completing_rebalance);
  EXPECT_EQ(d.members.size(), 2u);
  EXPECT_EQ(c.heartbeat("g", b, std::nullopt, 3), kafka_error::unknown_member_id);
}

TEST(GroupCoordinator, OffsetsOfAnEmptyGroupExpireAfterTheRetentionAndNotBefore) {
  harness h;
  auto& c = *h.coordinator;
  auto retention = std::chrono::milliseconds(h.config.offsets_retention_ms);
  auto a = join(c, joiner()).get();
  ASSERT_EQ(sync(c, a.member_id, 1, {{a.member_id, {}}}).get().error, kafka_error::none);
  ASSERT_EQ(commit(c, a.member_id, 1, 42).at(0), kafka_error::none);
  ASSERT_EQ(c.leave("g", {{a.member_id, std::nullopt}}).members, std::vector{kafka_error::none});
  ASSERT_EQ(c.describe("g").state, group_state::empty);
  // The retention counts from the moment the group became empty.
  h.advance(retention - 1ms);
  auto kept = c.fetch_offsets("g", std::nullopt);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].value.offset, 42);
  h.advance(1ms);
  EXPECT_TRUE(c.fetch_offsets("g", std::nullopt).empty());
  EXPECT_EQ(c.describe("g").state, group_state::dead);
  // Removed from the store as well: a restart does not bring them back.
  h.restart();
  EXPECT_TRUE(h.coordinator->fetch_offsets("g", std::nullopt).empty());
  EXPECT_EQ(h.coordinator->describe("g").state, group_state::dead);
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
