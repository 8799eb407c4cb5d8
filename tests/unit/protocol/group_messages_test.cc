// The consumer-group APIs' generated messages (JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
// OffsetCommit, OffsetFetch, ListGroups, DescribeGroups, DeleteGroups, OffsetDelete)
// against byte layouts from the Kafka protocol documentation.
//
// Non-flexible layouts are cross-checked with kafka-python 2.0.2 (/usr/bin/python3), e.g.
//   from kafka.protocol.commit import OffsetCommitRequest
//   OffsetCommitRequest[2](consumer_group="g", consumer_group_generation_id=1,
//       consumer_id="m", retention_time=-1, topics=[("t", [(0, 42, "")])]).encode().hex()
// Flexible layouts (KIP-482: compact strings, bytes and arrays with length+1, a tagged-field
// count after every struct) are written out by hand, field by field in the comments.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errc.h"
#include "protocol/messages/api_catalog.h"
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_delete.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/sync_group.h"
#include "protocol/wire_writer.h"

#include "support/hex.h"

namespace brook::protocol {
namespace {

using test::encode_hex;
using test::hex;
using test::unhex;

// Encodes `m` in every version of its API, decodes it back and encodes again: the bytes
// must not change (fields a version lacks are dropped on both passes).
template <typename Message>
void expect_round_trip_in_every_version(const Message& m, bool latest_has_every_field = true) {
  for (int16_t v = Message::min_version; v <= Message::max_version; ++v) {
    std::string first = encode_hex(m, v);
    auto back = Message::decode(unhex(first), v);
    ASSERT_TRUE(back) << "version " << v << ": " << back.error().message();
    EXPECT_EQ(encode_hex(*back, v), first) << "version " << v;
    if (latest_has_every_field && v == Message::max_version) {
      EXPECT_EQ(*back, m) << "every field exists in the latest version";
    }
  }
}

std::vector<std::byte> bytes_of(std::string_view hex_text) {
  return unhex(hex_text);
}

// The expected bytes below are laid out one field (or a few) per line, with comments;
// clang-format would join or split them.
// clang-format off

// ---------------------------------------------------------------------------------------
// JoinGroup

join_group_request consumer_join(int32_t rebalance_timeout_ms) {
  join_group_request m;
  m.group_id = "g";
  m.session_timeout_ms = 30000;
  m.rebalance_timeout_ms = rebalance_timeout_ms;
  m.member_id = "";
  m.protocol_type = "consumer";
  auto& p = m.protocols.emplace_back();
  p.name = "range";
  p.metadata = bytes_of("000102");
  return m;
}

TEST(GroupMessages, JoinGroupV0RequestMatchesKafkaPython) {
  // JoinGroupRequest[0](group="g", session_timeout=30000, member_id="",
  //     protocol_type="consumer", group_protocols=[("range", b"\x00\x01\x02")])
  const char* expected =
      "000167" "00007530" "0000" "0008636f6e73756d6572"  // group, session, member, type
      "00000001" "000572616e6765" "00000003000102";      // one protocol: name, metadata
  auto m = consumer_join(-1);
  EXPECT_EQ(encode_hex(m, 0), expected);  // no rebalance timeout in v0
  auto back = join_group_request::decode(unhex(expected), 0);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(GroupMessages, JoinGroupV0ResponseMatchesKafkaPython) {
  // JoinGroupResponse[0](error_code=0, generation_id=1, group_protocol="range",
  //     leader_id="m1", member_id="m1", members=[("m1", b"\x00\x01")])
  const char* expected =
      "0000" "00000001" "000572616e6765" "00026d31" "00026d31"  // error ... member id
      "00000001" "00026d31" "000000020001";                       // one member
  auto back = join_group_response::decode(unhex(expected), 0);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->generation_id, 1);
  EXPECT_EQ(back->protocol_name, "range");
  EXPECT_EQ(back->leader, "m1");
  EXPECT_EQ(back->member_id, "m1");
  ASSERT_EQ(back->members.size(), 1u);
  EXPECT_EQ(back->members[0].member_id, "m1");
  EXPECT_EQ(hex(back->members[0].metadata), "0001");
  EXPECT_EQ(encode_hex(*back, 0), expected);
}

TEST(GroupMessages, JoinGroupV6RequestLayout) {
  const char* expected =
      "0267"                  // group_id "g" (compact: length+1)
      "00007530" "0000ea60"   // session 30000 ms, rebalance 60000 ms
      "01"                    // member_id ""
      "00"                    // group_instance_id null
      "09636f6e73756d6572"    // protocol_type "consumer"
      "02"                    // one protocol:
      "0672616e6765"          //   name "range"
      "04000102"              //   metadata, 3 bytes
      "00"                    //   protocol tags
      "00";                   // request tags
  auto m = consumer_join(60000);
  EXPECT_EQ(encode_hex(m, 6), expected);
  auto back = join_group_request::decode(unhex(expected), 6);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
  EXPECT_FALSE(back->group_instance_id.has_value());
}

TEST(GroupMessages, JoinGroupV6ResponseLayout) {
  join_group_response m;
  m.generation_id = 1;
  m.protocol_name = "range";
  m.leader = "m1";
  m.member_id = "m1";
  auto& member = m.members.emplace_back();
  member.member_id = "m1";
  member.metadata = bytes_of("0001");
  const char* expected =
      "00000000" "0000" "00000001"  // throttle, error, generation 1
      "0672616e6765"                // protocol_name "range" (no protocol_type before v7)
      "036d31" "036d31"             // leader "m1", member_id "m1"
      "02"                          // one member:
      "036d31" "00" "030001" "00"   //   id "m1", instance null, metadata, tags
      "00";                         // response tags
  EXPECT_EQ(encode_hex(m, 6), expected);
  auto back = join_group_response::decode(unhex(expected), 6);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(GroupMessages, JoinGroupProtocolNameIsNullableFromV7Only) {
  join_group_response m;
  m.protocol_type = "consumer";
  m.protocol_name.reset();
  const char* v7 =
      "00000000" "0000" "ffffffff"  // throttle, error, generation -1
      "09636f6e73756d6572" "00"     // protocol_type "consumer", protocol_name null
      "01" "01" "01" "00";          // leader "", member_id "", no members, tags
  EXPECT_EQ(encode_hex(m, 7), v7);
  auto back = join_group_response::decode(unhex(v7), 7);
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->protocol_name.has_value());
  EXPECT_EQ(back->protocol_type, "consumer");
  // v6 has no protocol_type, and a null protocol_name there is malformed.
  auto v6 = join_group_response::decode(
      unhex("00000000" "0000" "ffffffff" "00" "01" "01" "01" "00"), 6);
  EXPECT_EQ(v6.error(), protocol_errc::malformed);
}

// ---------------------------------------------------------------------------------------
// OffsetCommit

offset_commit_request commit_42(int32_t generation_id, std::string member_id) {
  offset_commit_request m;
  m.group_id = "g";
  m.generation_id = generation_id;
  m.member_id = std::move(member_id);
  auto& t = m.topics.emplace_back();
  t.name = "t";
  auto& p = t.partitions.emplace_back();
  p.partition_index = 0;
  p.committed_offset = 42;
  p.committed_metadata = "";
  return m;
}

TEST(GroupMessages, OffsetCommitV2RequestMatchesKafkaPython) {
  // OffsetCommitRequest[2](consumer_group="g", consumer_group_generation_id=1,
  //     consumer_id="m", retention_time=-1, topics=[("t", [(0, 42, "")])])
  const char* expected =
      "000167" "00000001" "00016d"  // group "g", generation 1, member "m"
      "ffffffffffffffff"            // retention_time_ms -1 (v2-4 only)
      "00000001" "000174"           // one topic "t"
      "00000001" "00000000"         // one partition: index 0,
      "000000000000002a" "0000";    //   offset 42, metadata ""
  auto m = commit_42(1, "m");
  EXPECT_EQ(encode_hex(m, 2), expected);
  auto back = offset_commit_request::decode(unhex(expected), 2);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(GroupMessages, OffsetCommitV2ResponseMatchesKafkaPython) {
  // OffsetCommitResponse[2](topics=[("t", [(0, 0)])])
  const char* expected = "00000001" "000174" "00000001" "00000000" "0000";
  offset_commit_response m;
  auto& t = m.topics.emplace_back();
  t.name = "t";
  t.partitions.emplace_back().partition_index = 0;
  EXPECT_EQ(encode_hex(m, 2), expected);
  auto back = offset_commit_response::decode(unhex(expected), 2);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(GroupMessages, OffsetCommitV8RequestLayout) {
  // An admin commit: generation -1 and an empty member id.
  const char* expected =
      "0267" "ffffffff" "01"  // group "g", generation -1, member ""
      "00"                    // group_instance_id null (v7+)
      "02" "0274"             // one topic "t"
      "02" "00000000"         // one partition: index 0,
      "000000000000002a"      //   offset 42,
      "ffffffff"              //   committed leader epoch -1 (v6+),
      "01" "00"               //   metadata "", partition tags
      "00"                    // topic tags
      "00";                   // request tags
  auto m = commit_42(-1, "");
  EXPECT_EQ(encode_hex(m, 8), expected);
  auto back = offset_commit_request::decode(unhex(expected), 8);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(GroupMessages, OffsetCommitV8ResponseLayout) {
  offset_commit_response m;
  auto& t = m.topics.emplace_back();
  t.name = "t";
  auto& p = t.partitions.emplace_back();
  p.partition_index = 3;
  p.error_code = 25;  // UNKNOWN_MEMBER_ID
  const char* expected = "00000000" "02" "0274" "02" "00000003" "0019" "00" "00" "00";
  EXPECT_EQ(encode_hex(m, 8), expected);
  auto back = offset_commit_response::decode(unhex(expected), 8);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(GroupMessages, OffsetCommitV1CarriesTheCommitTimestamp) {
  auto m = commit_42(1, "m");
  m.topics[0].partitions[0].commit_timestamp = 1700000000000;
  // Same as v2 without the retention time, and with the timestamp after the offset.
  const char* expected =
      "000167" "00000001" "00016d" "00000001" "000174" "00000001" "00000000"
      "000000000000002a" "0000018bcfe56800" "0000";
  EXPECT_EQ(encode_hex(m, 1), expected);
  auto back = offset_commit_request::decode(unhex(expected), 1);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->topics[0].partitions[0].commit_timestamp, 1700000000000);
}

// ---------------------------------------------------------------------------------------
// OffsetFetch

TEST(GroupMessages, OffsetFetchV3AllTopicsMatchesKafkaPython) {
  // OffsetFetchRequest[3](consumer_group="g", topics=None)
  offset_fetch_request m;
  m.group_id = "g";
  m.topics.reset();
  EXPECT_EQ(encode_hex(m, 3), "000167" "ffffffff");
  // OffsetFetchResponse[3](throttle_time_ms=0, topics=[("t", [(0, 42, "", 0)])], error_code=0)
  const char* response =
      "00000000" "00000001" "000174" "00000001" "00000000" "000000000000002a" "0000" "0000"
      "0000";
  auto back = offset_fetch_response::decode(unhex(response), 3);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->topics.size(), 1u);
  ASSERT_EQ(back->topics[0].partitions.size(), 1u);
  EXPECT_EQ(back->topics[0].partitions[0].committed_offset, 42);
  EXPECT_EQ(encode_hex(*back, 3), response);
}

TEST(GroupMessages, OffsetFetchNullTopicsOnlyFromV2) {
  auto v1 = offset_fetch_request::decode(unhex("000167" "ffffffff"), 1);
  EXPECT_EQ(v1.error(), protocol_errc::malformed);
  auto v2 = offset_fetch_request::decode(unhex("000167" "ffffffff"), 2);
  ASSERT_TRUE(v2);
  EXPECT_FALSE(v2->topics.has_value());
}

TEST(GroupMessages, OffsetFetchV7RequestLayout) {
  offset_fetch_request m;
  m.group_id = "g";
  auto& t = m.topics->emplace_back();
  t.name = "t";
  t.partition_indexes = {0, 1};
  m.require_stable = true;
  const char* expected =
      "0267"                             // group "g"
      "02" "0274" "03" "0000000000000001" "00"  // one topic "t", partitions [0, 1], tags
      "01"                               // require_stable
      "00";                              // request tags
  EXPECT_EQ(encode_hex(m, 7), expected);
  auto back = offset_fetch_request::decode(unhex(expected), 7);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);

  // Null topics (all committed partitions) is a compact null array.
  m.topics.reset();
  EXPECT_EQ(encode_hex(m, 7), "0267" "00" "01" "00");
}

TEST(GroupMessages, OffsetFetchV7ResponseLayout) {
  offset_fetch_response m;
  auto& t = m.topics.emplace_back();
  t.name = "t";
  auto& p = t.partitions.emplace_back();
  p.partition_index = 0;
  p.committed_offset = 42;
  p.committed_leader_epoch = -1;
  p.metadata = "";
  const char* expected =
      "00000000"                    // throttle
      "02" "0274" "02"              // one topic "t", one partition:
      "00000000" "000000000000002a" //   index 0, offset 42,
      "ffffffff" "01" "0000" "00"   //   leader epoch -1, metadata "", error 0, tags
      "00"                          // topic tags
      "0000"                        // top-level error
      "00";                         // response tags
  EXPECT_EQ(encode_hex(m, 7), expected);
  auto back = offset_fetch_response::decode(unhex(expected), 7);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(GroupMessages, OffsetFetchV8RequestLayoutWithTwoGroups) {
  offset_fetch_request m;
  auto& all = m.groups.emplace_back();
  all.group_id = "g";
  all.topics.reset();  // every committed partition of "g"
  auto& some = m.groups.emplace_back();
  some.group_id = "h";
  auto& t = some.topics->emplace_back();
  t.name = "t";
  t.partition_indexes = {0};
  const char* expected =
      "03"                            // two groups:
      "0267" "00" "00"                //   "g", topics null, tags
      "0268" "02" "0274" "0200000000" //   "h", one topic "t" with partition [0],
      "00" "00"                       //   topic tags, group tags
      "00"                            // require_stable false
      "00";                           // request tags
  EXPECT_EQ(encode_hex(m, 8), expected);
  auto back = offset_fetch_request::decode(unhex(expected), 8);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
  // v8 has no top-level group id or topics.
  EXPECT_EQ(back->group_id, "");
}

TEST(GroupMessages, OffsetFetchV8ResponseLayout) {
  offset_fetch_response m;
  auto& g = m.groups.emplace_back();
  g.group_id = "g";
  auto& t = g.topics.emplace_back();
  t.name = "t";
  auto& p = t.partitions.emplace_back();
  p.partition_index = 0;
  p.committed_offset = 42;
  p.metadata = "";
  auto& missing = m.groups.emplace_back();
  missing.group_id = "h";
  missing.error_code = 16;  // NOT_COORDINATOR
  const char* expected =
      "00000000"                     // throttle
      "03"                           // two groups:
      "0267" "02" "0274" "02"        //   "g", one topic "t", one partition:
      "00000000" "000000000000002a"  //     index 0, offset 42,
      "ffffffff" "01" "0000" "00"    //     leader epoch -1, metadata "", error 0, tags
      "00" "0000" "00"               //   topic tags, group error 0, group tags
      "0268" "01" "0010" "00"        //   "h", no topics, error 16, tags
      "00";                          // response tags
  EXPECT_EQ(encode_hex(m, 8), expected);
  auto back = offset_fetch_response::decode(unhex(expected), 8);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
  EXPECT_TRUE(back->topics.empty());
}

// ---------------------------------------------------------------------------------------
// Every version of every group API round-trips.

TEST(GroupMessages, JoinGroupRoundTripsInEveryVersion) {
  auto m = consumer_join(60000);
  m.member_id = "m1";
  m.group_instance_id = "i1";
  m.reason = "rebalance";
  expect_round_trip_in_every_version(m);

  join_group_response r;
  r.throttle_time_ms = 5;
  r.generation_id = 3;
  r.protocol_type = "consumer";
  r.protocol_name = "range";
  r.leader = "m1";
  r.skip_assignment = true;
  r.member_id = "m2";
  auto& member = r.members.emplace_back();
  member.member_id = "m1";
  member.group_instance_id = "i1";
  member.metadata = bytes_of("00010203");
  expect_round_trip_in_every_version(r);
}

TEST(GroupMessages, SyncGroupRoundTripsInEveryVersion) {
  sync_group_request m;
  m.group_id = "g";
  m.generation_id = 2;
  m.member_id = "m1";
  m.group_instance_id = "i1";
  m.protocol_type = "consumer";
  m.protocol_name = "range";
  auto& a = m.assignments.emplace_back();
  a.member_id = "m1";
  a.assignment = bytes_of("0000000000010001740000000100000000ffffffff");
  expect_round_trip_in_every_version(m);

  sync_group_response r;
  r.throttle_time_ms = 1;
  r.error_code = 27;  // REBALANCE_IN_PROGRESS
  r.protocol_type = "consumer";
  r.protocol_name = "range";
  r.assignment = bytes_of("00");
  expect_round_trip_in_every_version(r);
}

TEST(GroupMessages, SyncGroupV5RequestLayout) {
  sync_group_request m;
  m.group_id = "g";
  m.generation_id = 1;
  m.member_id = "m";
  m.protocol_type = "consumer";
  m.protocol_name = "range";
  const char* expected =
      "0267" "00000001" "026d" "00"               // group, generation, member, instance null
      "09636f6e73756d6572" "0672616e6765"         // protocol type and name (v5+)
      "01" "00";                                  // no assignments, tags
  EXPECT_EQ(encode_hex(m, 5), expected);
  // v4 has neither protocol type nor name.
  EXPECT_EQ(encode_hex(m, 4), "0267" "00000001" "026d" "00" "01" "00");
}

TEST(GroupMessages, HeartbeatRoundTripsInEveryVersion) {
  heartbeat_request m;
  m.group_id = "g";
  m.generation_id = 4;
  m.member_id = "m1";
  m.group_instance_id = "i1";
  expect_round_trip_in_every_version(m);
  // v0: group "g", generation 4, member "m1"; no instance id.
  EXPECT_EQ(encode_hex(m, 0), "000167" "00000004" "00026d31");

  heartbeat_response r;
  r.throttle_time_ms = 2;
  r.error_code = 27;
  expect_round_trip_in_every_version(r);
  EXPECT_EQ(encode_hex(r, 0), "001b");
  EXPECT_EQ(encode_hex(r, 4), "00000002" "001b" "00");
}

TEST(GroupMessages, LeaveGroupSingleMemberUpToV2BatchFromV3) {
  leave_group_request m;
  m.group_id = "g";
  m.member_id = "m1";
  auto& member = m.members.emplace_back();
  member.member_id = "m1";
  member.group_instance_id = "i1";
  member.reason = "bye";
  expect_round_trip_in_every_version(m, /*latest_has_every_field=*/false);
  EXPECT_EQ(encode_hex(m, 2), "000167" "00026d31");
  EXPECT_EQ(encode_hex(m, 3), "000167" "00000001" "00026d31" "00026931");
  EXPECT_EQ(encode_hex(m, 4), "0267" "02" "036d31" "036931" "00" "00");

  leave_group_response r;
  r.throttle_time_ms = 1;
  auto& result = r.members.emplace_back();
  result.member_id = "m1";
  result.group_instance_id.reset();
  result.error_code = 25;
  expect_round_trip_in_every_version(r);
  EXPECT_EQ(encode_hex(r, 3), "00000001" "0000" "00000001" "00026d31" "ffff" "0019");
}

TEST(GroupMessages, OffsetCommitAndFetchRoundTripInEveryVersion) {
  auto m = commit_42(3, "m1");
  m.group_instance_id = "i1";
  m.retention_time_ms = 86400000;
  m.topics[0].partitions[0].committed_leader_epoch = 5;
  m.topics[0].partitions[0].commit_timestamp = 1700000000000;
  m.topics[0].partitions[0].committed_metadata = "meta";
  // retention_time_ms and commit_timestamp are absent from v8, so compare bytes only.
  for (int16_t v = offset_commit_request::min_version; v <= offset_commit_request::max_version;
       ++v) {
    std::string first = encode_hex(m, v);
    auto back = offset_commit_request::decode(unhex(first), v);
    ASSERT_TRUE(back) << v;
    EXPECT_EQ(encode_hex(*back, v), first) << v;
  }

  offset_fetch_request f;
  f.group_id = "g";
  f.topics->push_back({"t", {0, 1, 2}});
  f.groups.push_back({"g", std::vector<offset_fetch_request::offset_fetch_request_topics>{
                                {"t", {0, 1, 2}}}});
  f.require_stable = true;
  for (int16_t v = offset_fetch_request::min_version; v <= offset_fetch_request::max_version;
       ++v) {
    std::string first = encode_hex(f, v);
    auto back = offset_fetch_request::decode(unhex(first), v);
    ASSERT_TRUE(back) << v;
    EXPECT_EQ(encode_hex(*back, v), first) << v;
  }
}

TEST(GroupMessages, ListGroupsRoundTripsInEveryVersion) {
  list_groups_request m;
  m.states_filter = {"Stable", "Empty"};
  expect_round_trip_in_every_version(m);
  EXPECT_EQ(encode_hex(m, 0), "");
  EXPECT_EQ(encode_hex(m, 3), "00");
  EXPECT_EQ(encode_hex(m, 4), "03" "07537461626c65" "06456d707479" "00");

  list_groups_response r;
  r.throttle_time_ms = 0;
  auto& g = r.groups.emplace_back();
  g.group_id = "g";
  g.protocol_type = "consumer";
  g.group_state = "Stable";
  expect_round_trip_in_every_version(r);
  // v0: error 0, one group "g" of type "consumer" (no state before v4).
  EXPECT_EQ(encode_hex(r, 0), "0000" "00000001" "000167" "0008636f6e73756d6572");
  EXPECT_EQ(encode_hex(r, 4),
            "00000000" "0000" "02" "0267" "09636f6e73756d6572" "07537461626c65" "00" "00");
}

TEST(GroupMessages, DescribeGroupsRoundTripsInEveryVersion) {
  describe_groups_request m;
  m.groups = {"g", "h"};
  m.include_authorized_operations = true;
  expect_round_trip_in_every_version(m);
  EXPECT_EQ(encode_hex(m, 0), "00000002" "000167" "000168");
  EXPECT_EQ(encode_hex(m, 5), "03" "0267" "0268" "01" "00");

  describe_groups_response r;
  r.throttle_time_ms = 0;
  auto& g = r.groups.emplace_back();
  g.group_id = "g";
  g.group_state = "Stable";
  g.protocol_type = "consumer";
  g.protocol_data = "range";
  g.authorized_operations = 0;
  auto& member = g.members.emplace_back();
  member.member_id = "m1";
  member.group_instance_id = "i1";
  member.client_id = "c";
  member.client_host = "/127.0.0.1";
  member.member_metadata = bytes_of("0001");
  member.member_assignment = bytes_of("000000000000");
  expect_round_trip_in_every_version(r);
}

TEST(GroupMessages, DescribeGroupsV0ResponseLayout) {
  describe_groups_response r;
  auto& g = r.groups.emplace_back();
  g.group_id = "g";
  g.group_state = "Dead";
  const char* expected =
      "00000001" "0000" "000167"     // one group: error 0, id "g",
      "000444656164" "0000" "0000"   //   state "Dead", protocol type "", protocol data "",
      "00000000";                    //   no members
  EXPECT_EQ(encode_hex(r, 0), expected);
  auto back = describe_groups_response::decode(unhex(expected), 0);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->groups[0].group_state, "Dead");
  EXPECT_EQ(back->groups[0].authorized_operations, INT32_MIN);
}

TEST(GroupMessages, DeleteGroupsRoundTripsInEveryVersion) {
  delete_groups_request m;
  m.groups_names = {"g"};
  expect_round_trip_in_every_version(m);
  EXPECT_EQ(encode_hex(m, 0), "00000001" "000167");
  EXPECT_EQ(encode_hex(m, 2), "02" "0267" "00");

  delete_groups_response r;
  r.results.push_back({"g", 68});  // NON_EMPTY_GROUP
  expect_round_trip_in_every_version(r);
  EXPECT_EQ(encode_hex(r, 1), "00000000" "00000001" "000167" "0044");
  EXPECT_EQ(encode_hex(r, 2), "00000000" "02" "0267" "0044" "00" "00");
}

TEST(GroupMessages, OffsetDeleteV0Layout) {
  offset_delete_request m;
  m.group_id = "g";
  auto& t = m.topics.emplace_back();
  t.name = "t";
  t.partitions.push_back({1});
  const char* request = "000167" "00000001" "000174" "00000001" "00000001";
  EXPECT_EQ(encode_hex(m, 0), request);
  auto back = offset_delete_request::decode(unhex(request), 0);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);

  offset_delete_response r;
  auto& rt = r.topics.emplace_back();
  rt.name = "t";
  rt.partitions.push_back({1, 88});  // GROUP_SUBSCRIBED_TO_TOPIC
  // Error code comes before the throttle time in this API.
  const char* response = "0000" "00000000" "00000001" "000174" "00000001" "00000001" "0058";
  EXPECT_EQ(encode_hex(r, 0), response);
  auto rback = offset_delete_response::decode(unhex(response), 0);
  ASSERT_TRUE(rback);
  EXPECT_EQ(*rback, r);
  EXPECT_EQ(offset_delete_request::decode(unhex(request), 1).error(),
            protocol_errc::unsupported_version);
}

TEST(GroupMessages, CatalogListsTheGroupApis) {
  struct expected_api {
    int16_t key;
    int16_t max_version;
    int16_t flexible_from;
  };
  for (auto [key, max_version, flexible_from] :
       {expected_api{8, 8, 8}, expected_api{9, 8, 6}, expected_api{11, 9, 6},
        expected_api{12, 4, 4}, expected_api{13, 5, 4}, expected_api{14, 5, 4},
        expected_api{15, 5, 5}, expected_api{16, 4, 3}, expected_api{42, 2, 2},
        expected_api{47, 0, -1}}) {
    const api_schema* s = find_api_schema(key);
    ASSERT_NE(s, nullptr) << key;
    EXPECT_EQ(s->min_version, 0) << key;
    EXPECT_EQ(s->max_version, max_version) << key;
    EXPECT_EQ(s->flexible_from, flexible_from) << key;
  }
}

// clang-format on

}  // namespace
}  // namespace brook::protocol
