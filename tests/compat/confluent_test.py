#!/usr/bin/python3
"""confluent-kafka-python (librdkafka) against a real `brook serve`: what an application
produces comes back exactly (key, value, headers, timestamp, partition, offset) with every
codec, with big and many records and many partitions; the idempotent producer writes each
record once; offsets_for_times finds the first offset at or after a time; and mistakes
(a missing partition, a bad topic name, a record too big) get the errors Kafka gives.

librdkafka's Consumer wants a group.id, but consumer groups are not served yet: every
consumer here uses assign() with explicit offsets and never commits."""

import os
import random
import sys
import time
import unittest

from confluent_kafka import (OFFSET_BEGINNING, OFFSET_END, TIMESTAMP_CREATE_TIME,
                             TIMESTAMP_LOG_APPEND_TIME, Consumer, KafkaError, KafkaException,
                             Producer, TopicPartition)
from confluent_kafka.admin import AdminClient, NewTopic

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, ServerTestCase  # noqa: E402

BASE_TS = 1_700_000_000_000
CODECS = ("none", "gzip", "snappy", "lz4", "zstd")


class Delivery:
    """Delivery reports of one produce run, by the index of the record sent."""

    def __init__(self, n):
        self.results = [None] * n  # (error, partition, offset, timestamp) per record
        self.count = 0

    def callback(self, index):
        def on_delivery(err, msg):
            self.results[index] = (err, msg.partition(), msg.offset(), msg.timestamp())
            self.count += 1
        return on_delivery


def produce_all(producer, topic, records, partition=None, timeout=DEADLINE_S):
    """Sends (key, value, headers, timestamp) tuples and waits for every delivery report;
    returns the reports in send order."""
    delivery = Delivery(len(records))
    for i, (key, value, headers, ts) in enumerate(records):
        kwargs = {"key": key, "value": value, "on_delivery": delivery.callback(i)}
        if headers is not None:
            kwargs["headers"] = headers
        if ts is not None:
            kwargs["timestamp"] = ts
        if partition is not None:
            kwargs["partition"] = partition
        while True:
            try:
                producer.produce(topic, **kwargs)
                break
            except BufferError:  # local queue full: serve delivery reports, then retry
                producer.poll(0.1)
        producer.poll(0)
    left = producer.flush(timeout)
    if left:
        raise AssertionError(f"{left} records still undelivered after {timeout} s")
    return delivery.results


def sample_records(n, seed, value_size=100):
    """Keys, values and headers of many shapes Kafka allows: null key, null value (a
    tombstone), empty value, no headers, an empty header value, repeated header names.
    Not a null header value: confluent-kafka 1.7 drops a reference to None for each one
    it reads (Message.headers()) and the interpreter aborts after a few thousand. kcat
    reads null header values in kcat_test.py."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        key = None if i % 5 == 4 else f"key-{i}".encode()
        if i % 11 == 10:
            value = None
        elif i % 13 == 12:
            value = b""
        else:
            value = rnd.randbytes(rnd.randint(1, value_size))
        if i % 3 == 0:
            headers = None
        else:
            headers = [("h1", f"v{i}".encode()), ("empty", b""),
                       ("bin", bytes([i % 256, 0, 255])), ("h1", b"again")]
        out.append((key, value, headers, BASE_TS + i * 10))
    return out


class BrookTestCase(ServerTestCase):
    """One server per class; stopping it checks the clean exit and the sanitizer."""

    # -- helpers -----------------------------------------------------------------------

    def producer(self, **config):
        conf = {"bootstrap.servers": self.brook.bootstrap, "acks": "all"}
        conf.update({k.replace("_", "."): v for k, v in config.items()})
        p = Producer(conf)
        self.addCleanup(p.flush, 10)
        return p

    def consumer(self, **config):
        conf = {"bootstrap.servers": self.brook.bootstrap,
                "group.id": "brook-compat-assign-only",  # required; groups are never used
                "enable.auto.commit": False,
                "enable.auto.offset.store": False,
                "auto.offset.reset": "earliest"}
        conf.update({k.replace("_", "."): v for k, v in config.items()})
        c = Consumer(conf)
        self.addCleanup(c.close)
        return c

    def consume(self, consumer, count, deadline_s=DEADLINE_S):
        """Polls until `count` records arrived (or the deadline passed); returns them in
        the order the consumer handed them out. Errors fail the test."""
        got = []
        deadline = time.monotonic() + deadline_s
        while len(got) < count and time.monotonic() < deadline:
            for m in consumer.consume(num_messages=1000, timeout=0.5):
                if m.error():
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        continue
                    self.fail(f"consumer error: {m.error()}")
                got.append(m)
        return got

    def assert_read_back(self, topic, sent, reports, got):
        """Each record read equals the one sent, at the partition and offset its delivery
        report gave."""
        for i, (err, *_rest) in enumerate(reports):
            self.assertIsNone(err, f"delivery of record {i} failed")
        self.assertEqual(len(got), len(sent), "number of records read back")
        by_position = {(m.partition(), m.offset()): m for m in got}
        self.assertEqual(len(by_position), len(got), "a record was read twice")
        for i, ((key, value, headers, ts), (_, part, offset, _)) in enumerate(zip(sent, reports)):
            m = by_position.get((part, offset))
            self.assertIsNotNone(m, f"record {i}: nothing read at partition {part} offset {offset}")
            self.assertEqual(m.topic(), topic)
            self.assertEqual(m.key(), key, f"key of record {i}")
            self.assertEqual(m.value(), value, f"value of record {i}")
            self.assertEqual(m.headers(), headers, f"headers of record {i}")
            self.assertEqual(m.timestamp(), (TIMESTAMP_CREATE_TIME, ts), f"timestamp of record {i}")

    def create_topic(self, name, partitions=1, config=None):
        admin = AdminClient({"bootstrap.servers": self.brook.bootstrap})
        futures = admin.create_topics([NewTopic(name, partitions, 1, config=config or {})],
                                      operation_timeout=30, request_timeout=30)
        futures[name].result(timeout=60)


class CodecRoundTripTest(BrookTestCase):
    """Every codec librdkafka has: what is read back is exactly what was sent."""

    def round_trip(self, codec):
        topic = f"codec-{codec}"
        sent = sample_records(1000, seed=topic)
        # linger lets records share batches, so multi-record (compressed) batches are read.
        p = self.producer(compression_type=codec, linger_ms=50)
        reports = produce_all(p, topic, sent)
        self.assertEqual([(r[0], r[1], r[2]) for r in reports],
                         [(None, 0, i) for i in range(len(sent))], "delivery reports")
        c = self.consumer()
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        got = self.consume(c, len(sent))
        self.assertEqual([m.offset() for m in got], list(range(len(sent))), "offsets in order")
        self.assert_read_back(topic, sent, reports, got)

    def test_none(self):
        self.round_trip("none")

    def test_gzip(self):
        self.round_trip("gzip")

    def test_snappy(self):
        self.round_trip("snappy")

    def test_lz4(self):
        self.round_trip("lz4")

    def test_zstd(self):
        self.round_trip("zstd")

    def test_every_codec_in_one_partition(self):
        # One producer per codec, in turn, into the same partition: a consumer reads
        # batches of all five kinds one after the other.
        topic = "codec-mixed"
        sent, reports = [], []
        for n, codec in enumerate(CODECS):
            records = sample_records(200, seed=f"mixed-{codec}")
            records = [(k, v, h, ts + n * 10_000) for k, v, h, ts in records]
            p = self.producer(compression_type=codec, linger_ms=20)
            reports += produce_all(p, topic, records)
            sent += records
        self.assertEqual([r[2] for r in reports], list(range(len(sent))))
        c = self.consumer()
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        got = self.consume(c, len(sent))
        self.assertEqual([m.offset() for m in got], list(range(len(sent))))
        self.assert_read_back(topic, sent, reports, got)

    def test_consume_from_the_middle_of_a_compressed_batch(self):
        topic = "codec-zstd-middle"
        sent = sample_records(300, seed=9)
        p = self.producer(compression_type="zstd", linger_ms=50)
        reports = produce_all(p, topic, sent)
        c = self.consumer()
        c.assign([TopicPartition(topic, 0, 123)])
        got = self.consume(c, len(sent) - 123)
        self.assertEqual([m.offset() for m in got], list(range(123, len(sent))))
        self.assert_read_back(topic, sent[123:], reports[123:], got)


class SizeAndVolumeTest(BrookTestCase):

    def test_one_megabyte_messages(self):
        topic = "big"
        rnd = random.Random(1)
        # 1 MB values (incompressible) fit Kafka's default max.message.bytes (1048588);
        # librdkafka's own message.max.bytes (1000000) counts the batch overhead too.
        sent = [(f"big-{i}".encode(), rnd.randbytes(1_000_000), [("n", bytes([i]))], BASE_TS + i)
                for i in range(5)]
        p = self.producer(message_max_bytes=1_048_576)
        reports = produce_all(p, topic, sent)
        self.assertEqual([r[2] for r in reports], list(range(5)))
        c = self.consumer()
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        got = self.consume(c, len(sent))
        self.assert_read_back(topic, sent, reports, got)

    def test_one_megabyte_message_with_small_fetch_sizes(self):
        # KIP-74: the first batch goes out even when it is bigger than the fetch limits.
        topic = "big-small-fetch"
        sent = [(None, random.Random(2).randbytes(1_000_000), None, BASE_TS),
                (b"k", b"after", None, BASE_TS + 1)]
        p = self.producer(message_max_bytes=1_048_576)
        reports = produce_all(p, topic, sent)
        c = self.consumer(max_partition_fetch_bytes=64 * 1024, fetch_max_bytes=64 * 1024,
                          message_max_bytes=64 * 1024)  # librdkafka: fetch.max ≥ message.max
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        got = self.consume(c, len(sent))
        self.assert_read_back(topic, sent, reports, got)

    def test_message_over_max_message_bytes_is_refused(self):
        topic = "too-big"
        p = self.producer(message_max_bytes=4 * 1024 * 1024)
        reports = produce_all(p, topic, [(None, random.Random(3).randbytes(2_000_000), None,
                                          BASE_TS)])
        err = reports[0][0]
        self.assertIsNotNone(err, "a 2 MB record was accepted")
        self.assertEqual(err.code(), KafkaError.MSG_SIZE_TOO_LARGE, str(err))
        # Nothing was written, and the partition still takes records.
        ok = produce_all(p, topic, [(None, b"small", None, BASE_TS)])
        self.assertEqual(ok[0][:3], (None, 0, 0))

    def test_ten_thousand_small_messages(self):
        topic = "many-small"
        n = 10_000
        sent = [(f"k{i % 10}".encode(), f"m{i:05d}".encode(), None, BASE_TS + i) for i in range(n)]
        p = self.producer(linger_ms=20)
        reports = produce_all(p, topic, sent, partition=0)
        self.assertEqual([r[2] for r in reports], list(range(n)))
        c = self.consumer()
        tp = TopicPartition(topic, 0, OFFSET_BEGINNING)
        c.assign([tp])
        got = self.consume(c, n)
        self.assertEqual([m.offset() for m in got], list(range(n)))
        self.assert_read_back(topic, sent, reports, got)
        self.assertEqual(c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10), (0, n))


class TopicConfigTest(BrookTestCase):
    """Per-topic settings given at creation (CreateTopics configs) that change what a
    client sees: max.message.bytes and message.timestamp.type."""

    def test_topic_max_message_bytes_raised(self):
        topic = "topic-big"
        self.create_topic(topic, config={"max.message.bytes": str(3 * 1024 * 1024)})
        sent = [(b"two-mb", random.Random(6).randbytes(2_000_000), [("h", b"v")], BASE_TS)]
        p = self.producer(message_max_bytes=4 * 1024 * 1024)
        reports = produce_all(p, topic, sent)
        self.assertEqual(reports[0][:3], (None, 0, 0))
        c = self.consumer()
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        self.assert_read_back(topic, sent, reports, self.consume(c, 1))

    def test_topic_max_message_bytes_lowered(self):
        topic = "topic-small"
        self.create_topic(topic, config={"max.message.bytes": "10000"})
        p = self.producer()
        reports = produce_all(p, topic, [(None, bytes(20_000), None, BASE_TS)])
        err = reports[0][0]
        self.assertIsNotNone(err, "a 20 KB record went into a topic of max.message.bytes 10000")
        self.assertEqual(err.code(), KafkaError.MSG_SIZE_TOO_LARGE, str(err))
        # Sent on its own (in the same batch it would be refused with the big one).
        reports = produce_all(p, topic, [(None, b"fits", None, BASE_TS)])
        self.assertEqual(reports[0][:3], (None, 0, 0))

    def test_log_append_time(self):
        topic = "append-time"
        self.create_topic(topic, config={"message.timestamp.type": "LogAppendTime"})
        before = int(time.time() * 1000)
        sent = [(b"k%d" % i, b"v%d" % i, None, BASE_TS + i) for i in range(50)]
        p = self.producer(linger_ms=20)
        reports = produce_all(p, topic, sent)
        after = int(time.time() * 1000)
        self.assertEqual([r[2] for r in reports], list(range(50)))
        for err, _, _, (ts_type, ts) in reports:
            self.assertIsNone(err)
            # The delivery report carries the broker's time from the produce answer.
            self.assertEqual(ts_type, TIMESTAMP_LOG_APPEND_TIME)
            self.assertTrue(before <= ts <= after, f"append time {ts} not in [{before}, {after}]")
        c = self.consumer()
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        got = self.consume(c, 50)
        self.assertEqual([(m.offset(), m.key(), m.value()) for m in got],
                         [(i, k, v) for i, (k, v, _, _) in enumerate(sent)])
        self.assertEqual([m.timestamp() for m in got], [r[3] for r in reports],
                         "the consumer sees the time the producer was told")


class SegmentRollingTest(BrookTestCase):
    """Small segments: reads and time look-ups cross many segment files."""

    server_args = ("--segment-bytes", str(64 * 1024))

    def test_read_across_segments(self):
        topic = "rolled"
        n = 5000
        rnd = random.Random(64)
        sent = [(b"k%d" % (i % 7), rnd.randbytes(100), [("i", b"%d" % i)], BASE_TS + i * 10)
                for i in range(n)]
        # Small batches (batch.size 8 KiB), so that many of them fill each segment.
        p = self.producer(linger_ms=5, compression_type="lz4", batch_size=8192)
        reports = produce_all(p, topic, sent)
        self.assertEqual([r[2] for r in reports], list(range(n)))
        log_dir = os.path.join(self.brook.data_dir, "data", f"{topic}-0")
        segments = [f for f in os.listdir(log_dir) if f.endswith(".log")]
        self.assertGreater(len(segments), 5, "the partition rolled into several segments")
        c = self.consumer()
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        got = self.consume(c, n)
        self.assertEqual([m.offset() for m in got], list(range(n)))
        self.assert_read_back(topic, sent, reports, got)
        for i in (0, 1234, 2500, 4321, n - 1):
            at = TopicPartition(topic, 0, BASE_TS + i * 10 - 5)
            found = c.offsets_for_times([at], timeout=10)
            self.assertEqual(found[0].offset, i, f"time of record {i}")
        # Starting in the middle of a later segment.
        c2 = self.consumer()
        c2.assign([TopicPartition(topic, 0, 3777)])
        got = self.consume(c2, n - 3777)
        self.assertEqual([m.offset() for m in got], list(range(3777, n)))
        self.assert_read_back(topic, sent[3777:], reports[3777:], got)


class BigMessagesConfiguredTest(BrookTestCase):
    """A server configured for bigger records (storage.max_message_bytes) takes them."""

    server_env = dict(os.environ, BROOK_STORAGE_MAX_MESSAGE_BYTES=str(8 * 1024 * 1024))

    def test_five_megabyte_messages(self):
        topic = "bigger"
        rnd = random.Random(5)
        sent = [(b"k%d" % i, rnd.randbytes(5 * 1024 * 1024), None, BASE_TS + i) for i in range(3)]
        p = self.producer(message_max_bytes=8 * 1024 * 1024)
        reports = produce_all(p, topic, sent)
        self.assertEqual([r[2] for r in reports], [0, 1, 2])
        c = self.consumer()
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        got = self.consume(c, len(sent))
        self.assert_read_back(topic, sent, reports, got)


def murmur2(data):
    """Kafka's murmur2 (the Java client's default partitioner hash)."""
    m, r = 0x5BD1E995, 24
    length = len(data)
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    for i in range(0, length - length % 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    tail = length % 4
    base = length - tail
    if tail >= 3:
        h ^= data[base + 2] << 16
    if tail >= 2:
        h ^= data[base + 1] << 8
    if tail >= 1:
        h ^= data[base]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


class ManyPartitionsTest(BrookTestCase):
    PARTITIONS = 32
    server_args = ("--default-partitions", str(PARTITIONS))

    def test_metadata_lists_every_partition(self):
        p = self.producer()
        produce_all(p, "wide-meta", [(None, b"x", None, BASE_TS)])
        md = p.list_topics("wide-meta", timeout=10).topics["wide-meta"]
        self.assertIsNone(md.error)
        self.assertEqual(sorted(md.partitions), list(range(self.PARTITIONS)))
        for part in md.partitions.values():
            self.assertEqual(part.leader, 0)
            self.assertEqual(part.replicas, [0])
            self.assertEqual(part.isrs, [0])

    def test_keyed_records_land_where_the_partitioner_says_and_come_back(self):
        topic = "wide"
        sent = sample_records(4000, seed=32)
        sent = [(f"user-{i % 211}".encode(), v, h, ts) for i, (_, v, h, ts) in enumerate(sent)]
        # murmur2_random: the Java client's partitioner, so the partition is predictable.
        p = self.producer(linger_ms=20, partitioner="murmur2_random")
        reports = produce_all(p, topic, sent)
        for (key, *_), (err, part, _, _) in zip(sent, reports):
            self.assertIsNone(err)
            self.assertEqual(part, (murmur2(key) & 0x7FFFFFFF) % self.PARTITIONS, key)
        self.assertEqual({r[1] for r in reports}, set(range(self.PARTITIONS)),
                         "211 keys reach all 32 partitions")
        per_partition = {}
        for _, part, offset, _ in reports:
            per_partition.setdefault(part, []).append(offset)
        for part, offsets in per_partition.items():
            self.assertEqual(offsets, list(range(len(offsets))), f"partition {part} offsets")

        c = self.consumer()
        c.assign([TopicPartition(topic, i, OFFSET_BEGINNING) for i in range(self.PARTITIONS)])
        got = self.consume(c, len(sent))
        self.assert_read_back(topic, sent, reports, got)
        # Stop fetching first: a connection's requests are answered in order, so each
        # ListOffsets would wait behind a long-polling Fetch (as with Kafka).
        c.unassign()
        for part in range(self.PARTITIONS):
            offsets = [m.offset() for m in got if m.partition() == part]
            self.assertEqual(offsets, list(range(len(per_partition[part]))), f"partition {part}")
            self.assertEqual(c.get_watermark_offsets(TopicPartition(topic, part), timeout=10),
                             (0, len(per_partition[part])))

    def test_explicit_partitions(self):
        topic = "wide-explicit"
        p = self.producer()
        for part in (0, 7, 31):
            r = produce_all(p, topic, [(None, f"to-{part}".encode(), None, BASE_TS)],
                            partition=part)
            self.assertEqual(r[0][:3], (None, part, 0))
        c = self.consumer()
        c.assign([TopicPartition(topic, 31, 0)])
        got = self.consume(c, 1)
        self.assertEqual([(m.partition(), m.offset(), m.value()) for m in got], [(31, 0, b"to-31")])


class IdempotentProducerTest(BrookTestCase):

    def test_idempotent_producer_writes_each_record_once_in_order(self):
        topic = "idempotent"
        n = 20_000
        sent = [(None, b"%06d" % i, None, BASE_TS + i) for i in range(n)]
        # Five requests in flight per connection: the most idempotence allows, and the
        # case where ordering depends on the broker checking sequences.
        p = self.producer(enable_idempotence=True, acks="all", linger_ms=5,
                          max_in_flight_requests_per_connection=5, batch_num_messages=100)
        reports = produce_all(p, topic, sent, partition=0)
        self.assertEqual([(r[0], r[2]) for r in reports], [(None, i) for i in range(n)])
        c = self.consumer()
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        got = self.consume(c, n)
        values = [m.value() for m in got]
        self.assertEqual(len(values), len(set(values)), "duplicates read back")
        self.assertEqual(values, [v for _, v, _, _ in sent])
        self.assertEqual([m.offset() for m in got], list(range(n)))
        self.assertEqual(c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10), (0, n))

    def test_idempotent_producers_side_by_side(self):
        # Two idempotent producers (two producer ids) into the same partitions.
        topic = "idempotent-two"
        producers = [self.producer(enable_idempotence=True, linger_ms=2) for _ in range(2)]
        deliveries = [Delivery(3000) for _ in producers]
        for i in range(3000):
            for n, p in enumerate(producers):
                p.produce(topic, value=b"p%d-%05d" % (n, i), partition=0,
                          on_delivery=deliveries[n].callback(i))
                p.poll(0)
        for p in producers:
            self.assertEqual(p.flush(DEADLINE_S), 0)
        for d in deliveries:
            self.assertTrue(all(r[0] is None for r in d.results))
        c = self.consumer()
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        got = self.consume(c, 6000)
        self.assertEqual([m.offset() for m in got], list(range(6000)))
        for n in range(2):
            mine = [m.value() for m in got if m.value().startswith(b"p%d-" % n)]
            self.assertEqual(mine, [b"p%d-%05d" % (n, i) for i in range(3000)],
                             f"producer {n}: every record once, in order")


class OffsetsForTimesTest(BrookTestCase):

    def lookup(self, consumer, topic, ts):
        found = consumer.offsets_for_times([TopicPartition(topic, 0, ts)], timeout=10)
        self.assertEqual(len(found), 1)
        self.assertIsNone(found[0].error)
        return found[0].offset

    def offsets_for_times(self, codec):
        topic = f"times-{codec}"
        # Timestamps 1 s apart; linger puts several records in each batch.
        sent = [(None, b"t%d" % i, None, BASE_TS + i * 1000) for i in range(100)]
        p = self.producer(compression_type=codec, linger_ms=50)
        reports = produce_all(p, topic, sent)
        self.assertEqual([r[2] for r in reports], list(range(100)))
        c = self.consumer()
        self.assertEqual(self.lookup(c, topic, 0), 0, "before everything: the first record")
        self.assertEqual(self.lookup(c, topic, BASE_TS), 0)
        self.assertEqual(self.lookup(c, topic, BASE_TS + 37_000), 37, "exact time")
        self.assertEqual(self.lookup(c, topic, BASE_TS + 37_001), 38, "between two")
        self.assertEqual(self.lookup(c, topic, BASE_TS + 99_000), 99, "the last")
        self.assertEqual(self.lookup(c, topic, BASE_TS + 99_001), OFFSET_END,
                         "after everything: no offset (-1)")
        # The offset found is where a consumer starts.
        found = c.offsets_for_times([TopicPartition(topic, 0, BASE_TS + 61_500)], timeout=10)
        c.assign(found)
        got = self.consume(c, 100 - 62)
        self.assertEqual([(m.offset(), m.timestamp()[1]) for m in got],
                         [(i, BASE_TS + i * 1000) for i in range(62, 100)])

    def test_offsets_for_times(self):
        self.offsets_for_times("none")

    def test_offsets_for_times_in_compressed_batches(self):
        self.offsets_for_times("lz4")

    def test_offsets_for_times_with_timestamps_out_of_order(self):
        # Timestamps chosen by the application, not in offset order: the answer is the
        # first offset whose timestamp is at or after the one asked for.
        topic = "times-unordered"
        p = self.producer()
        for ts in (5000, 1000, 3000, 8000, 2000, 9000):  # one batch each
            produce_all(p, topic, [(None, b"%d" % ts, None, BASE_TS + ts)])
        c = self.consumer()
        expected = {0: 0, 2000: 0, 5000: 0, 5001: 3, 8500: 5, 9000: 5, 9001: OFFSET_END}
        for at, want in expected.items():
            self.assertEqual(self.lookup(c, topic, BASE_TS + at), want, f"at +{at} ms")

    def test_offsets_for_times_of_an_empty_partition(self):
        topic = "times-empty"
        self.create_topic(topic)
        c = self.consumer()
        self.assertEqual(self.lookup(c, topic, 0), OFFSET_END)
        self.assertEqual(c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10), (0, 0))


class AssignTest(BrookTestCase):
    """assign() with explicit, logical and relative start offsets; seek()."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sent = sample_records(500, seed="assign")

    def setUp(self):
        self.topic = self.id().rsplit(".", 1)[-1].replace("_", "-")
        self.reports = produce_all(self.producer(linger_ms=10), self.topic, self.sent)

    def test_assign_at_an_offset(self):
        c = self.consumer()
        c.assign([TopicPartition(self.topic, 0, 250)])
        got = self.consume(c, 250)
        self.assertEqual([m.offset() for m in got], list(range(250, 500)))
        self.assert_read_back(self.topic, self.sent[250:], self.reports[250:], got)

    def test_assign_at_the_end_reads_only_new_records(self):
        c = self.consumer(enable_partition_eof=True)
        c.assign([TopicPartition(self.topic, 0, OFFSET_END)])
        # Wait until the consumer is at the end (it says so with a partition EOF).
        deadline = time.monotonic() + DEADLINE_S
        at_end = None
        while at_end is None and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None:
                self.assertIsNotNone(m.error(), f"a record before the end: offset {m.offset()}")
                self.assertEqual(m.error().code(), KafkaError._PARTITION_EOF, str(m.error()))
                at_end = m.offset()
        self.assertEqual(at_end, 500)
        more = [(b"new", b"new-%d" % i, [("n", b"%d" % i)], BASE_TS + 10_000 + i) for i in range(3)]
        reports = produce_all(self.producer(), self.topic, more)
        self.assertEqual([r[2] for r in reports], [500, 501, 502])
        got = self.consume(c, 3)
        self.assert_read_back(self.topic, more, reports, got)

    def test_assign_relative_to_the_end(self):
        c = self.consumer()
        c.assign([TopicPartition(self.topic, 0, -2000 - 10)])  # RD_KAFKA_OFFSET_TAIL(10)
        got = self.consume(c, 10)
        self.assertEqual([m.offset() for m in got], list(range(490, 500)))
        self.assert_read_back(self.topic, self.sent[490:], self.reports[490:], got)

    def test_seek_back(self):
        c = self.consumer()
        tp = TopicPartition(self.topic, 0, 0)
        c.assign([tp])
        first = self.consume(c, 500)
        self.assertEqual([m.offset() for m in first], list(range(500)))
        c.seek(TopicPartition(self.topic, 0, 100))
        again = self.consume(c, 400)
        self.assertEqual([m.offset() for m in again], list(range(100, 500)))
        self.assert_read_back(self.topic, self.sent[100:], self.reports[100:], again)

    def test_offset_past_the_end_with_reset_error(self):
        c = self.consumer(auto_offset_reset="error")
        c.assign([TopicPartition(self.topic, 0, 10_000)])
        deadline = time.monotonic() + DEADLINE_S
        err = None
        while err is None and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None:
                self.assertIsNotNone(m.error(), "a record read at offset 10000 of 500")
                err = m.error()
        self.assertIsNotNone(err, "no error for an offset past the end")
        self.assertEqual(err.code(), KafkaError._AUTO_OFFSET_RESET, str(err))
        self.assertIn("out of range", str(err).lower())


class ErrorTest(BrookTestCase):

    # librdkafka raises no consumer error for an assigned partition that does not exist:
    # it logs "desired partition does not exist in cluster" and waits for the partition
    # to appear (against Kafka too). What a user sees is the metadata the broker gives:
    # the offset look-ups fail, and nothing is read from the partition.

    def assert_lookups_fail(self, consumer, topic, partition):
        tp = TopicPartition(topic, partition)
        with self.assertRaises(KafkaException) as e:
            consumer.get_watermark_offsets(tp, timeout=10)
        self.assertEqual(e.exception.args[0].code(), KafkaError._UNKNOWN_PARTITION)
        with self.assertRaises(KafkaException) as e:
            consumer.offsets_for_times([TopicPartition(topic, partition, BASE_TS)], timeout=10)
        self.assertEqual(e.exception.args[0].code(), KafkaError._UNKNOWN_PARTITION)

    def test_consuming_a_missing_partition(self):
        topic = "one-partition"
        produce_all(self.producer(), topic, [(None, b"x", None, BASE_TS)])
        c = self.consumer(enable_partition_eof=True)
        md = c.list_topics(topic, timeout=10).topics[topic]
        self.assertEqual((md.error, sorted(md.partitions)), (None, [0]))
        self.assert_lookups_fail(c, topic, 5)
        # Assigned next to partition 0: partition 0 is read to its end, 5 gives nothing.
        c.assign([TopicPartition(topic, 5, 0), TopicPartition(topic, 0, 0)])
        seen = []
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline and ("eof", 0) not in seen:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                self.assertEqual(m.error().code(), KafkaError._PARTITION_EOF, str(m.error()))
                seen.append(("eof", m.partition()))
            else:
                seen.append((m.value(), m.partition()))
        self.assertEqual(seen, [(b"x", 0), ("eof", 0)])

    def test_consuming_a_missing_topic(self):
        c = self.consumer()  # allow.auto.create.topics is false for consumers
        md = c.list_topics("no-such-topic", timeout=10).topics["no-such-topic"]
        self.assertIsNotNone(md.error)
        self.assertEqual(md.error.code(), KafkaError.UNKNOWN_TOPIC_OR_PART, str(md.error))
        self.assert_lookups_fail(c, "no-such-topic", 0)
        self.assertNotIn("no-such-topic", c.list_topics(timeout=10).topics,
                         "a consumer's request created the topic")

    def test_producing_to_a_missing_partition(self):
        topic = "one-partition-produce"
        p = self.producer()
        produce_all(p, topic, [(None, b"x", None, BASE_TS)])
        p.list_topics(topic, timeout=10)  # the producer knows the partition count
        try:
            reports = produce_all(p, topic, [(None, b"y", None, BASE_TS)], partition=3)
        except KafkaException as e:
            self.assertEqual(e.args[0].code(), KafkaError._UNKNOWN_PARTITION, str(e))
        else:
            self.assertIsNotNone(reports[0][0])
            self.assertEqual(reports[0][0].code(), KafkaError._UNKNOWN_PARTITION)

    def test_producing_to_an_invalid_topic_name(self):
        p = self.producer(message_timeout_ms=20_000)
        for name in ("bad topic", "slash/topic", "a" * 250, "..", "caf\u00e9"):
            with self.subTest(name=name):
                reports = produce_all(p, name, [(None, b"x", None, BASE_TS)])
                err = reports[0][0]
                self.assertIsNotNone(err, f"produced to the invalid topic name {name!r}")
                self.assertEqual(err.code(), KafkaError.TOPIC_EXCEPTION, str(err))
        md = p.list_topics(timeout=10)
        for name in md.topics:
            self.assertRegex(name, r"^[a-zA-Z0-9._-]{1,249}$")


if __name__ == "__main__":
    unittest.main()
