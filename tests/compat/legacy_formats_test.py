#!/usr/bin/python3
"""Clients set up for 0.9- and 0.10-era brokers send message sets of magic 0 and 1, not
record batches: `brook serve` up-converts them to v2 batches on append, as Kafka 3.x does.
kafka-python with api_version (0, 9) and (0, 10) and librdkafka (confluent-kafka) with
broker.version.fallback 0.9.0 and 0.10.0 each produce uncompressed, gzip, snappy and
lz4 records; a current librdkafka consumer reads every key, value and (magic 1)
timestamp back, in order. Then raw message sets: a bad CRC, a truncated set, zstd (not
allowed before v2) and a nested wrapper are refused with CORRUPT_MESSAGE and nothing is
written."""

import gzip
import struct
import sys
import time
import unittest
import zlib

from confluent_kafka import Consumer, Producer, TopicPartition
from kafka import KafkaProducer

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import ServerTestCase, unique  # noqa: E402
from kafka_wire import CORRUPT_MESSAGE, NONE, produce  # noqa: E402

TIMEOUT = 30
BASE_TS = 1_700_000_000_000
CODECS = ["none", "gzip", "snappy", "lz4"]


def message(magic, key, value, timestamp=BASE_TS, attributes=0):
    """One message of magic 0 or 1, with its CRC-32."""
    body = struct.pack(">bb", magic, attributes)
    if magic == 1:
        body += struct.pack(">q", timestamp)
    for field in (key, value):
        body += struct.pack(">i", -1) if field is None else struct.pack(">i", len(field)) + field
    return struct.pack(">I", zlib.crc32(body)) + body


def message_set(messages):
    return b"".join(struct.pack(">qi", i, len(m)) + m for i, m in enumerate(messages))


class LegacyFormatsTest(ServerTestCase):

    def read(self, topic, count):
        c = Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": topic,
                      "enable.auto.commit": False})
        self.addCleanup(c.close)
        c.assign([TopicPartition(topic, 0, 0)])
        got = []
        deadline = time.monotonic() + TIMEOUT
        while len(got) < count and time.monotonic() < deadline:
            for m in c.consume(count, 1.0):
                self.assertIsNone(m.error())
                got.append((m.offset(), m.key(), m.value(), m.timestamp()[1]))
        return got

    def sent(self, n, tag):
        return [(b"k%d" % i if i % 3 else None, b"%s-%d-" % (tag.encode(), i) + b"v" * 300)
                for i in range(n)]

    def check(self, topic, records, timestamps):
        got = self.read(topic, len(records))
        want = [(i, k, v, ts) for i, ((k, v), ts) in enumerate(zip(records, timestamps))]
        self.assertEqual(got, want, topic)

    def test_kafka_python_of_the_0_9_and_0_10_era(self):
        for api_version, magic in (((0, 9), 0), ((0, 10, 0), 1)):
            for codec in CODECS:
                topic = unique(f"kp-magic{magic}-{codec}")
                p = KafkaProducer(bootstrap_servers=self.brook.bootstrap, api_version=api_version,
                                  compression_type=None if codec == "none" else codec,
                                  linger_ms=20)
                records = self.sent(50, topic)
                futures = [p.send(topic, key=k, value=v, partition=0,
                                  timestamp_ms=BASE_TS + i)
                           for i, (k, v) in enumerate(records)]
                for f in futures:
                    self.assertGreaterEqual(f.get(TIMEOUT).offset, 0)
                p.close(TIMEOUT)
                # Magic 0 has no timestamps.
                stamps = [BASE_TS + i if magic == 1 else -1 for i in range(len(records))]
                self.check(topic, records, stamps)

    def test_librdkafka_with_an_old_broker_version(self):
        for fallback, magic in (("0.9.0", 0), ("0.10.0", 1)):
            for codec in CODECS:
                topic = unique(f"rd-magic{magic}-{codec}")
                p = Producer({"bootstrap.servers": self.brook.bootstrap,
                              "api.version.request": False,
                              "broker.version.fallback": fallback,
                              "compression.codec": codec, "linger.ms": 20})
                records = self.sent(50, topic)
                for i, (k, v) in enumerate(records):
                    p.produce(topic, key=k, value=v, partition=0, timestamp=BASE_TS + i)
                self.assertEqual(p.flush(TIMEOUT), 0)
                stamps = [BASE_TS + i if magic == 1 else -1 for i in range(len(records))]
                self.check(topic, records, stamps)

    def test_bad_message_sets_are_refused_and_write_nothing(self):
        topic = unique("bad-sets")
        conn = self.connect()
        good = message_set([message(1, b"k", b"v")])
        bad_crc = bytearray(good)
        bad_crc[-1] ^= 0xFF
        zstd_wrapper = message(1, None, b"\x28\xb5\x2f\xfd" + b"\x00" * 8, attributes=4)
        nested_inner = message_set([message(1, None, gzip.compress(good), attributes=1)])
        nested = message(1, None, gzip.compress(nested_inner), attributes=1)
        for what, records in [("bad CRC", bytes(bad_crc)),
                              ("truncated", good[:-3]),
                              ("size past the end", good[:8] + struct.pack(">i", 1000) + good[12:]),
                              ("zstd before magic 2", message_set([zstd_wrapper])),
                              ("nested wrapper", message_set([nested])),
                              ("mixed magic", message_set([message(1, b"k", b"v"),
                                                           message(2, b"k", b"v")]))]:
            part = produce(conn, topic, 0, records, version=2)
            self.assertEqual(part[1], CORRUPT_MESSAGE, what)
        part = produce(conn, topic, 0, good, version=2)
        self.assertEqual(part[1], NONE)
        self.assertEqual(part[2], 0)  # nothing refused above was written
        # A gzip wrapper of two messages of magic 0 (no timestamps).
        inner = message_set([message(0, b"a", b"1"), message(0, None, b"2")])
        part = produce(conn, topic, 0,
                       message_set([message(0, None, gzip.compress(inner), attributes=1)]),
                       version=1)
        self.assertEqual(part[1], NONE)
        self.assertEqual(self.read(topic, 3),
                         [(0, b"k", b"v", BASE_TS), (1, b"a", b"1", -1), (2, None, b"2", -1)])


if __name__ == "__main__":
    unittest.main()
