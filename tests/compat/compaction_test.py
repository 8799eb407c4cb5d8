#!/usr/bin/python3
"""Log compaction (cleanup.policy=compact) through real clients against `brook serve`, its
log cleaner running every 50 ms: a confluent-kafka consumer reading a compacted topic from
the beginning finds exactly the latest value of each key, at the offset the producer was
told, tombstones gone once delete.retention.ms has passed, and the same after a SIGKILL
and restart. Records without a key are refused as Kafka refuses them: librdkafka reports
INVALID_RECORD for the message, and a raw Produce v8 answer names each keyless record in
record_errors (KIP-467)."""

import json
import struct
import subprocess
import sys
import unittest

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import ConfigResource

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import AdminServerTestCase, unique, wait_until  # noqa: E402
from kafka_wire import batch  # noqa: E402

TIMEOUT = 30
INVALID_RECORD = 87
KEYS = 40
VERSIONS = 15
TOMBSTONED = range(0, KEYS, 4)  # every fourth key ends with a tombstone

def produce_v8(conn, topic, records):
    """Produce v8 (the first with record_errors, which kafka-python does not decode) of
    `records` to partition 0: (error_code, base_offset, [(batch_index, message)],
    error_message)."""
    def string(s):
        return struct.pack(">h", len(s)) + s.encode()
    body = (struct.pack(">hhi", -1, -1, 10000) + struct.pack(">i", 1) + string(topic) +
            struct.pack(">ii", 1, 0) + struct.pack(">i", len(records)) + records)
    r = conn.exchange(0, 8, body)
    data, pos = r.data, r.pos

    def take(fmt):
        nonlocal pos
        values = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return values

    def nullable_string():
        nonlocal pos
        n, = take(">h")
        if n < 0:
            return None
        pos += n
        return data[pos - n:pos].decode()

    assert take(">i") == (1,)
    nullable_string()  # the topic
    assert take(">i") == (1,)
    _, code, offset, _, _ = take(">ihqqq")
    errors = [(take(">i")[0], nullable_string()) for _ in range(take(">i")[0])]
    return code, offset, errors, nullable_string()


COMPACTED = {
    "cleanup.policy": "compact",
    "segment.bytes": "4096",
    "min.cleanable.dirty.ratio": "0.01",
    "delete.retention.ms": "1000",
}


class CompactionTest(AdminServerTestCase):
    server_args = ("--log-cleaner-interval-ms", "50")

    def create(self, config):
        name, e = self.create_topic("compacted", config, timeout=TIMEOUT)
        self.assertIsNone(e)
        return name

    def producer(self):
        # Small batches: the cleaner keeps a batch while any of its records is the latest.
        return Producer({"bootstrap.servers": self.brook.bootstrap, "linger.ms": 0,
                         "batch.size": 200, "acks": "all"})

    def send(self, producer, topic, items):
        """Produces (key, value) pairs; returns [(key, value, offset, error)] in order."""
        out = []
        for key, value in items:
            def report(err, msg, key=key, value=value):
                out.append((key, value, msg.offset() if err is None else None, err))
            producer.produce(topic, key=key, value=value, on_delivery=report)
            producer.poll(0)
        self.assertEqual(producer.flush(TIMEOUT), 0)
        return out

    def read_all(self, topic):
        """Every record of partition 0 from the beginning: [(offset, key, value)]."""
        c = Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": unique("g"),
                      "enable.auto.commit": False, "enable.partition.eof": True})
        try:
            c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
            out = []
            while True:
                m = c.poll(TIMEOUT)
                self.assertIsNotNone(m, "no message and no end of partition")
                if m.error():
                    self.assertEqual(m.error().code(), KafkaError._PARTITION_EOF, m.error())
                    return out
                out.append((m.offset(), m.key(), m.value()))
        finally:
            c.close()

    def fill(self, producer, topic, round_):
        """Keyed filler that seals the segments before it (and makes them dirty)."""
        self.send(producer, topic, [(b"filler", b"f%d-%s" % (round_, b"." * 300))
                                    for _ in range(3)])

    def test_a_compacted_topic_keeps_the_latest_value_of_each_key(self):
        topic = self.create(COMPACTED)
        p = self.producer()
        items = [(b"k%d" % k, b"v%d-%s" % (v, b"." * 60))
                 for v in range(VERSIONS) for k in range(KEYS)]
        sent = self.send(p, topic, items)
        sent += self.send(p, topic, [(b"k%d" % k, None) for k in TOMBSTONED])
        self.assertTrue(all(err is None for *_, err in sent), sent)
        latest = {}
        for key, value, offset, _ in sent:
            latest[key] = (offset, value)
        expected = {key: v for key, v in latest.items() if v[1] is not None}
        self.assertEqual(len(expected), KEYS - len(TOMBSTONED))

        rounds = [0]

        def compacted():
            records = [r for r in self.read_all(topic) if r[1] != b"filler"]
            found = {key: (offset, value) for offset, key, value in records}
            return len(records) == len(expected) and found == expected

        def pump():
            rounds[0] += 1
            self.fill(p, topic, rounds[0])

        # Each round adds dirty segments, so the cleaner comes back; tombstones go on the
        # first clean after delete.retention.ms (1 s).
        wait_until(compacted, "one record per key, at its offset, and no tombstones",
                   pump=pump)
        before_kill = self.read_all(topic)
        # What the cleaner wrote survives a SIGKILL: the same records at the same offsets.
        self.brook.restart(kill=True)
        self.assertEqual(self.read_all(topic), before_kill)
        # The producer goes on where the log ends.
        more = self.send(self.producer(), topic, [(b"k1", b"after")])
        self.assertIsNone(more[0][3])
        self.assertGreater(more[0][2], max(o for o, _ in expected.values()))

    def test_a_delete_topic_is_not_compacted(self):
        topic = self.create({"segment.bytes": "4096"})
        p = self.producer()
        sent = self.send(p, topic, [(b"same", b"v%d-%s" % (v, b"." * 60)) for v in range(200)])
        self.assertTrue(all(err is None for *_, err in sent))
        # The cleaner runs every 50 ms and may not touch this topic: after a compacted
        # topic's clean is seen, this one still holds every record.
        other = self.create(COMPACTED)
        self.send(p, other, [(b"same", b"x" * 100) for _ in range(200)])
        wait_until(lambda: len(self.read_all(other)) < 200, "the compacted topic cleaned",
                   pump=lambda: self.fill(p, other, 0))
        self.assertEqual(len(self.read_all(topic)), 200)

    def test_altering_a_topic_to_compact_starts_cleaning_it(self):
        topic = self.create({"segment.bytes": "4096"})
        p = self.producer()
        self.send(p, topic, [(b"k%d" % (i % 5), b"v%d-%s" % (i, b"." * 60))
                             for i in range(200)])
        res = ConfigResource("topic", topic, set_config={
            "cleanup.policy": "compact", "segment.bytes": "4096",
            "min.cleanable.dirty.ratio": "0.01"})
        self.admin.alter_configs([res], request_timeout=TIMEOUT)[res].result(TIMEOUT)
        wait_until(lambda: len(self.read_all(topic)) < 50, "the altered topic cleaned",
                   pump=lambda: self.fill(p, topic, 0))

    def test_records_without_a_key_are_refused(self):
        topic = self.create({"cleanup.policy": "compact,delete"})
        p = self.producer()
        # Apart: a batch holding both would fail whole, in Kafka as here.
        (_, _, _, keyless), = self.send(p, topic, [(None, b"keyless")])
        self.assertIsNotNone(keyless)
        self.assertEqual(keyless.code(), KafkaError.INVALID_RECORD)
        (_, _, _, keyed), = self.send(p, topic, [(b"k", b"keyed")])
        self.assertIsNone(keyed)
        # The wire: Produce v8 names every keyless record of the batch, nothing is written.
        code, offset, record_errors, message = produce_v8(self.connect(), topic,
                                                          batch([b"a", b"b", b"c"]))
        self.assertEqual(code, INVALID_RECORD)
        self.assertEqual(offset, -1)
        self.assertEqual([i for i, _ in record_errors], [0, 1, 2])
        self.assertIn(f"without key in topic partition {topic}-0", record_errors[0][1])
        self.assertIn("3 record errors", message)
        # The REST Proxy (curl): a keyless record is refused as the client's error, 40002.
        out = subprocess.run(
            ["curl", "-s", "-X", "POST", "-H", "Content-Type: application/vnd.kafka.json.v2+json",
             "--data", json.dumps({"records": [{"value": {"n": 1}}]}),
             f"{self.brook.http_url}/topics/{topic}"],
            capture_output=True, check=True, timeout=TIMEOUT)
        offsets = json.loads(out.stdout)["offsets"]
        self.assertEqual(offsets[0]["error_code"], 40002, offsets)
        self.assertIn("without key", offsets[0]["error"])
        self.assertEqual([(k, v) for _, k, v in self.read_all(topic)], [(b"k", b"keyed")])


if __name__ == "__main__":
    unittest.main()
