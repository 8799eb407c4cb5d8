#!/usr/bin/python3
"""`brook group list|describe|delete|reset-offsets` against a real `brook serve`, with a
real consumer group (confluent-kafka-python, librdkafka) committing offsets: the CLI shows
the group, its committed offsets, its lag in records and in seconds (the age of the oldest
record not yet committed, from records produced with known timestamps); it refuses to
reset the offsets of, or to delete, a group whose consumers are running, and does both once
they have left; a consumer that joins after a reset starts from the reset offset. Bad
arguments exit 2 with a message; an unreachable broker or an unknown group exit 1.

The server and the CLI are both $BROOK_BIN (set by ctest); $BROOK_CLI, when set, names a
different binary for the CLI."""

import json
import os
import subprocess
import sys
import unittest
from datetime import datetime, timezone

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import (DEADLINE_S, SANITIZER_MARKERS, ServerTestCase, now_ms, unique,  # noqa: E402
                      wait_until)

HOUR_MS = 3_600_000


class GroupCliTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cli_bin = os.environ.get("BROOK_CLI") or cls.brook.binary
        cls.admin = AdminClient({"bootstrap.servers": cls.brook.bootstrap})

    # --- helpers -------------------------------------------------------------------------

    def group(self, action, *args, bootstrap=None):
        """Runs `brook group ACTION --bootstrap ... ARGS`; returns the CompletedProcess."""
        argv = [self.cli_bin, "group", action,
                "--bootstrap", bootstrap or self.brook.bootstrap, *args]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, p.stderr, f"{argv}:\n{p.stderr}")
        return p

    def group_ok(self, action, *args):
        p = self.group(action, *args)
        self.assertEqual(p.returncode, 0, f"brook group {action} {args}:\n{p.stdout}{p.stderr}")
        return p

    def group_json(self, action, *args):
        return json.loads(self.group_ok(action, *args, "--json").stdout)

    def create_topic(self, partitions):
        topic = unique("cli")
        futures = self.admin.create_topics([NewTopic(topic, partitions, 1)])
        futures[topic].result(DEADLINE_S)
        return topic

    def produce(self, topic, partition, timestamps):
        producer = Producer({"bootstrap.servers": self.brook.bootstrap, "linger.ms": 0})
        errors = []
        for i, ts in enumerate(timestamps):
            producer.produce(topic, value=f"v{i}".encode(), partition=partition, timestamp=ts,
                             on_delivery=lambda err, msg: err and errors.append(err))
        self.assertEqual(producer.flush(DEADLINE_S), 0)
        self.assertEqual(errors, [])

    def member(self, group_id, topic, partitions, client_id="cli-test"):
        """A consumer in `group_id` subscribed to `topic`, returned once it owns all
        `partitions` of it, with the records it read meanwhile."""
        consumer = Consumer({
            "bootstrap.servers": self.brook.bootstrap,
            "group.id": group_id,
            "client.id": client_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 1000,
        })
        consumer.subscribe([topic])
        read = []

        def assigned():
            msg = consumer.poll(0.1)
            if msg is not None:
                if msg.error() is not None:
                    raise KafkaException(msg.error())
                read.append(msg)
            return len(consumer.assignment()) == partitions

        wait_until(assigned, f"{group_id} to be assigned {partitions} partitions")
        return consumer, read

    def commit(self, consumer, topic, offsets):
        result = consumer.commit(
            offsets=[TopicPartition(topic, p, o) for p, o in offsets.items()],
            asynchronous=False)
        for tp in result:
            self.assertIsNone(tp.error, tp)

    def state_of(self, group_id):
        return self.group_json("describe", group_id)["state"]

    def wait_until_empty(self, group_id):
        wait_until(lambda: self.state_of(group_id) == "Empty", f"{group_id} to become Empty",
                 interval=0.2)

    # --- tests ---------------------------------------------------------------------------

    def test_list_and_describe_show_an_active_group_and_its_lag(self):
        topic = self.create_topic(2)
        base = now_ms() - HOUR_MS
        p0_ts = [base + i * 1000 for i in range(10)]  # an hour old, a second apart
        self.produce(topic, 0, p0_ts)
        self.produce(topic, 1, [now_ms() - 120_000] * 4)
        group_id = unique("g")
        consumer, _ = self.member(group_id, topic, 2, client_id="lag-reader")
        try:
            self.commit(consumer, topic, {0: 6, 1: 4})

            listed = self.group_json("list")["groups"]
            mine = [g for g in listed if g["group"] == group_id]
            self.assertEqual(mine, [{"group": group_id, "state": "Stable",
                                     "protocol_type": "consumer"}])
            text = self.group_ok("list").stdout.splitlines()
            self.assertEqual(text[0].split(), ["GROUP", "STATE", "PROTOCOL-TYPE"])
            self.assertIn([group_id, "Stable", "consumer"], [line.split() for line in text])
            stable = self.group_json("list", "--state", "stable")["groups"]
            self.assertIn(group_id, [g["group"] for g in stable])
            empty = self.group_json("list", "--state", "Empty")["groups"]
            self.assertNotIn(group_id, [g["group"] for g in empty])

            before = now_ms()
            d = self.group_json("describe", group_id)
            after = now_ms()
            self.assertEqual(d["group"], group_id)
            self.assertEqual(d["state"], "Stable")
            self.assertEqual(d["protocol_type"], "consumer")
            self.assertEqual(len(d["members"]), 1)
            m = d["members"][0]
            member_id = m["member_id"]
            self.assertTrue(member_id)
            self.assertEqual(m["client_id"], "lag-reader")
            self.assertEqual(m["assignment"], [{"topic": topic, "partitions": [0, 1]}])
            parts = {p["partition"]: p for p in d["partitions"] if p["topic"] == topic}
            self.assertEqual(sorted(parts), [0, 1])
            p0, p1 = parts[0], parts[1]
            self.assertEqual((p0["committed_offset"], p0["log_end_offset"], p0["lag"]),
                             (6, 10, 4))
            self.assertEqual((p1["committed_offset"], p1["log_end_offset"], p1["lag"]),
                             (4, 4, 0))
            # The oldest record not committed on partition 0 is offset 6.
            self.assertGreaterEqual(p0["lag_seconds"], (before - p0_ts[6]) / 1000 - 1)
            self.assertLessEqual(p0["lag_seconds"], (after - p0_ts[6]) / 1000 + 1)
            self.assertEqual(p1["lag_seconds"], 0)
            for p in (p0, p1):
                self.assertEqual(p["member_id"], member_id)
                self.assertEqual(p["client_id"], "lag-reader")
            # The broker measured that lag (OffsetFetch's brook_include_lag); measured by the
            # CLI itself, as against any Kafka cluster (ListOffsets, Fetch), it is the same.
            client = self.group_json("describe", group_id, "--client-side-lag")
            cparts = {p["partition"]: p for p in client["partitions"] if p["topic"] == topic}
            for n in (0, 1):
                self.assertEqual(
                    [cparts[n][k] for k in ("committed_offset", "log_end_offset", "lag")],
                    [parts[n][k] for k in ("committed_offset", "log_end_offset", "lag")])
                self.assertAlmostEqual(cparts[n]["lag_seconds"], parts[n]["lag_seconds"],
                                       delta=(now_ms() - before) / 1000 + 0.01)

            text = self.group_ok("describe", group_id).stdout
            self.assertIn(f"group {group_id}: state Stable", text)
            rows = [line.split() for line in text.splitlines()]
            self.assertIn(["TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG", "LAG-SECONDS",
                           "MEMBER-ID", "CLIENT-ID", "HOST"], rows)
            row0 = next(r for r in rows if r[:2] == [topic, "0"])
            self.assertEqual(row0[2:5], ["6", "10", "4"])
            self.assertAlmostEqual(float(row0[5]), p0["lag_seconds"], delta=5)
            self.assertEqual(row0[6:8], [member_id, "lag-reader"])
        finally:
            consumer.close()

    def test_reset_offsets_waits_for_the_consumers_to_leave(self):
        topic = self.create_topic(2)
        base = now_ms() - HOUR_MS
        ts = [base + i * 60_000 for i in range(10)]  # a minute apart
        self.produce(topic, 0, ts)
        self.produce(topic, 1, ts[:3])
        group_id = unique("g")
        consumer, _ = self.member(group_id, topic, 2)
        try:
            self.commit(consumer, topic, {0: 6, 1: 3})
            p = self.group("reset-offsets", group_id, "--topic", topic, "--to-earliest")
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("active member", p.stderr)
            self.assertIn("stop its consumers", p.stderr)
        finally:
            consumer.close()
        self.wait_until_empty(group_id)

        def committed(partition):
            d = self.group_json("describe", group_id)
            return {p["partition"]: p["committed_offset"] for p in d["partitions"]}[partition]

        # A dry run prints the new offsets and commits nothing.
        dry = self.group_json("reset-offsets", group_id, "--topic", topic, "--to-earliest",
                              "--dry-run")
        self.assertTrue(dry["dry_run"])
        self.assertEqual([(p["partition"], p["old_offset"], p["new_offset"])
                          for p in dry["partitions"]], [(0, 6, 0), (1, 3, 0)])
        self.assertEqual(committed(0), 6)

        # An explicit offset, on one partition only.
        out = self.group_ok("reset-offsets", group_id, "--topic", f"{topic}:0",
                            "--to-offset", "2").stdout
        self.assertIn([topic, "0", "6", "2"], [line.split() for line in out.splitlines()])
        self.assertEqual((committed(0), committed(1)), (2, 3))

        # An offset past the log end is kept at the log end.
        r = self.group_json("reset-offsets", group_id, "--topic", f"{topic}:1",
                            "--to-offset", "99")
        self.assertEqual(r["partitions"][0]["new_offset"], 3)
        self.group_ok("reset-offsets", group_id, "--topic", f"{topic}:1", "--to-earliest")
        self.assertEqual(committed(1), 0)

        # A time: the first record at or after it (ISO-8601 and epoch milliseconds).
        iso = datetime.fromtimestamp(ts[8] / 1000, tz=timezone.utc).isoformat(
            timespec="milliseconds").replace("+00:00", "Z")
        r = self.group_json("reset-offsets", group_id, "--topic", f"{topic}:0",
                            "--to-datetime", iso)
        self.assertEqual(r["partitions"][0]["new_offset"], 8)
        r = self.group_json("reset-offsets", group_id, "--topic", f"{topic}:0",
                            "--to-datetime", str(ts[7] - 1), "--dry-run")
        self.assertEqual(r["partitions"][0]["new_offset"], 7)
        self.assertEqual(committed(0), 8)
        r = self.group_json("reset-offsets", group_id, "--topic", f"{topic}:1",
                            "--to-latest")
        self.assertEqual(r["partitions"][0]["new_offset"], 3)

        # A consumer joining now starts from the reset offsets: 8 on partition 0, and
        # nothing (3 of 3) on partition 1.
        consumer, read = self.member(group_id, topic, 2)
        try:
            def two_records():
                msg = consumer.poll(0.2)
                if msg is not None:
                    if msg.error() is not None:
                        raise KafkaException(msg.error())
                    read.append(msg)
                return len(read) >= 2

            wait_until(two_records, "the records after the reset")
            self.assertEqual([(m.partition(), m.offset(), m.value()) for m in read],
                             [(0, 8, b"v8"), (0, 9, b"v9")])
        finally:
            consumer.close()

    def test_delete_refused_while_active_and_done_when_empty(self):
        topic = self.create_topic(1)
        self.produce(topic, 0, [now_ms()])
        group_id = unique("g")
        consumer, _ = self.member(group_id, topic, 1)
        try:
            self.commit(consumer, topic, {0: 1})
            p = self.group("delete", group_id)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("NON_EMPTY_GROUP", p.stderr)
            self.assertIn("active members", p.stderr)
            self.assertEqual(self.state_of(group_id), "Stable")
        finally:
            consumer.close()
        self.wait_until_empty(group_id)

        out = self.group_ok("delete", group_id).stdout
        self.assertEqual(out, f"group {group_id}: deleted\n")
        listed = self.group_json("list")["groups"]
        self.assertNotIn(group_id, [g["group"] for g in listed])
        p = self.group("describe", group_id)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"group {group_id} does not exist", p.stderr)

        # Deleting a group that is not there is an error for that group only.
        p = self.group("delete", group_id, "--json")
        self.assertEqual(p.returncode, 1)
        result = json.loads(p.stdout)["results"]
        self.assertEqual(len(result), 1)
        self.assertFalse(result[0]["deleted"])
        self.assertIsNotNone(result[0]["error"])

    def test_bad_arguments_exit_2_with_a_message(self):
        cases = [
            (["reset-offsets", "g", "--topic", "t"], "exactly one of --to-earliest"),
            (["reset-offsets", "g", "--topic", "t", "--to-earliest", "--to-latest"],
             "exactly one of --to-earliest"),
            (["reset-offsets", "g", "--topic", "t:x", "--to-earliest"], "--topic"),
            (["reset-offsets", "g", "--topic", "t:", "--to-earliest"], "--topic"),
            (["reset-offsets", "g", "--topic", "t", "--to-datetime", "yesterday"],
             "--to-datetime"),
            (["reset-offsets", "g", "--topic", "t", "--to-datetime", "2024-02-30T00:00:00Z"],
             "--to-datetime"),
            (["reset-offsets", "g", "--topic", "t", "--to-offset", "-3"], "--to-offset"),
            (["reset-offsets", "g", "--to-earliest"], "--topic"),
            (["describe"], "group"),
            (["list", "--state", "Bogus"], "unknown group state 'Bogus'"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                p = self.group(*args)
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertIn(message, p.stderr)
                self.assertEqual(p.stdout, "")
        p = self.group("list", bootstrap="no-port-here")
        self.assertEqual(p.returncode, 2)
        self.assertIn("not HOST:PORT", p.stderr)
        p = subprocess.run([self.cli_bin, "group"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2)

    def test_unreachable_broker_and_unknown_group_exit_1(self):
        # Port 1 on loopback: nothing listens there.
        p = self.group("list", bootstrap="127.0.0.1:1")
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot connect to 127.0.0.1:1", p.stderr)
        p = self.group("describe", unique("no-such"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("does not exist", p.stderr)


if __name__ == "__main__":
    unittest.main()
