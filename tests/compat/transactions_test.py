#!/usr/bin/python3
"""Transactions with librdkafka (confluent-kafka-python): a transactional producer's
commits and aborts as read_committed and read_uncommitted consumers see them, an open
transaction holding read_committed consumers back, zombie fencing, the transaction
timeout, the admin APIs that describe transactions and producers, and the errors Kafka
gives for requests out of turn (sent raw). The kill tests (transactions_kill_test.py)
prove the crash safety.

Nothing waits on time but the transaction timeout test, which waits for the server to
abort (polling the consumer, never sleeping a fixed time)."""

import struct
import sys
import unittest

from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer,
                             TopicPartition)

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import AdminServerTestCase, unique, wait_until  # noqa: E402
from kafka_wire import Reader, Writer  # noqa: E402

DEADLINE_S = 60

# Kafka error codes the transactional APIs answer.
INVALID_PRODUCER_EPOCH = 47
INVALID_TXN_STATE = 48
INVALID_PRODUCER_ID_MAPPING = 49
INVALID_TRANSACTION_TIMEOUT = 50
CONCURRENT_TRANSACTIONS = 51
UNKNOWN_MEMBER_ID = 25
PRODUCER_FENCED = 90
TRANSACTIONAL_ID_NOT_FOUND = 105


def producer(brook, tid, **extra):
    conf = {"bootstrap.servers": brook.bootstrap, "transactional.id": tid, "linger.ms": 5}
    conf.update(extra)
    p = Producer(conf)
    p.init_transactions(DEADLINE_S)
    return p


def read_all(brook, topic, partitions, isolation, expect=None, group=None):
    """Every record of `topic` a consumer with `isolation` reads from the beginning up to
    the end it sees (its high watermark: the last stable offset for read_committed), as
    (partition, offset, value); with `expect`, waits until it has that many."""
    c = Consumer({"bootstrap.servers": brook.bootstrap, "group.id": group or unique("txn-read"),
                  "enable.auto.commit": False, "isolation.level": isolation,
                  "enable.partition.eof": True, "auto.offset.reset": "earliest"})
    try:
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        got = []
        eof = set()

        def pump():
            for m in c.consume(num_messages=500, timeout=0.2):
                if m.error():
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        eof.add(m.partition())
                        continue
                    raise KafkaException(m.error())
                got.append((m.partition(), m.offset(), m.value()))

        def done():
            if expect is not None:
                return len(got) >= expect
            return len(eof) == partitions

        wait_until(done, lambda: f"{isolation} read of {topic}: {len(got)} records", pump=pump,
                   timeout=DEADLINE_S)
        return got
    finally:
        c.close()


def end_offsets(brook, topic, partition, isolation):
    c = Consumer({"bootstrap.servers": brook.bootstrap, "group.id": unique("txn-ends"),
                  "isolation.level": isolation})
    try:
        return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=30)
    finally:
        c.close()


class TransactionsTest(AdminServerTestCase):
    server_args = ("--transaction-abort-check-interval-ms", "100")

    def topic(self, prefix, partitions):
        name, error = self.create_topic(prefix, partitions=partitions)
        self.assertIsNone(error)
        return name

    def test_commit_and_abort_as_each_isolation_level_reads_them(self):
        topic = self.topic("txn", 3)
        p = producer(self.brook, unique("tid"))
        sent = {"committed": [], "aborted": []}
        for n, outcome in enumerate(["committed", "aborted", "committed", "aborted", "committed"]):
            p.begin_transaction()
            for i in range(30):
                value = f"{outcome}-{n}-{i}".encode()
                p.produce(topic, value=value, partition=i % 3)
                sent[outcome].append(value)
            if outcome == "committed":
                p.commit_transaction(DEADLINE_S)
            else:
                p.flush(DEADLINE_S)  # the aborted records are in the log first
                p.abort_transaction(DEADLINE_S)
        committed = read_all(self.brook, topic, 3, "read_committed")
        self.assertEqual(sorted(v for _, _, v in committed), sorted(sent["committed"]))
        uncommitted = read_all(self.brook, topic, 3, "read_uncommitted")
        # Every data record, none of the 5 x 3 markers (control batches are not records).
        self.assertEqual(sorted(v for _, _, v in uncommitted),
                         sorted(sent["committed"] + sent["aborted"]))
        for part in range(3):
            low, high = end_offsets(self.brook, topic, part, "read_uncommitted")
            records = sum(1 for q, _, _ in uncommitted if q == part)
            self.assertEqual(high, records + 5, f"partition {part}: 50 records and 5 markers")
            self.assertEqual(end_offsets(self.brook, topic, part, "read_committed")[1], high,
                             "nothing open: the last stable offset is the high watermark")
        # Records in each partition stay in the order they were sent.
        for part in range(3):
            values = [v for q, _, v in committed if q == part]
            self.assertEqual(values, [v for v in sent["committed"]
                                      if int(v.split(b"-")[2]) % 3 == part])
        p.flush()

    def test_an_open_transaction_holds_read_committed_consumers_back(self):
        topic = self.topic("txn-open", 1)
        plain = Producer({"bootstrap.servers": self.brook.bootstrap})
        plain.produce(topic, value=b"before")
        plain.flush(DEADLINE_S)
        p = producer(self.brook, unique("tid"))
        p.begin_transaction()
        for i in range(10):
            p.produce(topic, value=b"open-%d" % i)
        p.flush(DEADLINE_S)
        # Records after the open transaction's first one wait for it, even non-transactional.
        plain.produce(topic, value=b"after")
        plain.flush(DEADLINE_S)
        self.assertEqual([v for _, _, v in read_all(self.brook, topic, 1, "read_committed")],
                         [b"before"])
        self.assertEqual(len(read_all(self.brook, topic, 1, "read_uncommitted")), 12)
        low, lso = end_offsets(self.brook, topic, 0, "read_committed")
        self.assertEqual((low, lso), (0, 1), "the last stable offset is the transaction's start")
        self.assertEqual(end_offsets(self.brook, topic, 0, "read_uncommitted")[1], 12)
        p.commit_transaction(DEADLINE_S)
        values = [v for _, _, v in read_all(self.brook, topic, 1, "read_committed")]
        self.assertEqual(values, [b"before"] + [b"open-%d" % i for i in range(10)] + [b"after"])

    def test_a_second_producer_with_the_same_id_fences_the_first(self):
        topic = self.topic("txn-zombie", 2)
        tid = unique("tid")
        zombie = producer(self.brook, tid)
        zombie.begin_transaction()
        for i in range(10):
            zombie.produce(topic, value=b"zombie-%d" % i, partition=i % 2)
        zombie.flush(DEADLINE_S)
        successor = producer(self.brook, tid)  # aborts the zombie's transaction
        successor.begin_transaction()
        successor.produce(topic, value=b"successor", partition=0)
        successor.commit_transaction(DEADLINE_S)
        with self.assertRaises(KafkaException) as caught:
            zombie.produce(topic, value=b"zombie-late", partition=1)
            zombie.commit_transaction(DEADLINE_S)
        self.assertTrue(caught.exception.args[0].fatal(), str(caught.exception))
        self.assertEqual(caught.exception.args[0].code(), KafkaError._FENCED,
                         str(caught.exception))
        values = [v for _, _, v in read_all(self.brook, topic, 2, "read_committed")]
        self.assertEqual(values, [b"successor"])

    def test_a_transaction_past_its_timeout_is_aborted(self):
        topic = self.topic("txn-timeout", 1)
        tid = unique("tid")
        stuck = producer(self.brook, tid, **{"transaction.timeout.ms": 1500})
        stuck.begin_transaction()
        stuck.produce(topic, value=b"never-committed")
        stuck.flush(DEADLINE_S)
        plain = Producer({"bootstrap.servers": self.brook.bootstrap})
        plain.produce(topic, value=b"later")
        plain.flush(DEADLINE_S)
        # The server aborts the transaction on its own: consumers move past it.
        values = [v for _, _, v in read_all(self.brook, topic, 1, "read_committed", expect=1)]
        self.assertEqual(values, [b"later"])
        self.assertEqual(self.describe(tid)["state"], "CompleteAbort")
        # The producer that went quiet is fenced: its epoch was bumped.
        with self.assertRaises(KafkaException):
            stuck.commit_transaction(DEADLINE_S)

    def test_a_timeout_above_the_maximum_is_refused(self):
        conn = self.connect()
        body = (Writer().string("too-long").i32(3_600_000).raw(struct.pack(">q", -1)).i16(-1)
                .tags().out)
        r = conn.flexible(22, 4, body)
        r.i32()
        self.assertEqual(r.i16(), INVALID_TRANSACTION_TIMEOUT)

    # The admin APIs, raw (confluent-kafka 1.7 has no client for them).

    def describe(self, tid):
        conn = self.connect()
        r = conn.flexible(65, 0, Writer().array([tid], Writer.string).tags().out)
        r.i32()
        states = r.array(lambda rd: {
            "error": rd.i16(), "id": rd.string(), "state": rd.string(), "timeout": rd.i32(),
            "start": rd.i64(), "producer_id": rd.i64(), "epoch": rd.i16(),
            "topics": rd.array(lambda t: (t.string(), t.array(lambda x: x.i32()), t.tags())),
            "_": rd.tags()})
        return states[0]

    def test_describe_and_list_transactions_and_producers(self):
        topic = self.topic("txn-describe", 2)
        tid = unique("tid")
        p = producer(self.brook, tid, **{"transaction.timeout.ms": 45000})
        p.begin_transaction()
        p.produce(topic, value=b"x", partition=1)
        p.flush(DEADLINE_S)
        d = self.describe(tid)
        self.assertEqual((d["error"], d["id"], d["state"], d["timeout"]),
                         (0, tid, "Ongoing", 45000))
        self.assertGreater(d["start"], 0)
        self.assertEqual([(t, parts) for t, parts, _ in d["topics"]], [(topic, [1])])
        # ListTransactions, filtered by state.
        conn = self.connect()
        body = Writer().array(["Ongoing"], Writer.string).array([], None).tags().out
        r = conn.flexible(66, 0, body)
        r.i32()
        self.assertEqual(r.i16(), 0)
        self.assertEqual(r.array(lambda x: x.string()), [])
        listed = r.array(lambda x: (x.string(), x.i64(), x.string(), x.tags()))
        self.assertIn((tid, d["producer_id"], "Ongoing"), [(a, b, c) for a, b, c, _ in listed])
        # DescribeProducers: partition 1 knows the producer and its open transaction's start.
        body = Writer().array([(topic, [0, 1])], lambda w, t: w.string(t[0]).array(
            t[1], lambda w2, x: w2.i32(x)).tags()).tags().out
        r = conn.flexible(61, 0, body)
        r.i32()
        topics = r.array(lambda t: (t.string(), t.array(lambda x: {
            "partition": x.i32(), "error": x.i16(), "message": x.string(),
            "producers": x.array(lambda y: (y.i64(), y.i32(), y.i32(), y.i64(), y.i32(), y.i64(),
                                            y.tags())),
            "_": x.tags()}), t.tags()))
        (name, parts, _), = topics
        self.assertEqual(name, topic)
        self.assertEqual(parts[0]["producers"], [])
        (pid, epoch, last_seq, _, _, txn_start, _), = parts[1]["producers"]
        self.assertEqual((pid, epoch, last_seq, txn_start), (d["producer_id"], d["epoch"], 0, 0))
        p.commit_transaction(DEADLINE_S)
        self.assertEqual(self.describe(tid)["state"], "CompleteCommit")
        self.assertEqual(self.describe(unique("nobody"))["error"], TRANSACTIONAL_ID_NOT_FOUND)

    # Requests out of turn, sent raw: the errors Kafka gives, and nothing changes.

    def init_raw(self, conn, tid):
        body = (Writer().string(tid).i32(60000).raw(struct.pack(">q", -1)).i16(-1).tags().out)
        r = conn.flexible(22, 4, body)
        r.i32()
        self.assertEqual(r.i16(), 0)
        return r.i64(), r.i16()

    def end_raw(self, conn, tid, pid, epoch, commit):
        body = Writer().string(tid).raw(struct.pack(">q", pid)).i16(epoch).boolean(commit)
        r = conn.flexible(26, 3, body.tags().out)
        r.i32()
        return r.i16()

    def add_partitions_raw(self, conn, tid, pid, epoch, topic, partitions):
        body = (Writer().string(tid).raw(struct.pack(">q", pid)).i16(epoch)
                .array([(topic, partitions)], lambda w, t: w.string(t[0]).array(
                    t[1], lambda w2, x: w2.i32(x)).tags()).tags().out)
        r = conn.flexible(24, 3, body)
        r.i32()
        return r.array(lambda t: (t.string(), t.array(lambda x: (x.i32(), x.i16(), x.tags())),
                                  t.tags()))

    def test_requests_out_of_turn_get_kafkas_errors(self):
        topic = self.topic("txn-bad", 1)
        conn = self.connect()
        tid = unique("tid")
        pid, epoch = self.init_raw(conn, tid)
        # EndTxn with no transaction open.
        self.assertEqual(self.end_raw(conn, tid, pid, epoch, True), INVALID_TXN_STATE)
        # The wrong epoch, the wrong producer id, an unknown transactional id.
        (_, [(_, err, _)], _), = self.add_partitions_raw(conn, tid, pid, epoch + 1, topic, [0])
        self.assertEqual(err, PRODUCER_FENCED)
        (_, [(_, err, _)], _), = self.add_partitions_raw(conn, tid, pid + 1, epoch, topic, [0])
        self.assertEqual(err, INVALID_PRODUCER_ID_MAPPING)
        self.assertEqual(self.end_raw(conn, unique("nobody"), pid, epoch, False),
                         INVALID_PRODUCER_ID_MAPPING)
        # A partition that does not exist fails the request: nothing is added.
        (_, results, _), = self.add_partitions_raw(conn, tid, pid, epoch, topic, [0, 7])
        self.assertEqual(sorted((p, e) for p, e, _ in results),
                         [(0, 55), (7, 3)], "OPERATION_NOT_ATTEMPTED, UNKNOWN_TOPIC_OR_PARTITION")
        self.assertEqual(self.describe(tid)["state"], "Empty")
        # Now properly: a transaction with partition 0; AddOffsetsToTxn; TxnOffsetCommit by
        # a member the group does not know is refused.
        (_, [(_, err, _)], _), = self.add_partitions_raw(conn, tid, pid, epoch, topic, [0])
        self.assertEqual(err, 0)
        group = unique("txn-group")
        body = Writer().string(tid).raw(struct.pack(">q", pid)).i16(epoch).string(group).tags()
        r = conn.flexible(25, 3, body.out)
        r.i32()
        self.assertEqual(r.i16(), 0)
        body = (Writer().string(tid).string(group).raw(struct.pack(">q", pid)).i16(epoch)
                .i32(3).string("no-such-member").string(None)
                .array([(topic, [0])], lambda w, t: w.string(t[0]).array(
                    t[1], lambda w2, x: w2.i32(x).raw(struct.pack(">q", 5)).i32(-1).string("")
                    .tags()).tags()).tags().out)
        r = conn.flexible(28, 3, body)
        r.i32()
        (_, [(_, err, _)], _), = r.array(lambda t: (t.string(), t.array(
            lambda x: (x.i32(), x.i16(), x.tags())), t.tags()))
        self.assertEqual(err, ILLEGAL_GENERATION_OR_UNKNOWN)
        # A produce of a transactional batch from a producer outside the transaction's
        # partitions is refused; EndTxn commits what there is.
        self.assertEqual(self.end_raw(conn, tid, pid, epoch, True), 0)
        self.assertEqual(self.end_raw(conn, tid, pid, epoch, True), 0, "a retried commit")
        self.assertEqual(self.end_raw(conn, tid, pid, epoch, False), INVALID_TXN_STATE,
                         "an abort after the commit")
        self.assertEqual(self.describe(tid)["state"], "CompleteCommit")


def write_markers_raw(conn, pid, epoch, commit, topic, partitions):
    """WriteTxnMarkers v1 for one producer; the (partition, error) pairs of the answer."""
    body = (Writer().array([0], lambda w, _: w.raw(struct.pack(">q", pid)).i16(epoch)
                           .boolean(commit).array([(topic, partitions)], lambda w2, t: w2.string(
                               t[0]).array(t[1], lambda w3, x: w3.i32(x)).tags()).i32(0).tags())
            .tags().out)
    r = conn.flexible(27, 1, body)
    (_, [(_, results, _)], _), = r.array(lambda m: (m.i64(), m.array(lambda t: (
        t.string(), t.array(lambda x: (x.i32(), x.i16(), x.tags())), t.tags())), m.tags()))
    return [(p, e) for p, e, _ in results]


class MarkersTest(AdminServerTestCase):
    """WriteTxnMarkers from a client: applied for one allowed everything (no authorizer
    rules, as a Kafka cluster without an authorizer), refused to one without
    CLUSTER_ACTION."""

    def test_markers_from_an_allowed_client_end_a_transaction(self):
        name, error = self.create_topic("txn-markers", partitions=1)
        self.assertIsNone(error)
        p = producer(self.brook, unique("tid"))
        p.begin_transaction()
        p.produce(name, value=b"ended-by-a-marker")
        p.flush(DEADLINE_S)
        self.assertEqual(end_offsets(self.brook, name, 0, "read_committed"), (0, 0))
        conn = self.connect()
        r = conn.flexible(61, 0, Writer().array([(name, [0])], lambda w, t: w.string(t[0]).array(
            t[1], lambda w2, x: w2.i32(x)).tags()).tags().out)
        r.i32()
        (_, [part], _), = r.array(lambda t: (t.string(), t.array(lambda x: {
            "partition": x.i32(), "error": x.i16(), "message": x.string(),
            "producers": x.array(lambda y: (y.i64(), y.i32(), y.i32(), y.i64(), y.i32(), y.i64(),
                                            y.tags())),
            "_": x.tags()}), t.tags()))
        (pid, epoch, _, _, _, _, _), = part["producers"]
        self.assertEqual(write_markers_raw(conn, pid, epoch, False, name, [0]), [(0, 0)])
        self.assertEqual(end_offsets(self.brook, name, 0, "read_committed")[1], 2)
        self.assertEqual(read_all(self.brook, name, 1, "read_committed"), [])


class DeniedTest(AdminServerTestCase):
    """An anonymous client with no ACLs and allow_everyone_if_no_acl_found off."""
    server_args = ("--allow-everyone-if-no-acl-found", "false", "--super-users", "User:nobody")

    def test_a_client_without_rights_gets_kafkas_authorization_errors(self):
        conn = self.connect()
        # WriteTxnMarkers: CLUSTER_AUTHORIZATION_FAILED (31) for every partition.
        self.assertEqual(write_markers_raw(conn, 1, 0, True, "any-topic", [0, 1]),
                         [(0, 31), (1, 31)])
        # InitProducerId with a transactional id: TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53).
        body = Writer().string("tid").i32(60000).raw(struct.pack(">q", -1)).i16(-1).tags().out
        r = conn.flexible(22, 4, body)
        r.i32()
        self.assertEqual(r.i16(), 53)
        # AddPartitionsToTxn v4 (the brokers' form): CLUSTER_AUTHORIZATION_FAILED at the top.
        body = (Writer().array([0], lambda w, _: w.string("tid").raw(struct.pack(">q", 1)).i16(0)
                               .boolean(True).array([("t", [0])], lambda w2, t: w2.string(t[0])
                                                    .array(t[1], lambda w3, x: w3.i32(x)).tags())
                               .tags()).tags().out)
        r = conn.flexible(24, 4, body)
        r.i32()
        self.assertEqual(r.i16(), 31)


# A member id the group does not know, with a generation: the group does not exist either,
# so Kafka's answer is ILLEGAL_GENERATION (22).
ILLEGAL_GENERATION_OR_UNKNOWN = 22


if __name__ == "__main__":
    unittest.main()
