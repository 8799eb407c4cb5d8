#!/usr/bin/python3
"""Every topic config Kafka 3.x accepts, through real clients against `brook serve`: set at
CreateTopics (confluent-kafka's AdminClient) and AlterConfigs (kafka-python), described
back, refused with Kafka's INVALID_CONFIG when Kafka would refuse them. And the configs
that act on one node, seen by a producer and a consumer: compression.type recompresses
batches stored with another codec (read back raw and through librdkafka),
min.insync.replicas above 1 refuses acks=all (NOT_ENOUGH_REPLICAS) but not acks=1, and
message.timestamp.before/after.max.ms refuse records too far from the broker's clock
(INVALID_TIMESTAMP)."""

import struct
import sys
import time
import unittest

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import ConfigResource
from kafka.admin import ConfigResource as KpConfigResource
from kafka.admin import ConfigResourceType, KafkaAdminClient

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import AdminServerTestCase  # noqa: E402
from kafka_wire import INVALID_CONFIG, NONE, batch, fetch, produce  # noqa: E402

TIMEOUT = 30
NOT_ENOUGH_REPLICAS = 19
INVALID_TIMESTAMP = 32
DYNAMIC_TOPIC_CONFIG = 1
CODECS = {"uncompressed": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}

# A value other than Kafka's default for every topic config Kafka 3.x accepts.
KAFKA_TOPIC_CONFIGS = {
    "cleanup.policy": "delete",
    "compression.type": "zstd",
    "delete.retention.ms": "3600000",
    "file.delete.delay.ms": "1000",
    "flush.messages": "1",
    "flush.ms": "0",
    "follower.replication.throttled.replicas": "0:0",
    "index.interval.bytes": "8192",
    "leader.replication.throttled.replicas": "*",
    "local.retention.bytes": "-2",
    "local.retention.ms": "-2",
    "max.compaction.lag.ms": "86400000",
    "max.message.bytes": "2000000",
    "message.downconversion.enable": "false",
    "message.format.version": "2.8",
    "message.timestamp.after.max.ms": "86400000",
    "message.timestamp.before.max.ms": "9223372036854775807",
    "message.timestamp.difference.max.ms": "9223372036854775807",
    "message.timestamp.type": "CreateTime",
    "min.cleanable.dirty.ratio": "0.1",
    "min.compaction.lag.ms": "1000",
    "min.insync.replicas": "1",
    "preallocate": "true",
    "remote.storage.enable": "false",
    "retention.bytes": "1000000000",
    "retention.ms": "3600000",
    "segment.bytes": "104857600",
    "segment.index.bytes": "1048576",
    "segment.jitter.ms": "1000",
    "segment.ms": "3600000",
    "unclean.leader.election.enable": "true",
}


def now_ms():
    return int(time.time() * 1000)


class TopicConfigsTest(AdminServerTestCase):

    def create(self, config):
        return self.create_topic("configs", config, timeout=TIMEOUT)

    def described(self, name):
        res = ConfigResource("topic", name)
        return self.admin.describe_configs([res], request_timeout=TIMEOUT)[res].result(TIMEOUT)

    def test_every_kafka_topic_config_is_accepted_stored_and_described(self):
        name, e = self.create(KAFKA_TOPIC_CONFIGS)
        self.assertIsNone(e, e)
        configs = self.described(name)
        for key, value in KAFKA_TOPIC_CONFIGS.items():
            self.assertIn(key, configs)
            self.assertEqual(configs[key].value, value, key)
            self.assertEqual(configs[key].source, DYNAMIC_TOPIC_CONFIG, key)
        # kafka-python's AlterConfigs replaces them all: the ones not given go back to their
        # defaults, Kafka's own for the ones Brook only stores.
        kp = KafkaAdminClient(bootstrap_servers=self.brook.bootstrap, client_id="configs-test")
        self.addCleanup(kp.close)
        kp.alter_configs([KpConfigResource(ConfigResourceType.TOPIC, name,
                                           configs={"preallocate": "false",
                                                    "min.cleanable.dirty.ratio": "1"})])
        configs = self.described(name)
        self.assertEqual(configs["min.cleanable.dirty.ratio"].value, "1.0")
        self.assertEqual(configs["preallocate"].value, "false")
        self.assertEqual(configs["segment.index.bytes"].value, "10485760")
        self.assertTrue(configs["segment.index.bytes"].is_default)
        self.assertEqual(configs["message.format.version"].value, "3.0-IV1")
        self.assertEqual(configs["compression.type"].value, "producer")

    def test_values_kafka_refuses_are_refused(self):
        for key, value in [("remote.storage.enable", "true"),
                           ("min.insync.replicas", "0"),
                           ("min.cleanable.dirty.ratio", "1.5"),
                           ("message.format.version", "banana"),
                           ("compression.type", "brotli"),
                           ("preallocate", "yes"),
                           ("leader.replication.throttled.replicas", "all"),
                           ("segment.index.bytes", "3"),
                           ("local.retention.ms", "-3")]:
            name, e = self.create({key: value})
            self.assertIsNotNone(e, f"{key}={value} was accepted")
            self.assertEqual(e.args[0].code(), INVALID_CONFIG, f"{key}={value}")
            self.assertIn(key, e.args[0].str())
            self.assertNotIn(name, self.admin.list_topics(timeout=TIMEOUT).topics)

    def raw_codec(self, topic, offset=0):
        """The codec of the batch holding `offset`, as stored (attributes bits 0-2)."""
        part = fetch(self.connect(), topic, 0, offset)
        self.assertEqual(part[1], NONE)
        records = part[-1]
        self.assertGreater(len(records), 61)
        (attributes,) = struct.unpack(">h", records[21:23])
        return attributes & 7

    def test_compression_type_recompresses_what_producers_send(self):
        values = [b"value-%d-" % i + b"x" * 200 for i in range(300)]
        for target, codec in CODECS.items():
            name, e = self.create({"compression.type": target})
            self.assertIsNone(e, e)
            sent_with = "lz4" if target == "uncompressed" else "none"
            p = Producer({"bootstrap.servers": self.brook.bootstrap, "linger.ms": 50,
                          "compression.type": sent_with, "enable.idempotence": True})
            for v in values:
                p.produce(name, value=v, partition=0)
            self.assertEqual(p.flush(TIMEOUT), 0)
            self.assertEqual(self.raw_codec(name), codec, target)
            c = Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": name,
                          "enable.auto.commit": False, "auto.offset.reset": "earliest"})
            self.addCleanup(c.close)
            c.assign([TopicPartition(name, 0, 0)])
            got = []
            deadline = time.monotonic() + TIMEOUT
            while len(got) < len(values) and time.monotonic() < deadline:
                for m in c.consume(500, 1.0):
                    self.assertIsNone(m.error())
                    got.append((m.offset(), m.value()))
            self.assertEqual(got, list(enumerate(values)), target)
        # "producer" keeps each batch as sent.
        name, e = self.create({"compression.type": "producer"})
        self.assertIsNone(e, e)
        p = Producer({"bootstrap.servers": self.brook.bootstrap, "compression.type": "snappy"})
        p.produce(name, value=b"a" * 1000, partition=0)
        self.assertEqual(p.flush(TIMEOUT), 0)
        self.assertEqual(self.raw_codec(name), CODECS["snappy"])

    def test_min_insync_replicas_above_one_refuses_acks_all(self):
        name, e = self.create({"min.insync.replicas": "2"})
        self.assertIsNone(e, e)
        conn = self.connect()
        part = produce(conn, name, 0, batch([b"refused"]), acks=-1)
        self.assertEqual(part[1], NOT_ENOUGH_REPLICAS)
        part = produce(conn, name, 0, batch([b"taken"]), acks=1)
        self.assertEqual(part[1], NONE)
        self.assertEqual(part[2], 0)
        # Back to 1: acks=all works again.
        kp = KafkaAdminClient(bootstrap_servers=self.brook.bootstrap, client_id="configs-test")
        self.addCleanup(kp.close)
        kp.alter_configs([KpConfigResource(ConfigResourceType.TOPIC, name,
                                           configs={"min.insync.replicas": "1"})])
        part = produce(conn, name, 0, batch([b"taken too"]), acks=-1)
        self.assertEqual(part[1], NONE)
        self.assertEqual(part[2], 1)

    def test_timestamps_too_far_from_the_clock_are_refused(self):
        name, e = self.create({"message.timestamp.before.max.ms": "3600000",
                               "message.timestamp.after.max.ms": "60000"})
        self.assertIsNone(e, e)
        conn = self.connect()
        day = 24 * 3600 * 1000
        part = produce(conn, name, 0, batch([b"old"], timestamp=now_ms() - day))
        self.assertEqual(part[1], INVALID_TIMESTAMP)
        part = produce(conn, name, 0, batch([b"future"], timestamp=now_ms() + day))
        self.assertEqual(part[1], INVALID_TIMESTAMP)
        part = produce(conn, name, 0, batch([b"now"], timestamp=now_ms()))
        self.assertEqual(part[1], NONE)
        self.assertEqual(part[2], 0)  # nothing refused was written
        # LogAppendTime replaces the producer's timestamps: nothing to refuse.
        name, e = self.create({"message.timestamp.before.max.ms": "0",
                               "message.timestamp.type": "LogAppendTime"})
        self.assertIsNone(e, e)
        part = produce(conn, name, 0, batch([b"old"], timestamp=now_ms() - day))
        self.assertEqual(part[1], NONE)


if __name__ == "__main__":
    unittest.main()
