#!/usr/bin/python3
"""`brook topic create|list|describe|alter|delete` against a real `brook serve`, checked with
a real client (confluent-kafka-python's AdminClient and Producer): a topic the CLI creates
has the partitions and configs asked for, `describe` shows the offsets of records a client
produced, `alter` adds partitions and sets and removes configs as the AdminClient then
reads them, `delete` removes it. The same commands run against a second server, with SASL
logins, as "any Kafka cluster" would need them. Refusals (a topic that exists, one that
does not, fewer partitions) exit 1 with the broker's reason; bad arguments exit 2.

The server and the CLI are both $BROOK_BIN (set by ctest)."""

import json
import os
import subprocess
import sys
import unittest

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, ConfigResource

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, SANITIZER_MARKERS, BrookServer, ServerTestCase, unique  # noqa: E402

ADMIN_PASSWORD = "admin-" + os.urandom(6).hex()


class TopicCliTest(ServerTestCase):
    login = ()  # extra CLI arguments
    env = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = AdminClient(cls.client_config())

    @classmethod
    def tearDownClass(cls):
        cls.admin = None
        super().tearDownClass()

    @classmethod
    def client_config(cls):
        return {"bootstrap.servers": cls.brook.bootstrap}

    @property
    def bootstrap(self):
        return self.brook.bootstrap

    @property
    def data_dir(self):
        return os.path.join(self.brook.data_dir, "data")

    def segment_bytes(self, topic, partition):
        d = os.path.join(self.data_dir, f"{topic}-{partition}")
        return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)
                   if f.endswith(".log"))

    def topic(self, action, *args):
        argv = [self.brook.binary, "topic", action, "--bootstrap", self.bootstrap, *self.login,
                *args]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=self.env)
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, p.stderr, f"{argv}:\n{p.stderr}")
        return p

    def ok(self, action, *args):
        p = self.topic(action, *args)
        self.assertEqual(p.returncode, 0, f"brook topic {action} {args}:\n{p.stdout}{p.stderr}")
        return p

    def json(self, action, *args):
        return json.loads(self.ok(action, *args, "--json").stdout)

    def configs(self, name):
        res = ConfigResource("topic", name)
        return {k: v.value for k, v in
                self.admin.describe_configs([res])[res].result(DEADLINE_S).items()}

    def test_create_describe_alter_delete_round_trip(self):
        name = unique("cli-topic")
        created = self.json("create", name, "--partitions", "3", "--config",
                            "retention.ms=3600000", "--config", "max.message.bytes=65536")
        self.assertEqual(created, {"name": name, "created": True, "partitions": 3})
        md = self.admin.list_topics(name, timeout=DEADLINE_S).topics[name]
        self.assertEqual(len(md.partitions), 3)
        self.assertEqual(self.configs(name)["retention.ms"], "3600000")
        # Records a client produced show in describe's offsets.
        p = Producer(self.client_config())
        for i in range(4):
            p.produce(name, f"v{i}".encode(), partition=1)
        self.assertEqual(p.flush(DEADLINE_S), 0)
        d = self.json("describe", name)
        parts = {x["partition"]: x for x in d["partitions"]}
        self.assertEqual(sorted(parts), [0, 1, 2])
        self.assertEqual((parts[1]["log_start_offset"], parts[1]["log_end_offset"],
                          parts[1]["records"]), (0, 4, 4))
        self.assertEqual(parts[0]["records"], 0)
        # Sizes come from the broker (DescribeLogDirs): the bytes of the partition's segment
        # files, none for an empty partition.
        self.assertEqual(parts[0]["size_bytes"], 0)
        on_disk = self.segment_bytes(name, 1)
        self.assertGreater(on_disk, 0)
        self.assertEqual(parts[1]["size_bytes"], on_disk)
        self.assertEqual(d["configs"]["retention.ms"], {"value": "3600000", "set": True})
        self.assertFalse(d["configs"]["segment.bytes"]["set"])
        text = self.ok("describe", name).stdout
        self.assertIn(f"Topic: {name}  Partitions: 3", text)
        self.assertIn("SIZE", text.splitlines()[2])
        self.assertIn("retention.ms=3600000", text)
        # list
        listed = {t["name"]: t for t in self.json("list")["topics"]}
        self.assertEqual(listed[name]["partitions"], 3)
        self.assertIn(name, self.ok("list").stdout)
        # alter: more partitions, a config set, one back to its default
        self.ok("alter", name, "--partitions", "5", "--config", "cleanup.policy=compact",
                "--delete-config", "retention.ms")
        md = self.admin.list_topics(name, timeout=DEADLINE_S).topics[name]
        self.assertEqual(len(md.partitions), 5)
        configs = self.configs(name)
        self.assertEqual(configs["cleanup.policy"], "compact")
        self.assertNotEqual(configs["retention.ms"], "3600000")
        # delete
        self.assertEqual(self.json("delete", name),
                         {"topics": [{"name": name, "deleted": True}]})
        self.assertNotIn(name, self.admin.list_topics(timeout=DEADLINE_S).topics)

    def test_refusals_exit_1_with_the_brokers_reason(self):
        name = unique("cli-exists")
        self.ok("create", name)
        again = self.topic("create", name)
        self.assertEqual(again.returncode, 1)
        self.assertIn("TOPIC_ALREADY_EXISTS", again.stderr)
        self.assertEqual(self.json("create", name, "--if-not-exists")["created"], False)
        fewer = self.topic("alter", name, "--partitions", "1")
        self.assertEqual(fewer.returncode, 1)
        self.assertIn("INVALID_PARTITIONS", fewer.stderr)
        bad_config = self.topic("alter", name, "--config", "retention.ms=soon")
        self.assertEqual(bad_config.returncode, 1)
        self.assertIn("INVALID_CONFIG", bad_config.stderr)
        missing = unique("cli-missing")
        for action in ("describe", "delete"):
            p = self.topic(action, missing)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("UNKNOWN_TOPIC_OR_PARTITION", p.stderr)
        self.assertEqual(self.topic("delete", missing, "--if-exists").returncode, 0)
        self.assertEqual(self.topic("describe", missing, "--if-exists").returncode, 0)

    def test_bad_arguments_exit_2(self):
        cases = [
            (("create", "bad name"), "not a valid topic name"),
            (("create", "x" * 300), "not a valid topic name"),
            (("create", unique("t"), "--partitions", "0"), "--partitions"),
            (("create", unique("t"), "--config", "novalue"), "KEY=VALUE"),
            (("create", unique("t"), "--config", "=x"), "KEY=VALUE"),
            (("alter", unique("t")), "nothing to alter"),
            (("alter", unique("t"), "--delete-config", "a=b"), "--delete-config"),
        ]
        for args, message in cases:
            p = self.topic(*args)
            self.assertEqual(p.returncode, 2, f"{args}: {p.stdout}{p.stderr}")
            self.assertIn(message, p.stderr, args)
        p = subprocess.run([self.brook.binary, "topic", "list", "--bootstrap", "nohostport"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("HOST:PORT", p.stderr)

    def test_an_unreachable_cluster_exits_1(self):
        p = subprocess.run([self.brook.binary, "topic", "list", "--bootstrap", "127.0.0.1:1"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn("127.0.0.1:1", p.stderr)


class TopicCliWithSaslTest(TopicCliTest):
    """The same commands against a second server whose listener asks for SCRAM logins."""

    server_args = ("--listeners", "SASL_PLAINTEXT://127.0.0.1:0")
    server_env = dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD)
    login = ("--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", "admin")
    env = dict(os.environ, BROOK_SASL_PASSWORD=ADMIN_PASSWORD)

    @classmethod
    def client_config(cls):
        return {"bootstrap.servers": cls.brook.bootstrap, "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": "admin",
                "sasl.password": ADMIN_PASSWORD}

    def test_a_wrong_password_exits_1(self):
        env = dict(os.environ, BROOK_SASL_PASSWORD="wrong")
        p = subprocess.run([self.brook.binary, "topic", "list", "--bootstrap", self.bootstrap,
                            *self.login], capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("wrong user name or password", p.stderr)


if __name__ == "__main__":
    unittest.main()
