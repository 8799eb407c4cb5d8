#!/usr/bin/python3
"""`brook produce` and `brook consume` against a real `brook serve`, checked with a real
client (confluent-kafka-python): lines produced with keys and headers read back exactly by
the client; records the client produced (known keys, values, timestamps, headers) printed
by consume in every -f token and as JSON lines, from the beginning, an offset, a time, one
partition, a count, to the end (-e); a group's commits seen by the client; JSON validation
refusing a line; bad arguments exit 2; refusals exit 1. The same against a SASL server.

The server and the CLI are both $BROOK_BIN (set by ctest)."""

import json
import os
import subprocess
import re
import sys
import unittest

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, SANITIZER_MARKERS, ServerTestCase, unique  # noqa: E402

ADMIN_PASSWORD = "admin-" + os.urandom(6).hex()
T0 = 1_700_000_000_000


class ProduceConsumeCliTest(ServerTestCase):
    login = ()
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

    def run_cli(self, command, *args, stdin=None):
        argv = [self.brook.binary, command, "--bootstrap", self.brook.bootstrap, *self.login,
                *args]
        p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120,
                           env=self.env)
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, p.stderr, f"{argv}:\n{p.stderr}")
        return p

    def ok(self, command, *args, stdin=None):
        p = self.run_cli(command, *args, stdin=stdin)
        self.assertEqual(p.returncode, 0, f"brook {command} {args}:\n{p.stdout}{p.stderr}")
        return p.stdout

    def new_topic(self, partitions=1):
        name = unique("cli-rec")
        self.admin.create_topics([NewTopic(name, partitions, 1)])[name].result(DEADLINE_S)
        return name

    def read_all(self, topic, count):
        c = Consumer(dict(self.client_config(), **{"group.id": unique("reader"),
                                                   "auto.offset.reset": "earliest"}))
        c.subscribe([topic])
        out = []
        try:
            while len(out) < count:
                m = c.poll(DEADLINE_S)
                self.assertIsNotNone(m, f"only {len(out)} of {count} records")
                self.assertIsNone(m.error(), m.error())
                out.append(m)
        finally:
            c.close()
        return out

    def test_produce_lines_with_keys_and_headers(self):
        topic = self.new_topic()
        lines = "user-1:signup\nuser-2:login\nno key here\nuser-3:a:b\n"
        summary = json.loads(self.ok("produce", topic, "-K", ":", "-H", "source=cli", "-H",
                                     "v=2", "--json", stdin=lines))
        self.assertEqual((summary["records"], summary["failed"]), (4, 0))
        got = [(m.key(), m.value(), m.headers()) for m in self.read_all(topic, 4)]
        headers = [("source", b"cli"), ("v", b"2")]
        self.assertEqual(got, [(b"user-1", b"signup", headers), (b"user-2", b"login", headers),
                               (None, b"no key here", headers), (b"user-3", b"a:b", headers)])

    def test_produce_from_a_file_to_one_partition(self):
        topic = self.new_topic(3)
        path = os.path.join(self.brook.data_dir, "lines.txt")
        with open(path, "w") as f:
            f.write("".join(f"line {i}\r\n" for i in range(50)))
        self.ok("produce", topic, "--file", path, "--partition", "2")
        records = self.read_all(topic, 50)
        self.assertEqual({m.partition() for m in records}, {2})
        self.assertEqual([m.value() for m in records], [f"line {i}".encode() for i in range(50)])

    def test_a_terminal_gets_a_progress_line_and_a_summary_a_pipe_does_not(self):
        topic = self.new_topic()
        path = os.path.join(self.brook.data_dir, "many.txt")
        with open(path, "w") as f:
            f.write("".join(f"{i}\n" for i in range(300_000)))
        command = " ".join([self.brook.binary, "produce", topic, "--file", path,
                            "--bootstrap", self.brook.bootstrap, *self.login])
        # script(1) runs the command on a pseudo-terminal (bytes: keep the \r as it is).
        p = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True,
                           timeout=300, env=self.env)
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, out)
        summary = re.search(rf"Produced 300000 records to {topic} in ([0-9.]+) s", out)
        self.assertTrue(summary, out)
        if float(summary.group(1)) > 1.2:  # a line is printed once a second has passed
            self.assertRegex(out, r"\r\d+ records sent, \d+ records sent/s, [0-9.]+ MB/s")
        piped = self.run_cli("produce", topic, "--file", path)
        self.assertEqual(piped.returncode, 0)
        self.assertEqual(piped.stderr, "")
        self.assertEqual(piped.stdout, "")

    def test_validate_json_stops_at_the_first_bad_line(self):
        topic = self.new_topic()
        p = self.run_cli("produce", topic, "--validate-json",
                         stdin='{"a":1}\n[1,2]\n{"broken":\n"after"\n')
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("line 3", p.stderr)
        self.assertEqual([m.value() for m in self.read_all(topic, 2)], [b'{"a":1}', b"[1,2]"])

    def produce_known(self, topic, partition=0, count=5):
        p = Producer(self.client_config())
        for i in range(count):
            p.produce(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), partition=partition,
                      timestamp=T0 + i * 1000, headers=[("h", f"x{i}".encode())])
        self.assertEqual(p.flush(DEADLINE_S), 0)

    def test_consume_formats_offsets_times_and_counts(self):
        topic = self.new_topic(2)
        self.produce_known(topic, 0, 5)
        self.produce_known(topic, 1, 1)
        text = self.ok("consume", topic, "-o", "beginning", "-e", "-p", "0", "-f",
                       "%t|%p|%o|%T|%k|%s|%K|%S|%h|%%\\n")
        self.assertEqual(text.splitlines(), [
            f"{topic}|0|{i}|{T0 + i * 1000}|k{i}|v{i}|2|2|h=x{i}|%" for i in range(5)])
        lines = [json.loads(x) for x in self.ok("consume", topic, "-o", "beginning", "-e",
                                                "--json").splitlines()]
        self.assertEqual(len(lines), 6)
        first = [x for x in lines if x["partition"] == 0][0]
        self.assertEqual(first, {"topic": topic, "partition": 0, "offset": 0, "timestamp": T0,
                                 "key": "k0", "value": "v0", "headers": {"h": "x0"}})
        self.assertEqual(self.ok("consume", topic, "-p", "0", "-o", "3", "-e").splitlines(),
                         ["v3", "v4"])
        self.assertEqual(self.ok("consume", topic, "-p", "0", "-o", "beginning", "-c", "2")
                         .splitlines(), ["v0", "v1"])
        # The first record at or after T0 + 2.5 s: offset 3.
        self.assertEqual(self.ok("consume", topic, "-p", "0", "--from-time",
                                 str(T0 + 2500), "-e").splitlines(), ["v3", "v4"])
        # The default start is the end: nothing, and -e exits.
        self.assertEqual(self.ok("consume", topic, "-e"), "")

    def test_consume_in_a_group_commits_what_it_printed(self):
        topic = self.new_topic()
        self.produce_known(topic, 0, 4)
        group = unique("cli-group")
        self.assertEqual(self.ok("consume", topic, "-g", group, "-o", "beginning", "-e")
                         .splitlines(), ["v0", "v1", "v2", "v3"])
        c = Consumer(dict(self.client_config(), **{"group.id": group}))
        try:
            committed = c.committed([TopicPartition(topic, 0)], timeout=DEADLINE_S)
        finally:
            c.close()
        self.assertEqual(committed[0].offset, 4)
        # Again: nothing new to print.
        self.produce_known(topic, 0, 1)
        self.assertEqual(self.ok("consume", topic, "-g", group, "-e").splitlines(), ["v0"])

    def test_bad_arguments_exit_2_and_refusals_exit_1(self):
        topic = self.new_topic()
        for command, args, message in [
                ("consume", (topic, "-f", "%x"), "unknown token"),
                ("consume", (topic, "-o", "soon"), "--offset"),
                ("consume", (topic, "-g", "g", "-o", "5"), "--offset"),
                ("consume", (topic, "--from-time", "yesterday"), "--from-time"),
                ("consume", (topic, "-g", "g", "-p", "0"), "--partition"),
                ("consume", ("bad topic",), "not a valid topic name"),
                ("produce", (topic, "-H", "novalue"), "KEY=VALUE"),
                ("produce", (topic, "--file", "/no/such/file"), "cannot read"),
                ("produce", (topic, "-X", "no.such.property=1"), "no.such.property")]:
            p = self.run_cli(command, *args, stdin="")
            self.assertEqual(p.returncode, 2, f"{command} {args}: {p.stderr}")
            self.assertIn(message, p.stderr, args)
        p = self.run_cli("produce", topic, "--partition", "7", stdin="x\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Unknown partition", p.stderr)
        p = self.run_cli("consume", topic, "-p", "3", "-e")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no partition 3", p.stderr)


class ProduceConsumeCliWithSaslTest(ProduceConsumeCliTest):
    """The same against a second server whose listener asks for SCRAM logins."""

    server_args = ("--listeners", "SASL_PLAINTEXT://127.0.0.1:0")
    server_env = dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD)
    login = ("--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", "admin")
    env = dict(os.environ, BROOK_SASL_PASSWORD=ADMIN_PASSWORD)

    @classmethod
    def client_config(cls):
        return {"bootstrap.servers": cls.brook.bootstrap, "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": "admin",
                "sasl.password": ADMIN_PASSWORD}


if __name__ == "__main__":
    unittest.main()
