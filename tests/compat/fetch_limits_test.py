#!/usr/bin/python3
"""Fetch's size limits on a real `brook serve`, as Kafka applies them (KIP-74): an answer
stays within the request's max_bytes and each partition within its partition_max_bytes;
only the first record batch of the first partition with data goes out whatever its size,
so a consumer always progresses. Raw Fetch v4 requests (kafka-python's classes), then a
librdkafka consumer (confluent-kafka-python) whose receive.message.max.bytes is smaller
than two of the topic's batches: it must read every record without an oversized answer.
An answer also names at most 64 segment files (each stays open until the answer is sent):
partitions past the 64th with data get no records this time."""

import sys
import time
import unittest

import confluent_kafka
from confluent_kafka.admin import AdminClient, NewTopic
from kafka.protocol.fetch import FetchRequest

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import ServerTestCase  # noqa: E402
from kafka_wire import NONE, Conn, batch, produce  # noqa: E402

KB = 1000
OVERHEAD = 200  # a batch's header and its one record's framing, at most


def fetch_sizes(conn, topic, partitions, max_bytes, partition_max_bytes):
    """One Fetch v4 of `partitions` (in that order) from offset 0; the bytes of records each
    partition answered, in request order."""
    req = FetchRequest[4](replica_id=-1, max_wait_time=0, min_bytes=0, max_bytes=max_bytes,
                          isolation_level=0,
                          topics=[(topic, [(p, 0, partition_max_bytes) for p in partitions])])
    resp = conn.request(req)
    (_, parts), = resp.topics
    sizes = []
    for part in parts:
        assert part[1] == NONE, part[1]
        sizes.append(len(part[-1]) if part[-1] else 0)
    return sizes


class FetchLimitsTest(ServerTestCase):
    server_args = ("--default-partitions", "3")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        conn = Conn(cls.brook.port)
        # "even": three 100 KB batches in each of three partitions.
        for p in range(3):
            for i in range(3):
                assert produce(conn, "even", p, batch([bytes([i]) * (100 * KB)]))[1] == NONE
        # "big": partition 0 holds one 300 KB batch, partitions 1 and 2 one 100 KB batch each.
        assert produce(conn, "big", 0, batch([b"b" * (300 * KB)]))[1] == NONE
        for p in (1, 2):
            assert produce(conn, "big", p, batch([b"s" * (100 * KB)]))[1] == NONE
        conn.close()

    def assert_batches(self, size, count):
        self.assertGreaterEqual(size, count * 100 * KB, size)
        self.assertLessEqual(size, count * (100 * KB + OVERHEAD), size)

    def test_max_bytes_bounds_the_whole_answer(self):
        c = self.connect()
        sizes = fetch_sizes(c, "even", [0, 1, 2], 250 * KB, 1 << 20)
        # Two batches of partition 0 fit; partition 1's next batch would pass the limit.
        self.assert_batches(sizes[0], 2)
        self.assertEqual(sizes[1:], [0, 0])
        self.assertLessEqual(sum(sizes), 250 * KB)

        sizes = fetch_sizes(c, "even", [2, 0, 1], 450 * KB, 1 << 20)
        self.assert_batches(sizes[0], 3)
        self.assert_batches(sizes[1], 1)
        self.assertEqual(sizes[2], 0)
        self.assertLessEqual(sum(sizes), 450 * KB)

    def test_partition_max_bytes_bounds_each_partition(self):
        c = self.connect()
        sizes = fetch_sizes(c, "even", [0, 1, 2], 10 << 20, 150 * KB)
        for size in sizes:
            self.assert_batches(size, 1)
        sizes = fetch_sizes(c, "even", [0, 1, 2], 10 << 20, 250 * KB)
        for size in sizes:
            self.assert_batches(size, 2)

    def test_only_the_first_partition_with_data_may_pass_the_limits(self):
        c = self.connect()
        # Partition 0 first: its 300 KB batch goes out past both limits, nothing else.
        sizes = fetch_sizes(c, "big", [0, 1, 2], 100 * KB, 100 * KB)
        self.assertGreaterEqual(sizes[0], 300 * KB)
        self.assertEqual(sizes[1:], [0, 0])
        # Partition 0 later: its batch does not fit, so it gets nothing, and the first
        # partition's 100 KB batch (a little over 100 KB) goes out.
        sizes = fetch_sizes(c, "big", [1, 0, 2], 1 << 20, 200 * KB)
        self.assert_batches(sizes[0], 1)
        self.assertEqual(sizes[1], 0)
        self.assert_batches(sizes[2], 1)
        sizes = fetch_sizes(c, "big", [1, 2, 0], 100 * KB, 1 << 20)
        self.assert_batches(sizes[0], 1)
        self.assertEqual(sizes[1:], [0, 0])

    def test_an_answer_names_at_most_64_files(self):
        admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{self.brook.port}"})
        admin.create_topics([NewTopic("wide", 100, 1)])["wide"].result(timeout=30)
        c = self.connect()
        for p in range(100):
            self.assertEqual(produce(c, "wide", p, batch([b"x" * 100]))[1], NONE)
        for order in (list(range(100)), list(range(99, -1, -1))):
            sizes = fetch_sizes(c, "wide", order, 10 << 20, 1 << 20)
            self.assertTrue(all(size > 0 for size in sizes[:64]), sizes)
            self.assertEqual(sizes[64:], [0] * 36)

    def test_librdkafka_consumer_with_a_small_receive_limit_reads_everything(self):
        # Three partitions, each two batches of 600 KB; the consumer takes answers of 1 MB
        # at most. An answer holding a second partition's batch would be 1.2 MB, which
        # librdkafka refuses ("Invalid response size").
        c = self.connect()
        for p in range(3):
            for i in range(2):
                value = bytes([p * 2 + i]) * (600 * KB)
                self.assertEqual(produce(c, "small-receive", p, batch([value]))[1], NONE)
        consumer = confluent_kafka.Consumer({
            "bootstrap.servers": f"127.0.0.1:{self.brook.port}",
            "group.id": "small-receive",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            # librdkafka raises fetch.max.bytes to message.max.bytes and wants
            # receive.message.max.bytes 512 bytes above it.
            "message.max.bytes": 998_000,
            "receive.message.max.bytes": 1_000_000,
            "fetch.max.bytes": 999_000,
            "max.partition.fetch.bytes": 999_000,
        })
        self.addCleanup(consumer.close)
        consumer.subscribe(["small-receive"])
        got = {}
        errors = []
        deadline = time.monotonic() + 60
        while len(got) < 6 and time.monotonic() < deadline:
            m = consumer.poll(1.0)
            if m is None:
                continue
            if m.error():
                errors.append(str(m.error()))
                continue
            got[(m.partition(), m.offset())] = m.value()[0]
        self.assertEqual(errors, [])
        self.assertEqual(got, {(p, i): p * 2 + i for p in range(3) for i in range(2)})


if __name__ == "__main__":
    unittest.main()
