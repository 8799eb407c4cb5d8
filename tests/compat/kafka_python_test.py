#!/usr/bin/python3
"""kafka-python 2.0.2 (Debian's python3-kafka) against a real `brook serve`: what a Python
application produces comes back exactly (key, value, headers, timestamp, partition,
offset) with every codec the client has, big and many records, many partitions, and the
offset look-ups (beginning, end, by time) answer what Kafka answers.

Consumers use assign() without a group_id: consumer groups are not served yet."""

import random
import sys
import time
import unittest

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.client_async import KafkaClient
from kafka.codec import has_gzip, has_lz4, has_snappy, has_zstd

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import ServerTestCase  # noqa: E402

BASE_TS = 1_700_000_000_000
CONSUME_DEADLINE_S = 60


class BrookTestCase(ServerTestCase):
    """One server per class; stopping it checks the clean exit and the sanitizer."""

    # -- helpers -----------------------------------------------------------------------

    def producer(self, **config):
        config.setdefault("acks", "all")
        p = KafkaProducer(bootstrap_servers=self.brook.bootstrap, **config)
        self.addCleanup(p.close, 10)
        return p

    def consumer(self, **config):
        config.setdefault("group_id", None)
        config.setdefault("enable_auto_commit", False)
        config.setdefault("auto_offset_reset", "earliest")
        c = KafkaConsumer(bootstrap_servers=self.brook.bootstrap, **config)
        self.addCleanup(c.close)
        return c

    def consume(self, consumer, count):
        """Polls until `count` records arrived (or the deadline passed); returns them in
        the order the consumer handed them out."""
        got = []
        deadline = time.monotonic() + CONSUME_DEADLINE_S
        while len(got) < count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                got.extend(records)
        return got

    def send_all(self, producer, topic, records, partition=None):
        """Sends (key, value, headers, timestamp) tuples; returns their RecordMetadata."""
        futures = [producer.send(topic, key=k, value=v, headers=h, timestamp_ms=ts,
                                 partition=partition)
                   for k, v, h, ts in records]
        producer.flush(60)
        return [f.get(timeout=60) for f in futures]

    def assert_read_back(self, topic, sent, metadata, got):
        """Each record read equals the one sent, at the partition and offset the producer
        was told."""
        self.assertEqual(len(got), len(sent), "number of records read back")
        by_position = {(r.partition, r.offset): r for r in got}
        self.assertEqual(len(by_position), len(got), "a record was read twice")
        for (key, value, headers, ts), md in zip(sent, metadata):
            r = by_position.get((md.partition, md.offset))
            self.assertIsNotNone(r, f"nothing read at partition {md.partition} offset {md.offset}")
            self.assertEqual(r.topic, topic)
            self.assertEqual(r.key, key)
            self.assertEqual(r.value, value)
            self.assertEqual(r.headers, headers)
            self.assertEqual(r.timestamp, ts)
            self.assertEqual(r.timestamp_type, 0, "CreateTime")


def sample_records(n, seed, value_size=100):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        key = None if i % 5 == 4 else f"key-{i}".encode()
        # kafka-python refuses a record with neither key nor value (Kafka allows it).
        value = None if i % 7 == 6 and key is not None else rnd.randbytes(rnd.randint(0, value_size))
        headers = [] if i % 3 == 0 else [("h1", f"v{i}".encode()), ("empty", b""),
                                         ("bin", bytes([i % 256, 0, 255]))]
        out.append((key, value, headers, BASE_TS + i * 10))
    return out


class ApiVersionNegotiationTest(BrookTestCase):
    """api_version=None makes kafka-python probe the broker with ApiVersions."""

    def test_client_probe_finds_a_recent_broker(self):
        client = KafkaClient(bootstrap_servers=self.brook.bootstrap, api_version=None)
        self.addCleanup(client.close)
        version = client.check_version(timeout=10)
        # (2, 1, 0) or later: record batches v2 with headers, and zstd allowed.
        self.assertGreaterEqual(version, (2, 1, 0), f"probed version {version}")

    def test_producer_and_consumer_probe_and_work(self):
        p = self.producer(api_version=None)
        self.assertGreaterEqual(p.config["api_version"], (2, 1, 0))
        md = p.send("probe", key=b"k", value=b"v", headers=[("h", b"1")],
                    timestamp_ms=BASE_TS).get(timeout=30)
        self.assertEqual((md.partition, md.offset), (0, 0))
        c = self.consumer(api_version=None)
        self.assertGreaterEqual(c.config["api_version"], (2, 1, 0))
        c.assign([TopicPartition("probe", 0)])
        got = self.consume(c, 1)
        self.assertEqual([(r.key, r.value, r.headers, r.timestamp) for r in got],
                         [(b"k", b"v", [("h", b"1")], BASE_TS)])

    def test_idempotent_producer(self):
        self.skipTest("kafka-python 2.0.2 has no idempotent producer "
                      "(KafkaProducer takes no enable_idempotence option)")


class CodecRoundTripTest(BrookTestCase):
    """Every codec kafka-python has: what is read back is exactly what was sent."""

    def round_trip(self, codec):
        topic = f"codec-{codec or 'none'}"
        sent = sample_records(500, seed=topic)
        # linger lets records share batches, so multi-record (compressed) batches are read.
        p = self.producer(compression_type=codec, linger_ms=50)
        metadata = self.send_all(p, topic, sent)
        self.assertEqual([m.offset for m in metadata], list(range(len(sent))))
        c = self.consumer()
        c.assign([TopicPartition(topic, 0)])
        got = self.consume(c, len(sent))
        self.assert_read_back(topic, sent, metadata, got)
        self.assertEqual([r.offset for r in got], list(range(len(sent))), "offsets in order")

    def test_none(self):
        self.round_trip(None)

    @unittest.skipUnless(has_gzip(), "gzip is not available to kafka-python")
    def test_gzip(self):
        self.round_trip("gzip")

    @unittest.skipUnless(has_snappy(), "python3-snappy is not installed")
    def test_snappy(self):
        self.round_trip("snappy")

    @unittest.skipUnless(has_lz4(), "python3-lz4 is not installed")
    def test_lz4(self):
        self.round_trip("lz4")

    @unittest.skipUnless(has_zstd(), "python3-zstandard is not installed")
    def test_zstd(self):
        self.round_trip("zstd")

    def test_consume_from_the_middle_of_a_compressed_batch(self):
        topic = "codec-gzip-middle"
        sent = sample_records(200, seed=7)
        p = self.producer(compression_type="gzip", linger_ms=50)
        metadata = self.send_all(p, topic, sent)
        c = self.consumer()
        tp = TopicPartition(topic, 0)
        c.assign([tp])
        c.seek(tp, 123)
        got = self.consume(c, len(sent) - 123)
        self.assertEqual([r.offset for r in got], list(range(123, len(sent))))
        self.assert_read_back(topic, sent[123:], metadata[123:], got)


class SizeAndVolumeTest(BrookTestCase):

    def test_one_megabyte_messages(self):
        topic = "big"
        rnd = random.Random(1)
        # 1 MB values (incompressible) fit Kafka's default message.max.bytes (1048588).
        sent = [(f"big-{i}".encode(), rnd.randbytes(1_000_000), [("n", bytes([i]))],
                 BASE_TS + i) for i in range(5)]
        p = self.producer(max_request_size=2 * 1024 * 1024)
        metadata = self.send_all(p, topic, sent)
        self.assertEqual([m.offset for m in metadata], list(range(5)))
        c = self.consumer(max_partition_fetch_bytes=2 * 1024 * 1024)
        c.assign([TopicPartition(topic, 0)])
        got = self.consume(c, len(sent))
        self.assert_read_back(topic, sent, metadata, got)

    def test_one_megabyte_message_with_default_fetch_size(self):
        # The first batch is returned even when it exceeds max_partition_fetch_bytes.
        topic = "big-default-fetch"
        value = random.Random(2).randbytes(1_000_000)
        p = self.producer(max_request_size=2 * 1024 * 1024)
        metadata = self.send_all(p, topic, [(None, value, [], BASE_TS)])
        c = self.consumer(max_partition_fetch_bytes=64 * 1024)
        c.assign([TopicPartition(topic, 0)])
        got = self.consume(c, 1)
        self.assert_read_back(topic, [(None, value, [], BASE_TS)], metadata, got)

    def test_ten_thousand_small_messages(self):
        topic = "many-small"
        n = 10_000
        sent = [(None, f"m{i:05d}".encode(), [], BASE_TS + i) for i in range(n)]
        p = self.producer(linger_ms=20)
        metadata = self.send_all(p, topic, sent)
        self.assertEqual([m.offset for m in metadata], list(range(n)))
        c = self.consumer()
        tp = TopicPartition(topic, 0)
        c.assign([tp])
        got = self.consume(c, n)
        self.assertEqual([r.offset for r in got], list(range(n)))
        self.assert_read_back(topic, sent, metadata, got)
        self.assertEqual(c.end_offsets([tp]), {tp: n})


class ManyPartitionsTest(BrookTestCase):
    PARTITIONS = 16
    server_args = ("--default-partitions", str(PARTITIONS))

    def test_metadata_lists_every_partition(self):
        p = self.producer()
        self.assertEqual(p.partitions_for("wide-meta"), set(range(self.PARTITIONS)))

    def test_keyed_records_spread_and_come_back_in_order(self):
        topic = "wide"
        sent = sample_records(2000, seed=16)
        sent = [(f"user-{i % 97}".encode(), v, h, ts) for i, (_, v, h, ts) in enumerate(sent)]
        p = self.producer(linger_ms=20)
        metadata = self.send_all(p, topic, sent)
        used = {m.partition for m in metadata}
        self.assertEqual(used, set(range(self.PARTITIONS)), "97 keys over 16 partitions")
        # One key, one partition (the default partitioner hashes the key).
        key_partition = {}
        for (key, *_), m in zip(sent, metadata):
            self.assertEqual(key_partition.setdefault(key, m.partition), m.partition)
        # Offsets per partition run 0, 1, 2, ... in send order.
        per_partition = {}
        for m in metadata:
            per_partition.setdefault(m.partition, []).append(m.offset)
        for part, offsets in per_partition.items():
            self.assertEqual(offsets, list(range(len(offsets))), f"partition {part}")

        tps = [TopicPartition(topic, i) for i in range(self.PARTITIONS)]
        c = self.consumer()
        c.assign(tps)
        self.assertEqual(c.beginning_offsets(tps), {tp: 0 for tp in tps})
        self.assertEqual(c.end_offsets(tps),
                         {tp: len(per_partition[tp.partition]) for tp in tps})
        got = self.consume(c, len(sent))
        self.assert_read_back(topic, sent, metadata, got)
        for part in range(self.PARTITIONS):
            offsets = [r.offset for r in got if r.partition == part]
            self.assertEqual(offsets, sorted(offsets), f"partition {part} read in order")

    def test_explicit_partition(self):
        topic = "wide-explicit"
        p = self.producer()
        for part in (0, 7, 15):
            md = p.send(topic, value=f"to-{part}".encode(), partition=part,
                        timestamp_ms=BASE_TS).get(timeout=30)
            self.assertEqual((md.partition, md.offset), (part, 0))
        c = self.consumer()
        c.assign([TopicPartition(topic, 15)])
        got = self.consume(c, 1)
        self.assertEqual([(r.partition, r.offset, r.value) for r in got], [(15, 0, b"to-15")])


class OffsetLookupTest(BrookTestCase):

    def test_beginning_and_end_offsets(self):
        topic = "lookup-ends"
        p = self.producer()
        p.partitions_for(topic)  # creates the topic
        c = self.consumer()
        tp = TopicPartition(topic, 0)
        self.assertEqual(c.beginning_offsets([tp]), {tp: 0})
        self.assertEqual(c.end_offsets([tp]), {tp: 0})
        self.assertEqual(c.offsets_for_times({tp: 0}), {tp: None}, "empty partition")
        self.send_all(p, topic, [(None, b"x%d" % i, [], BASE_TS + i) for i in range(42)])
        self.assertEqual(c.beginning_offsets([tp]), {tp: 0})
        self.assertEqual(c.end_offsets([tp]), {tp: 42})

    def offsets_for_times(self, codec):
        topic = f"lookup-times-{codec or 'none'}"
        # Timestamps 1 s apart, starting at BASE_TS.
        sent = [(None, b"t%d" % i, [], BASE_TS + i * 1000) for i in range(100)]
        p = self.producer(compression_type=codec, linger_ms=50)
        metadata = self.send_all(p, topic, sent)
        self.assertEqual([m.offset for m in metadata], list(range(100)))
        c = self.consumer()
        tp = TopicPartition(topic, 0)

        def lookup(ts):
            found = c.offsets_for_times({tp: ts})[tp]
            return None if found is None else (found.offset, found.timestamp)

        self.assertEqual(lookup(0), (0, BASE_TS), "before everything: the first record")
        self.assertEqual(lookup(BASE_TS), (0, BASE_TS))
        self.assertEqual(lookup(BASE_TS + 37_000), (37, BASE_TS + 37_000), "exact time")
        self.assertEqual(lookup(BASE_TS + 37_001), (38, BASE_TS + 38_000), "between two")
        self.assertEqual(lookup(BASE_TS + 99_000), (99, BASE_TS + 99_000), "the last")
        self.assertIsNone(lookup(BASE_TS + 99_001), "after everything: no offset")

    def test_offsets_for_times_with_timestamps_out_of_order(self):
        # Event times chosen by the application, not in offset order: the answer is the
        # first offset whose timestamp is at or after the one asked for.
        topic = "lookup-times-unordered"
        p = self.producer()
        for ts in (5000, 1000, 3000, 8000, 2000, 9000):  # one batch each
            p.send(topic, value=b"%d" % ts, timestamp_ms=BASE_TS + ts).get(timeout=30)
        c = self.consumer()
        tp = TopicPartition(topic, 0)
        expected = {0: (0, 5000), 2000: (0, 5000), 5000: (0, 5000), 5001: (3, 8000),
                    8500: (5, 9000), 9000: (5, 9000), 9001: None}
        for at, want in expected.items():
            found = c.offsets_for_times({tp: BASE_TS + at})[tp]
            got = None if found is None else (found.offset, found.timestamp - BASE_TS)
            self.assertEqual(got, want, f"offsets_for_times at +{at} ms")

    def test_offsets_for_times(self):
        self.offsets_for_times(None)

    def test_offsets_for_times_in_compressed_batches(self):
        self.offsets_for_times("gzip")


if __name__ == "__main__":
    unittest.main()
