#!/usr/bin/python3
"""kcat (librdkafka) against a real `brook serve`, used the way people use it: listing
metadata, producing lines with keys and headers, and reading a topic from the beginning
to its end with `kcat -C -b ... -t events -o beginning -e`. What kcat prints is compared
with exactly what was sent: key, value, headers, timestamp, partition and offset.

kcat cannot set a record's timestamp, so records with chosen timestamps are produced with
confluent-kafka-python (the same librdkafka) and read with kcat."""

import json
import os
import subprocess
import sys
import time
import unittest

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import ServerTestCase  # noqa: E402

KCAT = os.environ.get("KCAT", "/usr/bin/kcat")
BASE_TS = 1_700_000_000_000
FIELD = "\x1f"  # between the fields of one record in -f output (ASCII unit separator)
# Everything kcat knows about a record, one line per record.
FORMAT = FIELD.join(["%t", "%p", "%o", "%T", "%K", "%k", "%S", "%s", "%h"]) + "\\n"
FORMAT_ARG = FORMAT.replace(FIELD, "\\x1f")


def parse_formatted(stdout):
    """Records printed with FORMAT, as dicts."""
    out = []
    for line in stdout.split(b"\n"):
        if not line:
            continue
        f = line.split(FIELD.encode())
        if len(f) != 9:
            raise AssertionError(f"unexpected kcat line {line!r}")
        key_len, value_len = int(f[4]), int(f[6])
        out.append({
            "topic": f[0].decode(), "partition": int(f[1]), "offset": int(f[2]),
            "timestamp": int(f[3]),
            "key": None if key_len == -1 else f[5],
            "value": None if value_len == -1 else f[7],
            "headers": f[8].decode(),
        })
        if key_len != -1:
            assert len(out[-1]["key"]) == key_len, line
        if value_len != -1:
            assert len(out[-1]["value"]) == value_len, line
    return out


class KcatTestCase(ServerTestCase):
    """One server per class; stopping it checks the clean exit and the sanitizer."""

    # -- helpers -----------------------------------------------------------------------

    def kcat(self, *args, input=b"", check=True):
        cmd = [KCAT, "-b", self.brook.bootstrap] + list(args)
        r = subprocess.run(cmd, input=input, capture_output=True, timeout=60)
        if check and r.returncode != 0:
            self.fail(f"{' '.join(cmd)} exited with {r.returncode}:\n"
                      f"{r.stderr.decode(errors='replace')}")
        return r

    def consume_all(self, topic, *extra):
        """`kcat -C ... -o beginning -e` with FORMAT: every record, in partition order."""
        r = self.kcat("-C", "-t", topic, "-o", "beginning", "-e", "-f", FORMAT_ARG, *extra)
        return parse_formatted(r.stdout)

    def metadata(self, *extra):
        r = self.kcat("-L", "-J", *extra)
        return json.loads(r.stdout)

    def produce_with_timestamps(self, topic, records, partition=0):
        """(key, value, headers, timestamp) through confluent-kafka-python, since kcat
        cannot set timestamps. Returns the offsets."""
        p = Producer({"bootstrap.servers": self.brook.bootstrap, "acks": "all",
                      "linger.ms": 10})
        offsets = [None] * len(records)

        def report(i):
            def cb(err, msg):
                self.assertIsNone(err)
                offsets[i] = msg.offset()
            return cb

        for i, (k, v, h, ts) in enumerate(records):
            p.produce(topic, key=k, value=v, headers=h, timestamp=ts, partition=partition,
                      on_delivery=report(i))
        self.assertEqual(p.flush(30), 0)
        return offsets

    def create_topic(self, name, partitions):
        admin = AdminClient({"bootstrap.servers": self.brook.bootstrap})
        fs = admin.create_topics([NewTopic(name, partitions, 1)], request_timeout=30)
        fs[name].result(timeout=60)


class KcatTest(KcatTestCase):

    def test_the_seed_command_reads_what_was_produced(self):
        # What the seeds do: lines into `events`, then read them all back and exit.
        lines = [json.dumps({"event_type": "purchase_sword", "n": i, "Host": "user1.comcast.com"})
                 for i in range(50)]
        self.kcat("-P", "-t", "events", input=("\n".join(lines) + "\n").encode())
        r = subprocess.run([KCAT, "-C", "-b", self.brook.bootstrap, "-t", "events",
                            "-o", "beginning", "-e"], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        self.assertEqual(r.stdout.decode().splitlines(), lines)
        self.assertIn("Reached end of topic events [0] at offset 50", r.stderr.decode())

    def test_metadata_list(self):
        self.kcat("-P", "-t", "listed", input=b"one\n")
        md = self.metadata()
        self.assertEqual(md["brokers"], [{"id": 0, "name": self.brook.bootstrap}])
        self.assertEqual(md["controllerid"], 0)
        topics = {t["topic"]: t for t in md["topics"]}
        self.assertIn("listed", topics)
        listed = topics["listed"]
        self.assertNotIn("error", listed)
        self.assertEqual(listed["partitions"],
                         [{"partition": 0, "leader": 0, "replicas": [{"id": 0}],
                           "isrs": [{"id": 0}]}])
        # The same through -t, and in kcat's plain text listing.
        one = self.metadata("-t", "listed")
        self.assertEqual([t["topic"] for t in one["topics"]], ["listed"])
        text = self.kcat("-L", "-t", "listed").stdout.decode()
        self.assertIn('topic "listed" with 1 partitions:', text)
        self.assertIn("partition 0, leader 0, replicas: 0, isrs: 0", text)
        self.assertIn(f"broker 0 at {self.brook.bootstrap}", text)

    def test_produce_keys_and_headers(self):
        topic = "keyed"
        # -K: splits at the first colon; the value may hold more of them.
        lines = [f"user-{i % 3}:value {i}: with colon" for i in range(20)] + ["nokey-line"]
        before = int(time.time() * 1000)
        self.kcat("-P", "-t", topic, "-p", "0", "-K", ":", "-H", "source=kcat", "-H", "run=7",
                  input=("\n".join(lines) + "\n").encode())
        after = int(time.time() * 1000)
        got = self.consume_all(topic)
        self.assertEqual(len(got), len(lines))
        for i, (line, rec) in enumerate(zip(lines, got)):
            key, sep, value = line.partition(":")
            if not sep:
                key, value = None, line
            self.assertEqual(rec["topic"], topic)
            self.assertEqual((rec["partition"], rec["offset"]), (0, i))
            self.assertEqual(rec["key"], None if key is None else key.encode(), line)
            self.assertEqual(rec["value"], value.encode(), line)
            self.assertEqual(rec["headers"], "source=kcat,run=7")
            # kcat sets no timestamp: librdkafka stamps the time of produce (CreateTime).
            self.assertGreaterEqual(rec["timestamp"], before)
            self.assertLessEqual(rec["timestamp"], after)

    def test_consume_exact_timestamps_keys_headers(self):
        topic = "stamped"
        records = [
            (b"k0", b"v0", [("a", b"1")], BASE_TS),
            (None, b"no key", [("a", b"1"), ("b", b"two"), ("nul", None)], BASE_TS + 1),
            (b"k2", b"", None, BASE_TS + 1000),           # empty value, no headers
            (b"k3", None, [("tomb", b"stone")], BASE_TS + 5),  # null value, earlier time
            (b"", b"empty key", None, 1),                # empty key, a time in 1970
            (b"k5", "\u00e9t\u00e9".encode(), [("utf", "\u00e9".encode())], BASE_TS + 99_999),
        ]
        offsets = self.produce_with_timestamps(topic, records)
        self.assertEqual(offsets, list(range(len(records))))
        got = self.consume_all(topic)
        expected = [{"topic": topic, "partition": 0, "offset": i, "timestamp": ts,
                     "key": k, "value": v,
                     "headers": ",".join(f"{n}={'NULL' if val is None else val.decode()}"
                                         for n, val in (h or []))}
                    for i, (k, v, h, ts) in enumerate(records)]
        self.assertEqual(got, expected)

        # The JSON envelope says the same, and that the timestamps are CreateTime.
        r = self.kcat("-C", "-t", topic, "-o", "beginning", "-e", "-J")
        envelopes = [json.loads(line) for line in r.stdout.decode().splitlines()]
        self.assertEqual(len(envelopes), len(records))
        for i, (e, (k, v, h, ts)) in enumerate(zip(envelopes, records)):
            self.assertEqual((e["topic"], e["partition"], e["offset"]), (topic, 0, i))
            self.assertEqual((e["tstype"], e["ts"]), ("create", ts))
            self.assertEqual(e["broker"], 0)
            self.assertEqual(e["key"], None if k is None else k.decode())
            self.assertEqual(e["payload"], None if v is None else v.decode())
            want_headers = [x for n, val in (h or [])
                            for x in (n, None if val is None else val.decode())]
            self.assertEqual(e.get("headers", []), want_headers)

    def test_consume_from_offsets_and_timestamps(self):
        topic = "positions"
        records = [(None, b"r%d" % i, None, BASE_TS + i * 1000) for i in range(30)]
        self.produce_with_timestamps(topic, records)
        # Absolute, relative to the end, and by time (s@ starts, e@ stops before).
        cases = {
            ("-o", "25"): range(25, 30),
            ("-o", "-4"): range(26, 30),
            ("-o", f"s@{BASE_TS + 10_500}"): range(11, 30),
            ("-o", f"s@{BASE_TS + 10_000}", "-o", f"e@{BASE_TS + 13_000}"): range(10, 13),
        }
        for args, want in cases.items():
            with self.subTest(args=args):
                r = self.kcat("-C", "-t", topic, "-p", "0", *args, "-e", "-f", FORMAT_ARG)
                got = parse_formatted(r.stdout)
                self.assertEqual([(g["offset"], g["value"], g["timestamp"]) for g in got],
                                 [(i, b"r%d" % i, BASE_TS + i * 1000) for i in want])
        r = self.kcat("-C", "-t", topic, "-o", "beginning", "-c", "7", "-f", "%o\\n")
        self.assertEqual(r.stdout.decode().split(), [str(i) for i in range(7)])

    def test_query_offset_by_timestamp(self):
        topic = "query"
        self.produce_with_timestamps(topic, [(None, b"q%d" % i, None, BASE_TS + i * 1000)
                                             for i in range(10)])
        for at, want in ((0, 0), (BASE_TS + 4000, 4), (BASE_TS + 4001, 5), (BASE_TS + 9000, 9)):
            with self.subTest(at=at):
                r = self.kcat("-Q", "-t", f"{topic}:0:{at}")
                self.assertIn(f"{topic} [0] offset {want}", r.stdout.decode())
        r = self.kcat("-Q", "-t", f"{topic}:0:{BASE_TS + 9001}")
        self.assertIn(f"{topic} [0] offset -1", r.stdout.decode(), "nothing at or after")

    def test_compressed_produce(self):
        for codec in ("gzip", "snappy", "lz4"):
            with self.subTest(codec=codec):
                topic = f"kcat-{codec}"
                lines = [f"k{i}:{codec} line {i} " + "x" * (i % 50) for i in range(300)]
                self.kcat("-P", "-t", topic, "-K", ":", "-z", codec,
                          input=("\n".join(lines) + "\n").encode())
                got = self.consume_all(topic)
                self.assertEqual([(g["offset"], g["key"], g["value"]) for g in got],
                                 [(i, *(x.encode() for x in line.split(":", 1)))
                                  for i, line in enumerate(lines)])

    def test_empty_topic(self):
        self.create_topic("empty", 2)
        r = self.kcat("-C", "-t", "empty", "-o", "beginning", "-e")
        self.assertEqual(r.stdout, b"")
        err = r.stderr.decode()
        self.assertIn("Reached end of topic empty [0] at offset 0", err)
        self.assertIn("Reached end of topic empty [1] at offset 0", err)
        self.assertEqual(self.consume_all("empty"), [])
        md = self.metadata("-t", "empty")
        self.assertEqual([p["partition"] for p in md["topics"][0]["partitions"]], [0, 1])

    def test_topic_auto_created_by_produce(self):
        topic = "made-by-produce"
        self.assertNotIn(topic, [t["topic"] for t in self.metadata()["topics"]])
        self.kcat("-P", "-t", topic, "-k", "fixed", input=b"hello\nworld\n")
        md = self.metadata("-t", topic)
        self.assertEqual(len(md["topics"]), 1)
        self.assertNotIn("error", md["topics"][0])
        self.assertEqual(len(md["topics"][0]["partitions"]), 1, "the server's default")
        got = self.consume_all(topic)
        self.assertEqual([(g["offset"], g["key"], g["value"]) for g in got],
                         [(0, b"fixed", b"hello"), (1, b"fixed", b"world")])

    def test_consuming_a_missing_topic_fails(self):
        r = self.kcat("-C", "-t", "never-made", "-o", "beginning", "-e", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Unknown topic", r.stderr.decode())
        self.assertNotIn("never-made", [t["topic"] for t in self.metadata()["topics"]])


class KcatManyPartitionsTest(KcatTestCase):
    """A server whose auto-created topics have 4 partitions."""

    server_args = ("--default-partitions", "4")

    def test_partitions_listed_and_read(self):
        topic = "four"
        lines = [f"key-{i}:value-{i}" for i in range(100)]
        # -p -1: the random partitioner; -K: keyed lines go through the key hash instead.
        self.kcat("-P", "-t", topic, "-K", ":", input=("\n".join(lines) + "\n").encode())
        md = self.metadata("-t", topic)
        self.assertEqual([p["partition"] for p in md["topics"][0]["partitions"]], [0, 1, 2, 3])
        for p in md["topics"][0]["partitions"]:
            self.assertEqual((p["leader"], p["replicas"], p["isrs"]), (0, [{"id": 0}], [{"id": 0}]))
        got = self.consume_all(topic)
        self.assertEqual(sorted((g["key"], g["value"]) for g in got),
                         sorted(tuple(x.encode() for x in line.split(":")) for line in lines))
        for part in range(4):
            offsets = [g["offset"] for g in got if g["partition"] == part]
            self.assertEqual(offsets, list(range(len(offsets))), f"partition {part}")
        # Keyed: every key in exactly one partition.
        seen = {}
        for g in got:
            self.assertEqual(seen.setdefault(g["key"], g["partition"]), g["partition"])


if __name__ == "__main__":
    unittest.main()
