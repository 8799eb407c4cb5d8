#!/usr/bin/python3
"""The S3 sink against a real S3-protocol server (s3rver, npm, started by the test on
127.0.0.1; it checks every request's AWS Signature V4), read back with an independent S3
client (boto3, Debian's python3-boto3). The Pinterest seed's pipeline: records posted to
three topics through the REST Proxy land under exactly the Kafka Connect keys
(topics/<topic>/partition=0/<topic>+0+<offset>.json) with exactly the records; SIGKILLs of
brook serve while it uploads leave every record in exactly one object under the same keys
as a run without crashes; gzip, ByteArrayFormat, time-based paths and multipart uploads;
a missing bucket, wrong credentials, a dead endpoint and records that are not JSON are
reported (FAILED, or dead-lettered) while the broker keeps serving.

$BROOK_BIN is set by ctest; tests/compat/s3/node_modules by the compat_s3_npm_ci fixture."""

import gzip
import json
import os
import sys
import unittest

import requests
from confluent_kafka import Producer

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from destinations import S3_KEYS as KEYS, S3Server  # noqa: E402
from fixtures import DEADLINE_S, BrookServer, unique, wait_until  # noqa: E402

S3_CLASS = "io.confluent.connect.s3.S3SinkConnector"
BUCKET = "pinterest-data"
V2_JSON = "application/vnd.kafka.json.v2+json"


class S3SinkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s3 = S3Server(BUCKET, "other-bucket")
        cls.brook = BrookServer(env=dict(os.environ, **KEYS)).start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.brook.check_clean_exit(cls.brook.stop())
        finally:
            cls.brook.__exit__(None, None, None)
            cls.s3.stop()

    def connector(self, name, **config):
        config.setdefault("connector.class", S3_CLASS)
        config.setdefault("s3.bucket.name", BUCKET)
        config.setdefault("store.url", self.s3.url)
        r = requests.post(self.brook.http_url + "/connectors", json={"name": name, "config": config},
                          timeout=DEADLINE_S)
        self.assertEqual(r.status_code, 201, r.text)
        self.addCleanup(lambda: requests.delete(f"{self.brook.http_url}/connectors/{name}",
                                                timeout=DEADLINE_S))

    def status(self, name):
        return requests.get(f"{self.brook.http_url}/connectors/{name}/status",
                            timeout=DEADLINE_S).json()

    def committed(self, name):
        r = requests.get(f"{self.brook.http_url}/v1/groups/connect-{name}/lag", timeout=DEADLINE_S)
        if r.status_code != 200:
            return {}
        return {(p["topic"], p["partition"]): p["committed_offset"] for p in r.json()["partitions"]}

    def produce(self, topic, values, timestamps=None):
        p = Producer({"bootstrap.servers": self.brook.bootstrap, "linger.ms": 5})
        for i, v in enumerate(values):
            kwargs = {"timestamp": timestamps[i]} if timestamps else {}
            p.produce(topic, value=v.encode() if isinstance(v, str) else v, **kwargs)
        self.assertEqual(p.flush(DEADLINE_S), 0)

    def test_the_seed_pipeline_posts_through_the_rest_proxy_into_connect_keys(self):
        user = unique("0a1b2c3d")
        topics = [f"{user}.pin", f"{user}.geo", f"{user}.user"]
        name = unique("pinterest")
        self.connector(name, topics=",".join(topics), **{"flush.size": "5"})
        rows = {t: [{"ind": i, "topic": t, "text": f"row {i} é"} for i in range(12)] for t in topics}
        for t in topics:
            r = requests.post(f"{self.brook.http_url}/topics/{t}", timeout=DEADLINE_S,
                              headers={"Content-Type": V2_JSON},
                              data=json.dumps({"records": [{"value": v} for v in rows[t]]}))
            self.assertEqual(r.status_code, 200, r.text)
        wait_until(lambda: all(self.committed(name).get((t, 0)) == 10 for t in topics),
                   "two objects per topic")
        objects = self.s3.objects(BUCKET)
        for t in topics:
            mine = {k: v for k, v in objects.items() if k.startswith(f"topics/{t}/")}
            self.assertEqual(sorted(mine), [f"topics/{t}/partition=0/{t}+0+0000000000.json",
                                            f"topics/{t}/partition=0/{t}+0+0000000005.json"])
            for start in (0, 5):
                body = mine[f"topics/{t}/partition=0/{t}+0+{start:010d}.json"]
                self.assertEqual([json.loads(line) for line in body.decode().splitlines()],
                                 rows[t][start:start + 5])
        # The last 2 records wait for their object to fill: not committed.
        self.assertEqual(self.status(name)["tasks"][0]["state"], "RUNNING")

    def test_gzip_bytes_time_based_paths_and_rotation_by_record_time(self):
        t = unique("clicks")
        hour = 3_600_000
        base = 1_700_000_000_000 - 1_700_000_000_000 % hour  # 2023-11-14T22:00:00Z
        stamps = [base + 1000, base + 2000, base + hour + 10, base + hour + 20, base + hour + 30]
        self.produce(t, [json.dumps({"i": i}) for i in range(5)], stamps)
        gz = unique("gz")
        self.connector(gz, topics=t, **{
            "flush.size": "100", "s3.compression.type": "gzip", "topics.dir": "lake",
            "partitioner.class": "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
            "path.format": "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH",
            "partition.duration.ms": str(hour), "rotate.interval.ms": "600000"})
        raw = unique("raw")
        self.connector(raw, topics=t, **{
            "flush.size": "2", "format.class":
            "io.confluent.connect.s3.format.bytearray.ByteArrayFormat", "topics.dir": "raw"})
        # The hour changes at offset 2: the first object closes there.
        wait_until(lambda: self.committed(gz).get((t, 0)) == 2, "the first hour's object")
        wait_until(lambda: self.committed(raw).get((t, 0)) == 4, "two byte objects")
        objects = self.s3.objects(BUCKET)
        key = f"lake/{t}/year=2023/month=11/day=14/hour=22/{t}+0+0000000000.json.gz"
        self.assertIn(key, objects)
        self.assertEqual(gzip.decompress(objects[key]), b'{"i":0}\n{"i":1}\n')
        self.assertEqual(objects[f"raw/{t}/partition=0/{t}+0+0000000000.bin"],
                         b'{"i": 0}\n{"i": 1}\n')
        self.assertEqual(objects[f"raw/{t}/partition=0/{t}+0+0000000002.bin"],
                         b'{"i": 2}\n{"i": 3}\n')

    def test_objects_above_the_part_size_go_up_in_parts(self):
        t, name = unique("big"), unique("multipart")
        value = json.dumps({"pad": "x" * 1000})
        count = 6000  # about 6 MB: two parts of s3.part.size 5 MiB
        self.produce(t, [value] * count)
        self.connector(name, topics=t, **{"flush.size": str(count), "s3.part.size": str(5 << 20)})
        wait_until(lambda: self.committed(name).get((t, 0)) == count, "the big object")
        body = self.s3.client.get_object(
            Bucket=BUCKET, Key=f"topics/{t}/partition=0/{t}+0+0000000000.json")["Body"].read()
        self.assertEqual(body, (value.replace(" ", "") + "\n").encode() * count)

    def test_bad_destinations_fail_and_bad_records_are_dead_lettered(self):
        t = unique("bad")
        self.produce(t, ['{"ok":1}', "not json", '{"ok":2}'])
        fast = {"errors.retry.timeout": "1000", "errors.retry.delay.max.ms": "200",
                "topics": t, "flush.size": "1"}
        cases = [
            (unique("nobucket"), {"s3.bucket.name": "no-such-bucket"}, "does not exist"),
            (unique("badkeys"), {"aws.access.key.id": "WRONG", "aws.secret.access.key": "WRONG"},
             "access denied"),
            (unique("deadend"), {"store.url": "http://127.0.0.1:1"}, "127.0.0.1:1"),
        ]
        for name, config, words in cases:
            self.connector(name, **dict(fast, **config))
        for name, config, words in cases:
            wait_until(lambda: self.status(name)["tasks"][0]["state"] == "FAILED", f"{name} FAILED")
            self.assertIn(words, self.status(name)["tasks"][0]["trace"])
            self.assertEqual(self.committed(name).get((t, 0)) or 0, 0)
        # The broker and the other connectors carry on.
        dlq, name = unique("dlq"), unique("tolerant")
        self.connector(name, **dict(fast, **{"errors.tolerance": "all",
                                             "errors.deadletterqueue.topic.name": dlq}))
        wait_until(lambda: self.committed(name).get((t, 0)) == 3, "the good records written")
        objects = self.s3.objects(BUCKET)
        self.assertEqual(objects[f"topics/{t}/partition=0/{t}+0+0000000000.json"], b'{"ok":1}\n')
        self.assertEqual(objects[f"topics/{t}/partition=0/{t}+0+0000000002.json"], b'{"ok":2}\n')
        self.assertNotIn(f"topics/{t}/partition=0/{t}+0+0000000001.json", objects)
        self.assertEqual(self.status(name)["records_dead_lettered"], 1)
        # Credentials never come back.
        r = requests.get(f"{self.brook.http_url}/connectors/{cases[1][0]}/config",
                         timeout=DEADLINE_S)
        self.assertEqual(r.json()["aws.secret.access.key"], "[hidden]")


class S3SinkDurabilityTest(unittest.TestCase):
    """SIGKILLs while the sink uploads: every record in exactly one object, under the keys a
    run without crashes writes."""

    def test_sigkill_while_uploading(self):
        s3 = S3Server("lake")
        self.addCleanup(s3.stop)
        brook = BrookServer(env=dict(os.environ, **KEYS)).start()
        self.addCleanup(brook.__exit__, None, None, None)
        topic, total, size = unique("events"), 400, 10
        r = requests.post(brook.http_url + "/connectors", timeout=DEADLINE_S, json={
            "name": "lake", "config": {"connector.class": "S3SinkConnector", "topics": topic,
                                       "s3.bucket.name": "lake", "store.url": s3.url,
                                       "flush.size": str(size), "offset.flush.interval.ms": "50"}})
        self.assertEqual(r.status_code, 201, r.text)
        rounds = 4
        for round_ in range(rounds):
            p = Producer({"bootstrap.servers": brook.bootstrap, "linger.ms": 5})
            per_round = total // rounds
            for i in range(round_ * per_round, (round_ + 1) * per_round):
                p.produce(topic, value=json.dumps({"n": i}).encode())
            self.assertEqual(p.flush(DEADLINE_S), 0)
            del p
            # Killed once this round's uploads have begun.
            first = f"topics/{topic}/partition=0/{topic}+0+{round_ * per_round:010d}.json"
            wait_until(lambda: first in s3.objects("lake"), "this round's first object")
            brook.restart(kill=True)

        def committed():
            r = requests.get(f"{brook.http_url}/v1/groups/connect-lake/lag", timeout=DEADLINE_S)
            parts = r.json()["partitions"] if r.status_code == 200 else []
            return parts and parts[0]["committed_offset"] == total
        wait_until(committed, "every object written after the last restart")
        objects = s3.objects("lake")
        expected = {f"topics/{topic}/partition=0/{topic}+0+{start:010d}.json":
                    "".join(json.dumps({"n": n}, separators=(",", ":")) + "\n"
                            for n in range(start, start + size)).encode()
                    for start in range(0, total, size)}
        self.assertEqual(objects, expected)
        brook.check_clean_exit(brook.stop())


if __name__ == "__main__":
    unittest.main()
