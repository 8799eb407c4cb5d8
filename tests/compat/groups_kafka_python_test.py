#!/usr/bin/python3
"""Consumer groups with kafka-python 2.0.2 (Debian's python3-kafka) against a real
`brook serve`: KafkaConsumers of one group share a 6-partition topic with no overlap, a
fourth member joins and is given partitions, one closes and its partitions move, offsets
committed (with metadata) are read back and resumed from, and KafkaAdminClient lists,
describes and deletes groups and lists their offsets.

kafka-python's consumer is not thread-safe and joins the group inside poll(), blocking
until the rebalance completes, so each consumer lives in a thread of its own that alone
touches it; the test talks to it through a queue of calls."""

import queue
import sys
import threading
import unittest
import uuid

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import GroupIdNotFoundError, NoError, NonEmptyGroupError
from kafka.structs import OffsetAndMetadata

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, ServerTestCase, disjoint_cover, wait_until  # noqa: E402

PARTITIONS = 6
ALL = frozenset(range(PARTITIONS))
SERVER_ARGS = ("--group-initial-rebalance-delay-ms", "0",
               "--group-min-session-timeout-ms", "1000")


class Listener(ConsumerRebalanceListener):
    def __init__(self, member):
        self.member = member

    def on_partitions_revoked(self, revoked):
        self.member.on_revoked(revoked)

    def on_partitions_assigned(self, assigned):
        self.member.on_assigned(assigned)


class Member(threading.Thread):
    """A KafkaConsumer in a group, polled by its own thread. It processes records (keeps
    them) and commits after each poll that returned any, as an at-least-once application
    does; with auto_commit=False it never commits by itself. call(fn) runs fn(consumer)
    on the member's thread and returns its result."""

    def __init__(self, bootstrap, group, topic, name, auto_commit=True, **config):
        super().__init__(daemon=True, name=name)
        self.topic = topic
        self.auto_commit = auto_commit
        self.lock = threading.Lock()
        self.records = []       # (partition, offset, value)
        self.events = []        # ("assign" | "revoke", partitions)
        self.assigned = frozenset()
        self.pending = False    # records processed and not committed yet
        self.commit_errors = []
        self.failure = None
        self._calls = queue.Queue()
        self._closing = threading.Event()
        conf = dict(bootstrap_servers=bootstrap, group_id=group, client_id=name,
                    enable_auto_commit=False, auto_offset_reset="earliest",
                    session_timeout_ms=6000, heartbeat_interval_ms=300,
                    max_poll_interval_ms=30000, reconnect_backoff_max_ms=500)
        conf.update(config)
        self.consumer = KafkaConsumer(**conf)
        self.consumer.subscribe([topic], listener=Listener(self))
        self.start()

    def on_assigned(self, partitions):
        parts = frozenset(tp.partition for tp in partitions)
        with self.lock:
            self.events.append(("assign", parts))
            self.assigned = parts

    def on_revoked(self, partitions):
        # Eager protocol: everything is revoked before the rejoin; commit what was
        # processed first (the generation is still valid).
        self._commit()
        with self.lock:
            self.events.append(("revoke", frozenset(tp.partition for tp in partitions)))
            self.assigned = frozenset()

    def _commit(self):
        if not self.auto_commit or not self.pending:
            return
        try:
            self.consumer.commit()  # the positions: after the records processed
            self.pending = False
        except Exception as e:  # CommitFailedError and the like; retried next time
            self.commit_errors.append(e)

    def run(self):
        try:
            while not self._closing.is_set():
                try:
                    fn, result = self._calls.get_nowait()
                except queue.Empty:
                    pass
                else:
                    try:
                        result.put((True, fn(self.consumer)))
                    except Exception as e:
                        result.put((False, e))
                    continue
                batches = self.consumer.poll(timeout_ms=50)
                with self.lock:
                    for tp, records in batches.items():
                        for r in records:
                            self.records.append((tp.partition, r.offset, r.value))
                        self.pending = True
                self._commit()
            self.consumer.close(autocommit=False)  # LeaveGroup
        except Exception as e:
            self.failure = e

    def call(self, fn):
        result = queue.Queue()
        self._calls.put((fn, result))
        ok, value = result.get(timeout=DEADLINE_S)
        if not ok:
            raise value
        return value

    def partitions(self):
        with self.lock:
            return self.assigned if self.is_alive() else frozenset()

    def processed(self):
        with self.lock:
            return list(self.records)

    def close(self):
        """Closes the consumer (a LeaveGroup) on its thread and ends the thread."""
        self._closing.set()
        self.join(timeout=DEADLINE_S)


class KafkaPythonGroupTest(ServerTestCase):

    server_args = SERVER_ARGS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = KafkaAdminClient(bootstrap_servers=cls.brook.bootstrap)

    @classmethod
    def tearDownClass(cls):
        cls.admin.close()
        super().tearDownClass()

    # ---- helpers ----

    def fresh(self, what):
        suffix = uuid.uuid4().hex[:8]
        topic, group = f"kp-{what}-{suffix}", f"kp-{what}-group-{suffix}"
        self.admin.create_topics([NewTopic(topic, PARTITIONS, 1)], timeout_ms=30000)
        return topic, group

    def member(self, group, topic, name, **config):
        m = Member(self.brook.bootstrap, group, topic, name, **config)
        self.addCleanup(m.close)
        return m

    def wait_stable(self, members, timeout=DEADLINE_S):
        """Waits until the members' assignments are non-empty, disjoint and cover the 6
        partitions; returns {name: partitions}."""
        def state():
            failures = [m.failure for m in members if m.failure]
            return f"assignments {({m.name: sorted(m.partitions()) for m in members})} {failures}"
        wait_until(lambda: disjoint_cover([m.partitions() for m in members], ALL), state, timeout)
        return {m.name: m.partitions() for m in members}

    def produce(self, topic, count, first=0):
        """Records numbered first.. (number i to partition i % 6), acks=all; returns
        {(partition, offset): number}."""
        p = KafkaProducer(bootstrap_servers=self.brook.bootstrap, acks="all", linger_ms=5)
        try:
            futures = [(i, p.send(topic, value=b"%d" % i, partition=i % PARTITIONS))
                       for i in range(first, first + count)]
            p.flush(DEADLINE_S)
            sent = {}
            for i, f in futures:
                md = f.get(timeout=DEADLINE_S)
                sent[(md.partition, md.offset)] = i
            return sent
        finally:
            p.close(10)

    def consume_once(self, members, topic, count, first=0):
        """Produces `count` records and waits until the members processed them: each
        exactly once, by the member that owns its partition, and committed."""
        sent = self.produce(topic, count, first)

        def seen():
            return {(p, o): m for m in members for p, o, _ in m.processed() if (p, o) in sent}
        wait_until(lambda: len(seen()) == len(sent),
                   lambda: f"{len(seen())} of {len(sent)} records processed")
        wait_until(lambda: not any(m.pending for m in members if m.is_alive()),
                   "commits of the records processed")
        owners = {p: m for m in members for p in m.partitions()}
        for (p, o), m in seen().items():
            self.assertIs(m, owners[p], f"partition {p} offset {o} processed by {m.name}")
        return sent

    def assert_each_record_once(self, members):
        positions = [(p, o) for m in members for p, o, _ in m.processed()]
        dupes = sorted({x for x in positions if positions.count(x) > 1})
        self.assertEqual(dupes, [], "records processed twice")

    def describe(self, group):
        (info,) = self.admin.describe_consumer_groups([group])
        return info

    def described_assignment(self, group):
        """{client id: partitions} from DescribeGroups, with the state."""
        info = self.describe(group)
        out = {}
        for m in info.members:
            parts = frozenset()
            if m.member_assignment:
                for topic, partitions in m.member_assignment.assignment:
                    parts |= frozenset(partitions)
            out[m.client_id] = parts
        return info.state, out

    # ---- tests ----

    def test_members_share_a_fourth_joins_and_one_closes(self):
        topic, group = self.fresh("share")
        members = [self.member(group, topic, f"m{i}") for i in range(3)]
        before = self.wait_stable(members)
        self.consume_once(members, topic, 120)

        fourth = self.member(group, topic, "m3")
        members.append(fourth)
        after = self.wait_stable(members)
        self.assertTrue(after["m3"], "the fourth member got partitions")
        self.assertTrue(any(after[n] != before[n] for n in before), "partitions moved")
        wait_until(lambda: self.described_assignment(group) == ("Stable", after),
                   lambda: f"described {self.described_assignment(group)}, clients {after}")
        self.consume_once(members, topic, 120, first=120)

        leaving = members.pop(1)
        leaving.close()
        final = self.wait_stable(members)
        for p in after[leaving.name]:
            self.assertTrue(any(p in parts for parts in final.values()), f"partition {p} moved")
        self.consume_once(members, topic, 120, first=240)
        self.assert_each_record_once(members + [leaving])
        for m in members + [leaving]:
            self.assertIsNone(m.failure, m.name)

    def test_commit_and_resume(self):
        topic, group = self.fresh("commit")
        self.produce(topic, 60)  # 10 per partition
        m = self.member(group, topic, "c0", auto_commit=False)
        wait_until(lambda: m.partitions() == ALL and len(m.processed()) == 60,
                   lambda: f"{len(m.processed())} records, partitions {sorted(m.partitions())}")
        offsets = {TopicPartition(topic, p): OffsetAndMetadata(2 + p, f"meta-{p}")
                   for p in range(PARTITIONS)}
        m.call(lambda c: c.commit(offsets))
        self.assertEqual([m.call(lambda c: c.committed(TopicPartition(topic, p)))
                          for p in range(PARTITIONS)], [2, 3, 4, 5, 6, 7])
        listed = self.admin.list_consumer_group_offsets(group)
        self.assertEqual(listed, offsets)
        m.close()

        n = self.member(group, topic, "c1", auto_commit=False)
        want = {p: list(range(2 + p, 10)) for p in range(PARTITIONS)}

        def got():
            out = {p: [] for p in range(PARTITIONS)}
            for p, o, _ in n.processed():
                out[p].append(o)
            return out
        wait_until(lambda: got() == want, lambda: f"read {got()}, want {want}")
        n.call(lambda c: c.commit())  # the positions
        self.assertEqual(
            {tp.partition: om.offset for tp, om in
             self.admin.list_consumer_group_offsets(group).items()},
            {p: 10 for p in range(PARTITIONS)})

    def test_admin_client_lists_describes_and_deletes_groups(self):
        topic, group = self.fresh("admin")
        members = [self.member(group, topic, f"a{i}") for i in range(2)]
        assignment = self.wait_stable(members)
        self.consume_once(members, topic, 30)

        self.assertIn((group, "consumer"), self.admin.list_consumer_groups())
        wait_until(lambda: self.described_assignment(group) == ("Stable", assignment),
                   lambda: f"{self.described_assignment(group)}")
        info = self.describe(group)
        self.assertEqual((info.error_code, info.group, info.protocol_type),
                         (0, group, "consumer"))
        self.assertIn(info.protocol, ("range", "roundrobin"))
        for x in info.members:
            self.assertEqual(x.member_metadata.subscription, [topic])
            self.assertTrue(x.member_id.startswith(x.client_id), x.member_id)
        self.assertEqual(
            {tp: om.offset for tp, om in self.admin.list_consumer_group_offsets(group).items()},
            {TopicPartition(topic, p): 5 for p in range(PARTITIONS)})
        ((name, error),) = self.admin.delete_consumer_groups([group])
        self.assertEqual((name, error), (group, NonEmptyGroupError))

        for m in members:
            m.close()
        wait_until(lambda: self.describe(group).state == "Empty", "an empty group")
        self.assertEqual(self.describe(group).members, [])
        ((name, error),) = self.admin.delete_consumer_groups([group])
        self.assertEqual((name, error), (group, NoError))
        self.assertNotIn(group, [g for g, _ in self.admin.list_consumer_groups()])
        self.assertEqual(self.admin.list_consumer_group_offsets(group), {})
        self.assertEqual(self.describe(group).state, "Dead")
        ((name, error),) = self.admin.delete_consumer_groups([group])
        self.assertEqual((name, error), (group, GroupIdNotFoundError))


if __name__ == "__main__":
    unittest.main()
