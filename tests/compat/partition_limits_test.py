#!/usr/bin/python3
"""Partition limits against a real `brook serve`: a request for tens of thousands of
partitions (CreateTopics with confluent-kafka's AdminClient, CreatePartitions, a REST v3
create) is refused before anything is made (INVALID_PARTITIONS past the per-topic limit,
POLICY_VIOLATION past the total, 422 over HTTP), and the broker keeps serving. Under the
common 1,024 open-file limit a topic of 2,000 partitions is made, written, read back and
started again: segment files are opened on demand, at most half the limit at once."""

import os
import sys
import time
import unittest

import requests
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import BrookServer, ServerTestCase, unique  # noqa: E402

TIMEOUT_S = 60


def partition_dirs(server, topic):
    data = os.path.join(server.data_dir, "data")
    return [d for d in os.listdir(data) if d.rsplit("-", 1)[0] == topic]


class LimitsCase(ServerTestCase):
    def admin(self):
        return AdminClient({"bootstrap.servers": self.brook.bootstrap})

    def create(self, topic, partitions):
        """CreateTopics through librdkafka; None or the KafkaError."""
        admin = self.admin()  # kept alive until the answer: destroying it fails the future
        future = admin.create_topics([NewTopic(topic, partitions, 1)],
                                     operation_timeout=30)[topic]
        try:
            future.result(timeout=TIMEOUT_S)
            return None
        except Exception as e:  # confluent_kafka.KafkaException carrying the KafkaError
            return e.args[0]

    def grow(self, topic, total):
        admin = self.admin()
        future = admin.create_partitions([NewPartitions(topic, total)],
                                         operation_timeout=30)[topic]
        try:
            future.result(timeout=TIMEOUT_S)
            return None
        except Exception as e:
            return e.args[0]

    def produce_one(self, topic):
        delivered = []
        p = Producer({"bootstrap.servers": self.brook.bootstrap, "acks": "all"})
        p.produce(topic, b"v", on_delivery=lambda err, msg: delivered.append(err))
        p.flush(TIMEOUT_S)
        self.assertEqual(delivered, [None])

    def v3_create(self, topic, partitions):
        url = self.brook.http_url
        cluster = requests.get(f"{url}/v3/clusters", timeout=TIMEOUT_S).json()["data"][0]
        return requests.post(f"{url}/v3/clusters/{cluster['cluster_id']}/topics",
                             json={"topic_name": topic, "partitions_count": partitions},
                             timeout=TIMEOUT_S)


class HugeRequestsTest(LimitsCase):
    """The defaults: 10,000 partitions per topic, 100,000 in all."""

    def test_createtopics_for_twenty_thousand_partitions_is_refused_whole(self):
        topic = unique("huge")
        err = self.create(topic, 20000)
        self.assertIsNotNone(err)
        self.assertEqual(err.code(), KafkaError.INVALID_PARTITIONS, err)
        self.assertIn("kafka.max_partitions_per_topic", err.str())
        self.assertEqual(partition_dirs(self.brook, topic), [])
        small = unique("small")
        self.assertIsNone(self.create(small, 3))
        self.produce_one(small)

    def test_create_partitions_past_the_limit_is_refused(self):
        topic = unique("grow")
        self.assertIsNone(self.create(topic, 2))
        err = self.grow(topic, 50000)
        self.assertEqual(err.code(), KafkaError.INVALID_PARTITIONS, err)
        self.assertEqual(sorted(partition_dirs(self.brook, topic)), [f"{topic}-0", f"{topic}-1"])
        self.assertIsNone(self.grow(topic, 4))
        self.assertEqual(len(partition_dirs(self.brook, topic)), 4)

    def test_rest_v3_create_past_the_limit_is_refused(self):
        topic = unique("rest")
        r = self.v3_create(topic, 20000)  # Kafka's INVALID_PARTITIONS, as Confluent maps it
        self.assertEqual(r.status_code, 400, r.text)
        self.assertEqual(r.json()["error_code"], 40002)
        self.assertIn("kafka.max_partitions_per_topic", r.json()["message"])
        self.assertEqual(partition_dirs(self.brook, topic), [])


class TotalLimitTest(LimitsCase):
    server_args = ("--max-partitions", "10")

    def test_the_total_counts_every_topic_and_auto_creation(self):
        a = unique("a")
        self.assertIsNone(self.create(a, 8))
        err = self.create(unique("b"), 3)
        self.assertEqual(err.code(), KafkaError.POLICY_VIOLATION, err)
        self.assertIn("kafka.max_partitions", err.str())
        self.assertEqual(self.grow(a, 11).code(), KafkaError.POLICY_VIOLATION)
        self.assertIsNone(self.grow(a, 10))
        # Full: a produce to a new topic cannot auto-create it, and says why in the log.
        self.assertEqual(self.create(unique("c"), 1).code(), KafkaError.POLICY_VIOLATION)
        self.produce_one(a)

    def test_rest_v3_create_past_the_total_is_422(self):
        topic = unique("rest")
        r = self.v3_create(topic, 11)
        self.assertEqual(r.status_code, 422, r.text)
        self.assertEqual(r.json()["error_code"], 422)
        self.assertIn("kafka.max_partitions", r.json()["message"])
        self.assertEqual(partition_dirs(self.brook, topic), [])


def open_segment_files(pid):
    """The `.log` files process `pid` holds open."""
    count = 0
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            count += os.readlink(os.path.join(fd_dir, fd)).endswith(".log")
        except OSError:
            pass  # closed meanwhile
    return count


class OpenFileLimitTest(unittest.TestCase):
    """Under `prlimit --nofile=1024:1024`, 2,000 partitions (each a segment file) are
    created, written and read back, and the data directory starts again (after SIGKILL)
    under the same limit; no more than 512 segment files are open at any check and nothing is lost."""

    PARTITIONS = 2000

    def produce_to_every_partition(self, brook, topic, value):
        delivered = []
        p = Producer({"bootstrap.servers": brook.bootstrap, "acks": "all",
                      "linger.ms": 5})
        for partition in range(self.PARTITIONS):
            p.produce(topic, value + b"-%d" % partition, partition=partition,
                      on_delivery=lambda err, msg: delivered.append(err))
            p.poll(0)
        self.assertEqual(p.flush(TIMEOUT_S), 0)
        self.assertEqual(delivered, [None] * self.PARTITIONS)

    def read_every_partition(self, brook, topic, count):
        c = Consumer({"bootstrap.servers": brook.bootstrap, "group.id": unique("g"),
                      "enable.auto.commit": False})
        c.assign([TopicPartition(topic, p, 0) for p in range(self.PARTITIONS)])
        seen = {}
        deadline = time.monotonic() + TIMEOUT_S
        while len(seen) < self.PARTITIONS * count and time.monotonic() < deadline:
            for m in c.consume(1000, timeout=1):
                self.assertIsNone(m.error())
                seen[(m.partition(), m.offset())] = m.value()
        c.close()
        return seen

    def test_two_thousand_partitions_under_a_limit_of_1024_files(self):
        with BrookServer(wrapper=["prlimit", "--nofile=1024:1024", "--"]) as brook:
            case = LimitsCase()
            case.brook = brook
            topic = unique("many")
            self.assertIsNone(case.create(topic, self.PARTITIONS))
            self.assertEqual(len(partition_dirs(brook, topic)), self.PARTITIONS)
            self.produce_to_every_partition(brook, topic, b"first")
            self.assertLessEqual(open_segment_files(brook.proc.pid), 512)
            brook.restart(kill=True)  # recovery opens every partition under the limit too
            self.assertTrue(any(f"{self.PARTITIONS} partitions" in line
                                for line in brook.log_lines), "".join(brook.log_lines[-20:]))
            self.produce_to_every_partition(brook, topic, b"second")
            seen = self.read_every_partition(brook, topic, 2)
            self.assertEqual(len(seen), 2 * self.PARTITIONS)
            for partition in range(self.PARTITIONS):
                self.assertEqual(seen[(partition, 0)], b"first-%d" % partition)
                self.assertEqual(seen[(partition, 1)], b"second-%d" % partition)
            self.assertLessEqual(open_segment_files(brook.proc.pid), 512)
            self.assertFalse(any("Too many open files" in line for line in brook.log_lines))
            brook.check_clean_exit(brook.stop())


if __name__ == "__main__":
    unittest.main()
