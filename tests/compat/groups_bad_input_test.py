#!/usr/bin/python3
"""Bad input to the group coordinator of a real `brook serve`, as raw Kafka requests: each
mistake gets the error code Apache Kafka's coordinator gives, the groups involved stay
healthy, and afterwards an ordinary confluent-kafka consumer group on the same server
still works.

Requests come in two encodings: the versions kafka-python has classes for (JoinGroup v2,
SyncGroup v1, Heartbeat v1, LeaveGroup v1, OffsetCommit v2, OffsetFetch v3, DescribeGroups
v1, DeleteGroups v1, ListGroups v1), and the flexible versions (JoinGroup v7, SyncGroup v5,
Heartbeat v4, OffsetCommit v8) written with kafka_wire.py's encoder.

Where the expected code comes from (Apache Kafka, core/src/main/scala/kafka/coordinator/
group/GroupCoordinator.scala, the classic coordinator of 2.x):
- handleJoinGroup: INVALID_GROUP_ID for an empty group id (validateGroupStatus and
  isValidGroupId: only OffsetCommit, OffsetFetch, DescribeGroups and DeleteGroups accept
  ""); then INVALID_SESSION_TIMEOUT outside group.min/max.session.timeout.ms; an unknown
  member id for a group that does not exist is UNKNOWN_MEMBER_ID.
- doUnknownJoinGroup / doJoinGroup: INCONSISTENT_GROUP_PROTOCOL unless
  GroupMetadata.supportsProtocols holds (an empty group needs a non-empty protocol type and
  at least one protocol; otherwise the same protocol type and a protocol every member
  supports), checked before MEMBER_ID_REQUIRED, which a new dynamic member gets from
  JoinGroup v4 on, with its new member id.
- doSyncGroup and handleHeartbeat: UNKNOWN_MEMBER_ID for an unknown group or member, then
  ILLEGAL_GENERATION for another generation.
- handleCommitOffsets / doCommitOffsets: a group that does not exist takes commits only
  with generation -1 (else ILLEGAL_GENERATION); an active group answers UNKNOWN_MEMBER_ID
  for a member it does not have (also generation -1 with no member id), then
  ILLEGAL_GENERATION. KafkaApis.handleOffsetCommitRequest answers
  UNKNOWN_TOPIC_OR_PARTITION for partitions that do not exist.
- handleLeaveGroup: UNKNOWN_MEMBER_ID per member; LeaveGroup v0-2 carry it as the top-level
  error (clients/.../requests/LeaveGroupResponse.java).
- handleDescribeGroup: a group it does not know is described with no error, state Dead.
  GroupMetadataManager.getOffsets: no offsets for a group it does not know (-1 for each
  partition asked for). handleDeleteGroups: GROUP_ID_NOT_FOUND for an unknown group,
  NON_EMPTY_GROUP unless the group is Empty.
- Member metadata has no limit of its own below the request size; Kafka stores the group
  (metadata and assignments) at SyncGroup and answers an error there if the record is too
  big for its offsets topic. Either way the group must stay usable."""

import struct
import sys
import unittest

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from kafka.protocol.admin import DeleteGroupsRequest, DescribeGroupsRequest, ListGroupsRequest
from kafka.protocol.commit import GroupCoordinatorRequest, OffsetCommitRequest, OffsetFetchRequest
from kafka.protocol.group import (HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest,
                                  SyncGroupRequest)
from kafka.protocol.metadata import MetadataRequest

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import DEADLINE_S, ServerTestCase, unique, wait_until  # noqa: E402
from kafka_wire import (Conn, GROUP_ID_NOT_FOUND, ILLEGAL_GENERATION,
                        INCONSISTENT_GROUP_PROTOCOL, INVALID_GROUP_ID,
                        INVALID_SESSION_TIMEOUT, MEMBER_ID_REQUIRED, NONE, NON_EMPTY_GROUP,
                        UNKNOWN_MEMBER_ID, UNKNOWN_TOPIC_OR_PARTITION, Writer)  # noqa: E402


MIN_SESSION_MS = 1000
MAX_SESSION_MS = 300000
SERVER_ARGS = ("--group-initial-rebalance-delay-ms", "0",
               "--group-min-session-timeout-ms", str(MIN_SESSION_MS),
               "--group-max-session-timeout-ms", str(MAX_SESSION_MS))
SESSION_MS = 120000   # raw members never heartbeat on their own: long sessions
REBALANCE_MS = 10000
TOPIC = "orders"      # 2 partitions


# ---- flexible requests (KIP-482) with kafka_wire's Writer and Reader -------------------

def _bytes(w, b):  # compact bytes
    return w.uvarint(len(b) + 1).raw(b)


def _read_bytes(r):
    n = r.uvarint()
    return None if n == 0 else r.take(n - 1)


def join_v7(conn, group, member_id="", protocols=(("range", b"subscription"),),
            protocol_type="consumer", session_ms=SESSION_MS, instance_id=None):
    w = Writer().string(group).i32(session_ms).i32(REBALANCE_MS).string(member_id)
    w.string(instance_id).string(protocol_type)
    w.array(list(protocols), lambda w, p: _bytes(w.string(p[0]), p[1]).tags())
    r = conn.flexible(11, 7, w.tags().out)
    out = {"throttle_time_ms": r.i32(), "error_code": r.i16(), "generation_id": r.i32(),
           "protocol_type": r.string(), "protocol_name": r.string(), "leader": r.string(),
           "member_id": r.string()}

    def member(r):
        m = {"member_id": r.string(), "instance_id": r.string(), "metadata": _read_bytes(r)}
        r.tags()
        return m
    out["members"] = r.array(member)
    r.tags()
    return out


def sync_v5(conn, group, generation, member_id, assignments=(), protocol_type="consumer",
            protocol_name="range"):
    w = Writer().string(group).i32(generation).string(member_id).string(None)
    w.string(protocol_type).string(protocol_name)
    w.array(list(assignments), lambda w, a: _bytes(w.string(a[0]), a[1]).tags())
    r = conn.flexible(14, 5, w.tags().out)
    out = {"throttle_time_ms": r.i32(), "error_code": r.i16(), "protocol_type": r.string(),
           "protocol_name": r.string(), "assignment": _read_bytes(r)}
    r.tags()
    return out


def heartbeat_v4(conn, group, generation, member_id):
    w = Writer().string(group).i32(generation).string(member_id).string(None).tags()
    r = conn.flexible(12, 4, w.out)
    r.i32()
    error = r.i16()
    r.tags()
    return error


def commit_v8(conn, group, generation, member_id, offsets):
    """offsets: {(topic, partition): offset}. Returns {(topic, partition): error}."""
    by_topic = {}
    for (topic, partition), offset in offsets.items():
        by_topic.setdefault(topic, []).append((partition, offset))

    def partition(w, po):
        w.i32(po[0]).raw(struct.pack(">q", po[1])).i32(-1).string("").tags()

    w = Writer().string(group).i32(generation).string(member_id).string(None)
    w.array(list(by_topic.items()), lambda w, t: w.string(t[0]).array(t[1], partition).tags())
    r = conn.flexible(8, 8, w.tags().out)
    r.i32()
    out = {}

    def topic(r):
        name = r.string()

        def part(r):
            partition = r.i32()
            out[(name, partition)] = r.i16()
            r.tags()
        r.array(part)
        r.tags()
    r.array(topic)
    r.tags()
    return out


# ---- the versions kafka-python has classes for ------------------------------------------

def join_v2(conn, group, member_id="", protocols=(("range", b"subscription"),),
            protocol_type="consumer", session_ms=SESSION_MS):
    resp = conn.request(JoinGroupRequest[2](group, session_ms, REBALANCE_MS, member_id,
                                            protocol_type, list(protocols)))
    return {"error_code": resp.error_code, "generation_id": resp.generation_id,
            "protocol_name": resp.group_protocol, "leader": resp.leader_id,
            "member_id": resp.member_id, "members": resp.members}


def sync_v1(conn, group, generation, member_id, assignments=()):
    resp = conn.request(SyncGroupRequest[1](group, generation, member_id, list(assignments)))
    return resp.error_code, resp.member_assignment


def heartbeat_v1(conn, group, generation, member_id):
    return conn.request(HeartbeatRequest[1](group, generation, member_id)).error_code


def leave_v1(conn, group, member_id):
    return conn.request(LeaveGroupRequest[1](group, member_id)).error_code


def commit_v2(conn, group, generation, member_id, offsets):
    by_topic = {}
    for (topic, partition), offset in offsets.items():
        by_topic.setdefault(topic, []).append((partition, offset, ""))
    resp = conn.request(OffsetCommitRequest[2](group, generation, member_id, -1,
                                               list(by_topic.items())))
    return {(t, p): e for t, parts in resp.topics for p, e in parts}


def fetch_v3(conn, group, partitions=None):
    """partitions: [(topic, partition)] or None for all. Returns (error, {(topic,
    partition): (offset, error)})."""
    topics = None
    if partitions is not None:
        by_topic = {}
        for t, p in partitions:
            by_topic.setdefault(t, []).append(p)
        topics = list(by_topic.items())
    resp = conn.request(OffsetFetchRequest[3](group, topics))
    return resp.error_code, {(t, p): (o, e) for t, parts in resp.topics for p, o, _, e in parts}


def describe_v1(conn, group):
    """(error, state, protocol type, protocol, [(member id, client id, metadata,
    assignment)])."""
    (g,) = conn.request(DescribeGroupsRequest[1]([group])).groups
    error, name, state, protocol_type, protocol, members = g
    assert name == group, (name, group)
    return error, state, protocol_type, protocol, [(m[0], m[1], m[3], m[4]) for m in members]


def delete_v1(conn, groups):
    return dict(conn.request(DeleteGroupsRequest[1](list(groups))).results)


class Member:
    """A raw member that joined (JoinGroup v7, after MEMBER_ID_REQUIRED) and synced as the
    leader of its own group."""

    def __init__(self, conn, group, metadata=b"subscription", protocol="range"):
        self.conn, self.group = conn, group
        first = join_v7(conn, group, "", protocols=[(protocol, metadata)])
        assert first["error_code"] == MEMBER_ID_REQUIRED, first
        joined = join_v7(conn, group, first["member_id"], protocols=[(protocol, metadata)])
        assert joined["error_code"] == NONE, joined
        self.member_id, self.generation = joined["member_id"], joined["generation_id"]
        self.assignment = b"assignment-of-" + group.encode()
        synced = sync_v5(conn, group, self.generation, self.member_id,
                         [(self.member_id, self.assignment)], protocol_name=protocol)
        assert synced["error_code"] == NONE and synced["assignment"] == self.assignment, synced

    def heartbeat(self):
        return heartbeat_v4(self.conn, self.group, self.generation, self.member_id)


class GroupBadInputTest(ServerTestCase):

    server_args = SERVER_ARGS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = AdminClient({"bootstrap.servers": cls.brook.bootstrap})
        admin.create_topics([NewTopic(TOPIC, 2, 1)], operation_timeout=30)[TOPIC].result(60)
        cls.conn = Conn(cls.brook.port)
        # This broker coordinates every group.
        resp = cls.conn.request(GroupCoordinatorRequest[0]("watchdog"))
        assert (resp.error_code, resp.port) == (NONE, cls.brook.port), resp
        # A group that must stay healthy through everything below.
        cls.watchdog = Member(cls.conn, "watchdog")

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        super().tearDownClass()

    def tearDown(self):
        # The broker still serves, and the watchdog group is untouched.
        self.assertEqual(self.conn.request(MetadataRequest[1]([TOPIC])).topics[0][0], NONE)
        self.assertEqual(self.watchdog.heartbeat(), NONE)
        error, state, _, _, members = describe_v1(self.conn, "watchdog")
        self.assertEqual((error, state, [m[0] for m in members]),
                         (NONE, "Stable", [self.watchdog.member_id]))

    def group(self, what):
        return unique(what)

    def active(self, what):
        """A new group with one raw member, Stable."""
        return Member(self.connect(), self.group(what))

    def assert_healthy(self, m):
        """The member's group is Stable with it as the only member, and it can commit."""
        self.assertEqual(m.heartbeat(), NONE)
        error, state, protocol_type, protocol, members = describe_v1(m.conn, m.group)
        self.assertEqual((error, state, protocol_type, protocol), (NONE, "Stable", "consumer", "range"))
        self.assertEqual([(x[0], x[3]) for x in members], [(m.member_id, m.assignment)])
        self.assertEqual(commit_v8(m.conn, m.group, m.generation, m.member_id, {(TOPIC, 1): 7}),
                         {(TOPIC, 1): NONE})
        self.assertEqual(fetch_v3(m.conn, m.group, [(TOPIC, 1)]), (NONE, {(TOPIC, 1): (7, NONE)}))

    # ---- OffsetCommit ----

    def test_offset_commit_from_an_unknown_member_of_an_active_group(self):
        m = self.active("commit-unknown")
        for commit in (commit_v2, commit_v8):
            self.assertEqual(commit(m.conn, m.group, m.generation, "not-a-member", {(TOPIC, 0): 5}),
                             {(TOPIC, 0): UNKNOWN_MEMBER_ID}, commit.__name__)
            # An admin-style commit (generation -1, no member id) is only for empty groups.
            self.assertEqual(commit(m.conn, m.group, -1, "", {(TOPIC, 0): 5}),
                             {(TOPIC, 0): UNKNOWN_MEMBER_ID}, commit.__name__)
        self.assertEqual(fetch_v3(m.conn, m.group, [(TOPIC, 0)]), (NONE, {(TOPIC, 0): (-1, NONE)}))
        self.assert_healthy(m)

    def test_offset_commit_with_a_stale_generation(self):
        m = self.active("commit-stale")
        for commit in (commit_v2, commit_v8):
            for generation in (m.generation - 1, m.generation + 1):
                self.assertEqual(commit(m.conn, m.group, generation, m.member_id, {(TOPIC, 0): 5}),
                                 {(TOPIC, 0): ILLEGAL_GENERATION}, (commit.__name__, generation))
        self.assertEqual(fetch_v3(m.conn, m.group, [(TOPIC, 0)]), (NONE, {(TOPIC, 0): (-1, NONE)}))
        self.assert_healthy(m)

    def test_offset_commit_to_a_group_that_does_not_exist(self):
        conn = self.connect()
        group = self.group("commit-nogroup")
        # A generation from a group management that is not there: refused.
        self.assertEqual(commit_v2(conn, group, 3, "someone", {(TOPIC, 0): 5}),
                         {(TOPIC, 0): ILLEGAL_GENERATION})
        self.assertEqual(describe_v1(conn, group)[:2], (NONE, "Dead"))
        # Generation -1: a group that only keeps offsets; the commit creates it, Empty.
        self.assertEqual(commit_v8(conn, group, -1, "", {(TOPIC, 0): 5, (TOPIC, 1): 6}),
                         {(TOPIC, 0): NONE, (TOPIC, 1): NONE})
        self.assertEqual(fetch_v3(conn, group), (NONE, {(TOPIC, 0): (5, NONE), (TOPIC, 1): (6, NONE)}))
        self.assertEqual(describe_v1(conn, group)[:2], (NONE, "Empty"))

    def test_offset_commit_for_partitions_that_do_not_exist(self):
        m = self.active("commit-notopic")
        got = commit_v8(m.conn, m.group, m.generation, m.member_id,
                        {("no-such-topic", 0): 1, (TOPIC, 9): 1, (TOPIC, 0): 1})
        self.assertEqual(got, {("no-such-topic", 0): UNKNOWN_TOPIC_OR_PARTITION,
                               (TOPIC, 9): UNKNOWN_TOPIC_OR_PARTITION, (TOPIC, 0): NONE})
        self.assert_healthy(m)

    # ---- Heartbeat, SyncGroup, LeaveGroup ----

    def test_heartbeat_errors(self):
        m = self.active("heartbeat")
        for heartbeat in (heartbeat_v1, heartbeat_v4):
            name = heartbeat.__name__
            self.assertEqual(heartbeat(m.conn, m.group, m.generation, "not-a-member"),
                             UNKNOWN_MEMBER_ID, name)
            self.assertEqual(heartbeat(m.conn, self.group("nogroup"), 1, "someone"),
                             UNKNOWN_MEMBER_ID, name)
            self.assertEqual(heartbeat(m.conn, m.group, m.generation + 1, m.member_id),
                             ILLEGAL_GENERATION, name)
            self.assertEqual(heartbeat(m.conn, m.group, m.generation, m.member_id), NONE, name)
        self.assert_healthy(m)

    def test_sync_group_errors(self):
        m = self.active("sync")
        self.assertEqual(sync_v1(m.conn, m.group, m.generation + 1, m.member_id)[0],
                         ILLEGAL_GENERATION)
        self.assertEqual(sync_v5(m.conn, m.group, m.generation - 1, m.member_id)["error_code"],
                         ILLEGAL_GENERATION)
        self.assertEqual(sync_v1(m.conn, m.group, m.generation, "not-a-member")[0],
                         UNKNOWN_MEMBER_ID)
        self.assertEqual(sync_v1(m.conn, self.group("nogroup"), 1, "someone")[0],
                         UNKNOWN_MEMBER_ID)
        # A stable group answers a repeated SyncGroup with the member's assignment.
        self.assertEqual(sync_v1(m.conn, m.group, m.generation, m.member_id),
                         (NONE, m.assignment))
        self.assert_healthy(m)

    def test_leave_group_errors(self):
        m = self.active("leave")
        self.assertEqual(leave_v1(m.conn, m.group, "not-a-member"), UNKNOWN_MEMBER_ID)
        self.assertEqual(leave_v1(m.conn, self.group("nogroup"), "someone"), UNKNOWN_MEMBER_ID)
        self.assert_healthy(m)
        self.assertEqual(leave_v1(m.conn, m.group, m.member_id), NONE)
        error, state, _, _, members = describe_v1(m.conn, m.group)
        self.assertEqual((error, state, members), (NONE, "Empty", []))
        self.assertEqual(heartbeat_v1(m.conn, m.group, m.generation, m.member_id),
                         UNKNOWN_MEMBER_ID)

    # ---- JoinGroup ----

    def test_join_from_v4_on_without_a_member_id_is_member_id_required(self):
        conn = self.connect()
        group = self.group("join-v7")
        first = join_v7(conn, group, "")
        self.assertEqual((first["error_code"], first["generation_id"]), (MEMBER_ID_REQUIRED, -1))
        self.assertTrue(first["member_id"], "a member id comes with MEMBER_ID_REQUIRED")
        joined = join_v7(conn, group, first["member_id"])
        self.assertEqual(joined["error_code"], NONE)
        self.assertEqual(joined["member_id"], first["member_id"])
        self.assertEqual(joined["leader"], first["member_id"])
        self.assertGreaterEqual(joined["generation_id"], 1)
        self.assertEqual((joined["protocol_type"], joined["protocol_name"]), ("consumer", "range"))
        self.assertEqual([(x["member_id"], x["metadata"]) for x in joined["members"]],
                         [(first["member_id"], b"subscription")])
        synced = sync_v5(conn, group, joined["generation_id"], joined["member_id"],
                         [(joined["member_id"], b"mine")])
        self.assertEqual((synced["error_code"], synced["assignment"]), (NONE, b"mine"))
        self.assertEqual((synced["protocol_type"], synced["protocol_name"]), ("consumer", "range"))
        # Before v4 a new member joins in one step.
        old = join_v2(conn, self.group("join-v2"), "")
        self.assertEqual(old["error_code"], NONE)
        self.assertTrue(old["member_id"])
        self.assertEqual(old["leader"], old["member_id"])
        # A member id the group never gave out, for a group that does not exist.
        self.assertEqual(join_v7(conn, self.group("join-ghost"), "ghost")["error_code"],
                         UNKNOWN_MEMBER_ID)

    def test_join_with_no_protocols(self):
        conn = self.connect()
        group = self.group("join-noproto")
        self.assertEqual(join_v7(conn, group, "", protocols=[])["error_code"],
                         INCONSISTENT_GROUP_PROTOCOL)
        self.assertEqual(join_v2(conn, group, "", protocols=[])["error_code"],
                         INCONSISTENT_GROUP_PROTOCOL)
        self.assertEqual(join_v7(conn, group, "", protocol_type="")["error_code"],
                         INCONSISTENT_GROUP_PROTOCOL)
        # The group can be formed properly afterwards.
        self.assert_healthy(Member(conn, group))

    def test_join_with_another_protocol_type_or_no_common_protocol(self):
        m = self.active("join-othertype")
        other = self.connect()
        self.assertEqual(join_v7(other, m.group, "", protocol_type="connect")["error_code"],
                         INCONSISTENT_GROUP_PROTOCOL)
        self.assertEqual(join_v2(other, m.group, "", protocol_type="connect")["error_code"],
                         INCONSISTENT_GROUP_PROTOCOL)
        self.assertEqual(join_v7(other, m.group, "", protocols=[("sticky-only", b"x")])["error_code"],
                         INCONSISTENT_GROUP_PROTOCOL)
        # The member itself cannot switch type either.
        self.assertEqual(join_v7(m.conn, m.group, m.member_id, protocol_type="connect")["error_code"],
                         INCONSISTENT_GROUP_PROTOCOL)
        self.assert_healthy(m)

    def test_session_timeout_out_of_range(self):
        conn = self.connect()
        group = self.group("join-session")
        for session_ms in (MIN_SESSION_MS - 1, MAX_SESSION_MS + 1, 0, -1):
            self.assertEqual(join_v7(conn, group, "", session_ms=session_ms)["error_code"],
                             INVALID_SESSION_TIMEOUT, session_ms)
            self.assertEqual(join_v2(conn, group, "", session_ms=session_ms)["error_code"],
                             INVALID_SESSION_TIMEOUT, session_ms)
        # The bounds themselves are accepted.
        first = join_v7(conn, group, "", session_ms=MIN_SESSION_MS)
        self.assertEqual(first["error_code"], MEMBER_ID_REQUIRED)
        self.assertEqual(join_v2(conn, self.group("join-max"), "",
                                 session_ms=MAX_SESSION_MS)["error_code"], NONE)

    def test_empty_group_id(self):
        conn = self.connect()
        self.assertEqual(join_v7(conn, "", "")["error_code"], INVALID_GROUP_ID)
        self.assertEqual(join_v2(conn, "", "")["error_code"], INVALID_GROUP_ID)
        self.assertEqual(sync_v1(conn, "", 1, "someone")[0], INVALID_GROUP_ID)
        self.assertEqual(heartbeat_v1(conn, "", 1, "someone"), INVALID_GROUP_ID)
        self.assertEqual(heartbeat_v4(conn, "", 1, "someone"), INVALID_GROUP_ID)
        self.assertEqual(leave_v1(conn, "", "someone"), INVALID_GROUP_ID)

    def test_oversized_member_metadata(self):
        # 2 MiB of protocol metadata, in a request far below the 100 MiB request limit.
        conn = self.connect()
        group = self.group("join-huge")
        big = bytes(range(256)) * (8 * 1024)
        first = join_v7(conn, group, "", protocols=[("range", big)])
        self.assertEqual(first["error_code"], MEMBER_ID_REQUIRED)
        joined = join_v7(conn, group, first["member_id"], protocols=[("range", big)])
        if joined["error_code"] == NONE:
            self.assertEqual([x["metadata"] for x in joined["members"]], [big])
            synced = sync_v5(conn, group, joined["generation_id"], joined["member_id"],
                             [(joined["member_id"], b"huge-member")])
            if synced["error_code"] == NONE:
                self.assertEqual(synced["assignment"], b"huge-member")
                self.assertEqual(heartbeat_v4(conn, group, joined["generation_id"],
                                              joined["member_id"]), NONE)
                error, state, _, _, members = describe_v1(conn, group)
                self.assertEqual((error, state), (NONE, "Stable"))
                self.assertEqual([(x[0], x[2], x[3]) for x in members],
                                 [(joined["member_id"], big, b"huge-member")])
        # Whatever was answered, the member can leave and the group is usable after.
        self.assertIn(leave_v1(conn, group, first["member_id"]), (NONE, UNKNOWN_MEMBER_ID))
        self.assert_healthy(Member(self.connect(), group))

    # ---- DescribeGroups, OffsetFetch, DeleteGroups, ListGroups ----

    def test_unknown_groups(self):
        conn = self.connect()
        group = self.group("unknown")
        self.assertEqual(describe_v1(conn, group), (NONE, "Dead", "", "", []))
        self.assertEqual(fetch_v3(conn, group, [(TOPIC, 0), (TOPIC, 1)]),
                         (NONE, {(TOPIC, 0): (-1, NONE), (TOPIC, 1): (-1, NONE)}))
        self.assertEqual(fetch_v3(conn, group), (NONE, {}))
        self.assertEqual(delete_v1(conn, [group]), {group: GROUP_ID_NOT_FOUND})
        self.assertNotIn(group, [g for g, _ in conn.request(ListGroupsRequest[1]()).groups])

    def test_delete_groups(self):
        m = self.active("delete")
        self.assertEqual(commit_v2(m.conn, m.group, m.generation, m.member_id, {(TOPIC, 0): 3}),
                         {(TOPIC, 0): NONE})
        self.assertIn((m.group, "consumer"), m.conn.request(ListGroupsRequest[1]()).groups)
        self.assertEqual(delete_v1(m.conn, [m.group]), {m.group: NON_EMPTY_GROUP})
        self.assert_healthy(m)
        self.assertEqual(leave_v1(m.conn, m.group, m.member_id), NONE)
        unknown = self.group("delete-unknown")
        self.assertEqual(delete_v1(m.conn, [m.group, unknown]),
                         {m.group: NONE, unknown: GROUP_ID_NOT_FOUND})
        self.assertEqual(describe_v1(m.conn, m.group), (NONE, "Dead", "", "", []))
        self.assertEqual(fetch_v3(m.conn, m.group), (NONE, {}))
        self.assertEqual(delete_v1(m.conn, [m.group]), {m.group: GROUP_ID_NOT_FOUND})

    # ---- and a real client afterwards ----

    def test_zz_a_consumer_group_still_works(self):
        # Runs last (alphabetical): two librdkafka consumers share a topic, each record
        # is read once, and what they commit is read back.
        topic, group = "after-abuse", self.group("real")
        admin = AdminClient({"bootstrap.servers": self.brook.bootstrap})
        admin.create_topics([NewTopic(topic, 4, 1)], operation_timeout=30)[topic].result(60)
        consumers = [Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": group,
                               "client.id": f"real-{i}", "session.timeout.ms": 6000,
                               "heartbeat.interval.ms": 300, "auto.offset.reset": "earliest",
                               "enable.auto.commit": False}) for i in range(2)]
        for c in consumers:
            c.subscribe([topic])
            self.addCleanup(c.close)
        got = {0: [], 1: []}

        def poll_all():
            for i, c in enumerate(consumers):
                for m in c.consume(num_messages=100, timeout=0.05):
                    if m.error():
                        self.assertEqual(m.error().code(), KafkaError._PARTITION_EOF)
                        continue
                    got[i].append((m.partition(), m.offset()))

        def assignments():
            return [frozenset(tp.partition for tp in c.assignment()) for c in consumers]

        wait_until(lambda: all(assignments()) and not assignments()[0] & assignments()[1] and
                   assignments()[0] | assignments()[1] == {0, 1, 2, 3},
                   lambda: f"assignments {assignments()}", pump=poll_all)
        p = Producer({"bootstrap.servers": self.brook.bootstrap, "acks": "all"})
        for i in range(40):
            p.produce(topic, value=b"%d" % i, partition=i % 4)
        self.assertEqual(p.flush(DEADLINE_S), 0)
        want = [(p, o) for p in range(4) for o in range(10)]
        wait_until(lambda: len(got[0]) + len(got[1]) >= len(want),
                   lambda: f"{len(got[0]) + len(got[1])} of {len(want)} records", pump=poll_all)
        self.assertEqual(sorted(got[0] + got[1]), want)
        for i, c in enumerate(consumers):
            self.assertEqual({p for p, _ in got[i]}, set(assignments()[i]))
            c.commit(asynchronous=False)
        committed = consumers[0].committed([TopicPartition(topic, p) for p in range(4)], timeout=30)
        self.assertEqual([tp.offset for tp in committed], [10, 10, 10, 10])

if __name__ == "__main__":
    unittest.main()
