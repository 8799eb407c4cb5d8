#!/usr/bin/python3
"""The REST Proxy of `brook serve` used the way programs written for Confluent's REST
Proxy (v2 and v3) use it, by curl and by Python's requests, against a real server; what
goes in over HTTP is read back with Kafka clients (kcat, confluent-kafka-python) and the
other way round:

- a seed pipeline posting JSON batches with curl, read back with kcat byte for byte;
- the binary format, and keyed records landing where Kafka's murmur2 partitioner puts them;
- v2 topic, partition, offset and broker metadata; stateless reads of a partition;
- a v2 consumer instance's whole lifecycle as Confluent's docs show it, as a real member
  of its group; assignments and positions on a manually assigned instance;
- v3 clusters, topics, configs and partitions; v3 produce with keys, headers and
  timestamps; the streaming produce mode, including a result read back while the request
  body is still open;
- records produced by a Kafka client read over HTTP; HTTP producers and a Kafka consumer
  group at once."""

import json
import subprocess
import sys
import threading
import unittest

import requests
from confluent_kafka import OFFSET_BEGINNING, TIMESTAMP_CREATE_TIME, Consumer, Producer, \
    TopicPartition

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import DEADLINE_S, now_ms, unique, wait_until  # noqa: E402
from http_helpers import JSON, V2, V2_BINARY, V2_JSON, HttpTestCase, b64, unb64  # noqa: E402

BASE_TS = 1_700_000_000_000


class HttpRestTest(HttpTestCase):

    # -- Kafka-side helpers -------------------------------------------------------------

    def kafka_read(self, topic, partitions, count):
        """Every record of `topic` from the beginning (assign, no group), `count` in all."""
        c = Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": unique("assign"),
                      "enable.auto.commit": False, "auto.offset.reset": "earliest"})
        self.addCleanup(c.close)
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        got = []

        def enough():
            for m in c.consume(num_messages=1000, timeout=0.2):
                self.assertIsNone(m.error())
                got.append(m)
            return len(got) >= count

        wait_until(enough, lambda: f"{count} records of {topic} (have {len(got)})")
        return got

    def kafka_produce(self, topic, records, **config):
        """(key, value, headers, timestamp, partition) through confluent-kafka; returns the
        delivered messages in send order."""
        conf = {"bootstrap.servers": self.brook.bootstrap, "acks": "all", "linger.ms": 5}
        conf.update(config)
        p = Producer(conf)
        reports = [None] * len(records)
        for i, (k, v, h, ts, part) in enumerate(records):
            kw = {"key": k, "value": v, "on_delivery": lambda err, msg, i=i: reports.__setitem__(
                i, (err, msg))}
            if h is not None:
                kw["headers"] = h
            if ts is not None:
                kw["timestamp"] = ts
            if part is not None:
                kw["partition"] = part
            p.produce(topic, **kw)
        self.assertEqual(p.flush(DEADLINE_S), 0)
        for err, _ in reports:
            self.assertIsNone(err)
        return [msg for _, msg in reports]

    # -- 1. the seed pipeline ----------------------------------------------------------------

    def test_seed_pipeline_with_curl_read_back_with_kcat(self):
        # Exact JSON texts: whitespace, key order, number spelling and escapes are kept.
        batches = {
            "seed-pageviews": ['{"b": 1,  "a":[1,2]}', '{"url":"/home","ms":1.50}',
                               '{"z":null,"y":true,"x":"caf\\u00e9 \u00e9"}'],
            "seed-users": ['{"id":1,"name":"ada"}', '{ "id" : 2 , "name" : "bob" }'],
            "seed-orders": ['{"order":{"items":[{"sku":"a1","qty":2}],"total":9.99}}'],
        }
        for round_ in range(2):  # a second run of the script appends after the first
            for topic, values in batches.items():
                body = '{"records":[' + ",".join('{"value":%s}' % v for v in values) + "]}"
                status, answer = self.curl(
                    "-X", "POST", "-H", "Content-Type: application/vnd.kafka.json.v2+json",
                    "--data", body, f"{self.url}/topics/{topic}")
                self.assertEqual(status, 200, answer)
                n = len(values)
                self.assertEqual(json.loads(answer), {
                    "offsets": [{"partition": 0, "offset": round_ * n + i, "error_code": None,
                                 "error": None} for i in range(n)],
                    "key_schema_id": None, "value_schema_id": None})
        # A keyed record: the key is JSON too, stored as its text, quotes included.
        status, _ = self.curl("-X", "POST", "-H",
                              "Content-Type: application/vnd.kafka.json.v2+json",
                              "--data", '{"records":[{"key":"u-1","value":{"k":1}}]}',
                              f"{self.url}/topics/seed-users")
        self.assertEqual(status, 200)
        for topic, values in batches.items():
            out = self.kcat("-C", "-t", topic, "-e", "-f", "%k|%s\\n").decode()
            want = ["|" + v for v in values] * 2
            if topic == "seed-users":
                want.append('"u-1"|{"k":1}')
            self.assertEqual(out.splitlines(), want, topic)
        self.assertTrue({"seed-pageviews", "seed-users", "seed-orders"} <=
                        set(self.ok("GET", "/topics")))

    # -- 2. binary format and the partitioner ------------------------------------------------

    def test_binary_round_trip_and_murmur2_partitions(self):
        topic = unique("binary")
        self.create_topic(topic, 6)
        keys = [bytes([0xff, i, 0x00, 0x80 + i]) + b"key-%d" % i for i in range(24)]
        values = [bytes(range(256))[i:] + b"\xc3\x28" for i in range(24)]  # never UTF-8
        offsets = self.produce_v2(topic, [{"key": b64(k), "value": b64(v)}
                                          for k, v in zip(keys, values)], fmt=V2_BINARY)
        # librdkafka's murmur2 partitioner is Kafka's default partitioner for keyed records.
        sent = self.kafka_produce(topic, [(k, b"kafka", None, None, None) for k in keys],
                                  partitioner="murmur2_random")
        for i, (entry, msg) in enumerate(zip(offsets, sent)):
            self.assertEqual(entry["partition"], msg.partition(), f"key {keys[i]!r}")
        self.assertGreater(len({e["partition"] for e in offsets}), 1, "all in one partition")
        got = {(m.partition(), m.offset()): m for m in self.kafka_read(topic, 6, 48)}
        for k, v, entry in zip(keys, values, offsets):
            m = got[(entry["partition"], entry["offset"])]
            self.assertEqual((m.key(), m.value()), (k, v))
        # Null key and value, an empty value.
        offsets = self.produce_v2(topic, [{"key": None, "value": None, "partition": 0},
                                          {"value": "", "partition": 0}], fmt=V2_BINARY)
        read = self.read_partition(topic, 0, offsets[0]["offset"], 2)
        self.assertEqual([(r["key"], r["value"]) for r in read], [(None, None), (None, "")])

    # -- 3. v2 metadata ----------------------------------------------------------------------

    def test_topic_partition_broker_metadata_and_offsets(self):
        topic = unique("meta")
        self.create_topic(topic, 2)
        self.assertEqual(self.offsets(topic, 1), (0, 0))
        out = self.produce_v2(topic, [{"value": {"n": i}} for i in range(3)], partition=1)
        self.assertEqual([(o["partition"], o["offset"]) for o in out], [(1, 0), (1, 1), (1, 2)])
        self.assertEqual(self.offsets(topic, 1), (0, 3))
        self.assertEqual(self.offsets(topic, 0), (0, 0))
        # A record's own partition on the topic endpoint.
        out = self.produce_v2(topic, [{"value": 1, "partition": 0}, {"value": 2, "partition": 1}])
        self.assertEqual([(o["partition"], o["offset"]) for o in out], [(0, 0), (1, 3)])
        self.assertEqual(self.offsets(topic, 1), (0, 4))

        self.assertIn(topic, self.ok("GET", "/topics"))
        t = self.ok("GET", f"/topics/{topic}")
        self.assertEqual(t["name"], topic)
        self.assertIn("retention.ms", t["configs"])
        self.assertIn("max.message.bytes", t["configs"])
        self.assertTrue(all(isinstance(v, str) or v is None for v in t["configs"].values()))
        replica = [{"broker": 0, "leader": True, "in_sync": True}]
        parts = [{"partition": p, "leader": 0, "replicas": replica} for p in (0, 1)]
        self.assertEqual(t["partitions"], parts)
        self.assertEqual(self.ok("GET", f"/topics/{topic}/partitions"), parts)
        self.assertEqual(self.ok("GET", f"/topics/{topic}/partitions/1"), parts[1])
        self.assertEqual(self.ok("GET", "/brokers"), {"brokers": [0]})
        r = self.http("GET", "/topics")
        self.assertTrue(r.headers["Content-Type"].startswith(V2), r.headers)

    # -- 4. stateless reads --------------------------------------------------------------------

    def test_stateless_read_json_and_binary(self):
        topic = unique("read")
        records = [{"key": {"user": i}, "value": {"n": i, "s": "x" * i}} for i in range(5)]
        before = now_ms()
        self.produce_v2(topic, records)
        after = now_ms()
        got = self.read_partition(topic, 0, 0, 5, accept=V2_JSON)
        r = self.http("GET", f"/topics/{topic}/partitions/0/records?offset=0&count=5",
                      accept=V2_JSON)
        self.assertTrue(r.headers["Content-Type"].startswith(V2_JSON), r.headers)
        self.assertEqual(len(got), 5)
        for i, rec in enumerate(got):
            self.assertEqual({k: rec[k] for k in ("topic", "key", "value", "partition", "offset",
                                                  "headers")},
                             {"topic": topic, "key": {"user": i}, "value": records[i]["value"],
                              "partition": 0, "offset": i, "headers": []})
            self.assertTrue(before <= rec["timestamp"] <= after, rec)
        binary = self.read_partition(topic, 0, 2, 2, accept=V2_BINARY)
        self.assertEqual([(unb64(r["key"]), unb64(r["value"]), r["offset"]) for r in binary],
                         [(json.dumps(records[i]["key"], separators=(",", ":")).encode(),
                           json.dumps(records[i]["value"], separators=(",", ":")).encode(), i)
                          for i in (2, 3)])
        # count caps the answer; reading from the end answers [] at once.
        self.assertEqual(len(self.read_partition(topic, 0, 1, 100)), 4)
        self.assertEqual(self.read_partition(topic, 0, 5, 10), [])

    # -- 5. consumer instances --------------------------------------------------------------

    def test_consumer_lifecycle_as_in_confluent_docs(self):
        topic = unique("lifecycle")
        n = 12
        self.produce_v2(topic, [{"key": f"k{i}", "value": {"i": i}} for i in range(n)])
        created = self.ok("POST", "/consumers/g1", {"name": "c1", "format": "json",
                                                    "auto.offset.reset": "earliest"},
                          content_type=V2)
        self.assertEqual(created, {"instance_id": "c1",
                                   "base_uri": f"{self.url}/consumers/g1/instances/c1"})
        base = created["base_uri"]
        self.addCleanup(self.http, "DELETE", base)
        self.ok("POST", base + "/subscription", {"topics": [topic]}, status=204, content_type=V2)
        self.assertEqual(self.ok("GET", base + "/subscription"), {"topics": [topic]})
        got = self.read_instance(base, n, accept=V2_JSON)
        self.assertEqual([(r["topic"], r["partition"], r["offset"], r["key"], r["value"])
                          for r in got],
                         [(topic, 0, i, f"k{i}", {"i": i}) for i in range(n)])

        # The instance is a real member of g1, reading the topic.
        d = json.loads(self.brook_cli("group", "describe", "g1", "--json"))
        self.assertEqual(d["state"], "Stable")
        self.assertEqual(len(d["members"]), 1, d)
        self.assertEqual(d["members"][0]["assignment"], [{"topic": topic, "partitions": [0]}])

        # Commit the positions: 200 with no body, as Confluent's proxy answers (openapi.json).
        self.ok("POST", base + "/offsets", status=200, content_type=V2)
        committed = self.ok("GET", base + "/offsets",
                            {"partitions": [{"topic": topic, "partition": 0}]}, content_type=V2)
        self.assertEqual([(o["topic"], o["partition"], o["offset"])
                          for o in committed["offsets"]], [(topic, 0, n)])

        self.assertEqual(self.http("DELETE", base).status_code, 204)
        r = self.http("GET", base + "/records", accept=V2_JSON)
        self.assertEqual((r.status_code, r.json()["error_code"]), (404, 40403))
        wait_until(lambda: json.loads(self.brook_cli("group", "describe", "g1", "--json"))
                   ["state"] == "Empty", "g1 to be empty after the delete")

        # A second instance resumes after the committed offset.
        self.produce_v2(topic, [{"key": f"k{i}", "value": {"i": i}} for i in range(n, n + 3)])
        base2 = self.consumer_instance("g1", "c2", fmt="json", **{"auto.commit.enable": "false"})
        self.ok("POST", base2 + "/subscription", {"topics": [topic]}, status=204, content_type=V2)
        got = self.read_instance(base2, 3, accept=V2_JSON)
        self.assertEqual([r["offset"] for r in got], [n, n + 1, n + 2])
        # An explicit commit names the last record consumed: the group's offset is one past.
        self.ok("POST", base2 + "/offsets",
                {"offsets": [{"topic": topic, "partition": 0, "offset": n}]},
                status=200, content_type=V2)
        committed = self.ok("GET", base2 + "/offsets",
                            {"partitions": [{"topic": topic, "partition": 0}]}, content_type=V2)
        self.assertEqual(committed["offsets"][0]["offset"], n + 1)

    def test_assignments_and_positions(self):
        topic = unique("assigned")
        self.create_topic(topic, 2)
        self.produce_v2(topic, [{"value": {"i": i}} for i in range(10)], partition=1)
        base = self.consumer_instance(unique("g-assign"), "a1", fmt="json")
        tp = {"topic": topic, "partition": 1}
        self.ok("POST", base + "/assignments", {"partitions": [tp]}, status=204, content_type=V2)
        self.assertEqual(self.ok("GET", base + "/assignments"), {"partitions": [tp]})

        def first_offsets(count):
            return [r["offset"] for r in self.read_instance(base, count, accept=V2_JSON)]

        self.assertEqual(first_offsets(10), list(range(10)))
        self.ok("POST", base + "/positions", {"offsets": [dict(tp, offset=6)]}, status=204,
                content_type=V2)
        self.assertEqual(first_offsets(4), [6, 7, 8, 9])
        self.ok("POST", base + "/positions/beginning", {"partitions": [tp]}, status=204,
                content_type=V2)
        self.assertEqual(first_offsets(10), list(range(10)))
        self.ok("POST", base + "/positions/end", {"partitions": [tp]}, status=204,
                content_type=V2)
        self.assertEqual(self.ok("GET", base + "/records?timeout=200", accept=V2_JSON), [])
        self.produce_v2(topic, [{"value": "after-end"}], partition=1)
        got = self.read_instance(base, 1, accept=V2_JSON)
        self.assertEqual([(r["offset"], r["value"]) for r in got], [(10, "after-end")])

    def brook_cli(self, *args):
        cmd = [self.brook.binary, *args[:2], "--bootstrap", self.brook.bootstrap, *args[2:]]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, f"{cmd}:\n{r.stdout}{r.stderr}")
        return r.stdout

    # -- 6. v3 -------------------------------------------------------------------------------

    def test_v3_topics_configs_partitions(self):
        clusters = self.ok("GET", "/v3/clusters")
        self.assertEqual(clusters["kind"], "KafkaClusterList")
        cid = clusters["data"][0]["cluster_id"]
        self.assertEqual(self.ok("GET", f"/v3/clusters/{cid}")["cluster_id"], cid)
        topic = unique("v3topic")
        created = self.create_topic(topic, 3, {"retention.ms": "60000"})
        self.assertEqual((created["kind"], created["topic_name"], created["partitions_count"],
                          created["cluster_id"]), ("KafkaTopic", topic, 3, cid))
        listed = self.ok("GET", self.v3("/topics"))
        self.assertIn(topic, [t["topic_name"] for t in listed["data"]])
        self.assertEqual(self.ok("GET", self.v3(f"/topics/{topic}"))["partitions_count"], 3)

        def config(name):
            return self.ok("GET", self.v3(f"/topics/{topic}/configs/{name}"))

        listed_configs = self.ok("GET", self.v3(f"/topics/{topic}/configs"))["data"]
        configs = {c["name"]: c for c in listed_configs}
        self.assertEqual(configs["retention.ms"]["value"], "60000")
        self.assertEqual(configs["retention.ms"]["source"], "DYNAMIC_TOPIC_CONFIG")
        self.assertFalse(configs["retention.ms"]["is_default"])
        self.assertNotEqual(configs["cleanup.policy"]["source"], "DYNAMIC_TOPIC_CONFIG")
        self.ok("PUT", self.v3(f"/topics/{topic}/configs/retention.ms"), {"value": "120000"},
                status=204, content_type=JSON)
        self.assertEqual(config("retention.ms")["value"], "120000")
        self.assertEqual(self.ok("GET", f"/topics/{topic}")["configs"]["retention.ms"], "120000")
        self.ok("POST", self.v3(f"/topics/{topic}/configs:alter"),
                {"data": [{"name": "retention.ms", "value": "30000"},
                          {"name": "max.message.bytes", "value": "500000"}]},
                status=204, content_type=JSON)
        self.assertEqual(config("retention.ms")["value"], "30000")
        self.assertEqual(config("max.message.bytes")["value"], "500000")
        self.ok("POST", self.v3(f"/topics/{topic}/configs:alter"),
                {"data": [{"name": "max.message.bytes", "operation": "DELETE"}]},
                status=204, content_type=JSON)
        self.assertNotEqual(config("max.message.bytes")["source"], "DYNAMIC_TOPIC_CONFIG")

        parts = self.ok("GET", self.v3(f"/topics/{topic}/partitions"))
        self.assertEqual([(p["topic_name"], p["partition_id"]) for p in parts["data"]],
                         [(topic, i) for i in range(3)])
        one = self.ok("GET", self.v3(f"/topics/{topic}/partitions/2"))
        self.assertEqual(one["partition_id"], 2)

        self.ok("DELETE", self.v3(f"/topics/{topic}"), status=204)
        r = self.http("GET", self.v3(f"/topics/{topic}"))
        self.assertEqual((r.status_code, r.json()["error_code"]), (404, 40401))
        listed = self.ok("GET", self.v3("/topics"))["data"]
        self.assertNotIn(topic, [t["topic_name"] for t in listed])
        self.assertNotIn(topic, self.ok("GET", "/topics"))

    def test_internal_topic_names_are_refused(self):
        # As over the Kafka protocol: neither created through v3 nor by producing to them.
        for name in ("__consumer_offsets", "__transaction_state", "__brook_audit"):
            with self.subTest(name=name):
                r = self.http("POST", self.v3("/topics"),
                              {"topic_name": name, "partitions_count": 1}, content_type=JSON)
                self.assert_error(r, 400, 40002)
                self.assertIn(f"Creation of internal topic {name} is prohibited.", r.text)
                r = self.http("POST", f"/topics/{name}", {"records": [{"value": "x"}]},
                              content_type="application/vnd.kafka.json.v2+json")
                self.assertEqual(r.status_code, 404, r.text)
                self.assertEqual(r.json()["error_code"], 40401)
        listed = [t["topic_name"] for t in self.ok("GET", self.v3("/topics"))["data"]]
        self.assertFalse([n for n in listed if n.startswith(("__consumer", "__trans", "__brook"))])

    def test_v3_produce_key_value_headers_timestamp(self):
        topic = unique("v3produce")
        self.create_topic(topic, 3)
        hv = b"\x00hv\xff"
        body = ('{"key":{"type":"STRING","data":"k1"},"value":{"type":"JSON","data":{"x": 1}},'
                '"headers":[{"name":"h","value":"%s"}],"timestamp":"2024-01-02T03:04:05.678Z"}'
                % b64(hv))
        r = self.ok("POST", self.v3(f"/topics/{topic}/records"), raw=body.encode(),
                    content_type=JSON)
        self.assertEqual((r["error_code"], r["cluster_id"], r["topic_name"]),
                         (200, self.cluster_id(), topic))
        self.assertEqual(r["offset"], 0)
        self.assertEqual(r["timestamp"], "2024-01-02T03:04:05.678Z")
        self.assertEqual(r["key"], {"type": "STRING", "size": 2})
        self.assertEqual(r["value"], {"type": "JSON", "size": len('{"x": 1}')})
        # The key hashes as the two bytes k1 would from any Kafka client.
        kafka = self.kafka_produce(topic, [(b"k1", b"", None, None, None)],
                                   partitioner="murmur2_random")
        self.assertEqual(r["partition_id"], kafka[0].partition())
        m = [m for m in self.kafka_read(topic, 3, 2) if m.offset() == 0 and
             m.partition() == r["partition_id"]][0]
        self.assertEqual((m.key(), m.value()), (b"k1", b'{"x": 1}'))
        self.assertEqual(m.headers(), [("h", hv)])
        self.assertEqual(m.timestamp(), (TIMESTAMP_CREATE_TIME, 1704164645678))
        out = self.kcat("-C", "-t", topic, "-p", str(r["partition_id"]), "-o", "0", "-c", "1",
                        "-f", "%k|%s|%T\\n")
        self.assertEqual(out, b'k1|{"x": 1}|1704164645678\n')
        # BINARY, a chosen partition, milliseconds, no key.
        r = self.ok("POST", self.v3(f"/topics/{topic}/records"), content_type=JSON,
                    body={"partition_id": 2, "value": {"type": "BINARY", "data": b64(b"\xfe\xff")},
                          "timestamp": BASE_TS})
        self.assertEqual((r["error_code"], r["partition_id"], r["key"]), (200, 2, None))
        got = self.read_partition(topic, 2, r["offset"], 1)
        self.assertEqual((got[0]["key"], unb64(got[0]["value"]), got[0]["timestamp"]),
                         (None, b"\xfe\xff", BASE_TS))

    def test_v3_streaming_produce_chunked(self):
        topic = unique("v3stream")
        self.create_topic(topic, 1)

        def body():
            for i in range(100):
                yield json.dumps({"value": {"type": "JSON", "data": {"i": i}}}).encode()

        r = self.session.post(self.url + self.v3(f"/topics/{topic}/records"), data=body(),
                              headers={"Content-Type": JSON}, timeout=DEADLINE_S)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.request.headers.get("Transfer-Encoding"), "chunked")
        lines = r.text.splitlines()
        self.assertEqual(len(lines), 100)
        results = [json.loads(line) for line in lines]
        self.assertEqual([x["error_code"] for x in results], [200] * 100)
        self.assertEqual([x["offset"] for x in results], list(range(100)))
        got = self.read_partition(topic, 0, 0, 100, accept=V2_JSON)
        self.assertEqual([g["value"] for g in got], [{"i": i} for i in range(100)])

    def test_v3_interactive_stream(self):
        topic = unique("v3live")
        self.create_topic(topic, 1)
        conn = self.raw()
        conn.send(f"POST {self.v3(f'/topics/{topic}/records')} HTTP/1.1\r\n"
                  f"Host: 127.0.0.1:{self.brook.http_port}\r\nContent-Type: application/json\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n".encode())
        pending = b""
        for i in range(5):
            # One record; its result comes back before the next is sent.
            conn.send_chunk(json.dumps({"key": {"type": "STRING", "data": f"k{i}"},
                                        "value": {"type": "STRING", "data": f"v{i}"}}).encode())
            if i == 0:
                status, headers = conn.read_head()
                self.assertEqual(status, 200)
                self.assertEqual(headers.get("transfer-encoding", "").lower(), "chunked")
            while b"\n" not in pending:
                chunk = conn.read_chunk()
                self.assertNotEqual(chunk, b"", "the answer ended early")
                pending += chunk
            line, pending = pending.split(b"\n", 1)
            self.assertEqual(pending, b"")
            result = json.loads(line)
            self.assertEqual((result["error_code"], result["offset"]), (200, i), result)
        conn.send(b"0\r\n\r\n")
        self.assertEqual(conn.read_chunk(), b"")
        # The connection stays usable.
        conn.send(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        status, _, body = conn.read_response()
        self.assertEqual((status, json.loads(body)), (200, {"status": "ok"}))
        self.assertEqual(self.offsets(topic), (0, 5))

    # -- 7. Kafka -> HTTP -------------------------------------------------------------------

    def test_kafka_records_read_over_http(self):
        topic = unique("fromkafka")
        records = [
            (b"k0", b'{"a": [1, 2]}', [("h1", b"x"), ("bin", b"\x00\xff")], BASE_TS, 0),
            (None, b"\xff\x00not json", None, BASE_TS + 1, 0),
            (b"k2", None, [("h", b"")], BASE_TS + 2, 0),
            (b"", b"plain text", [("n", None)], BASE_TS - 5, 0),
        ]
        self.kafka_produce(topic, records)

        def expected(i, k, v, h, ts):
            return {"topic": topic, "partition": 0, "offset": i, "timestamp": ts,
                    "key": None if k is None else b64(k),
                    "value": None if v is None else b64(v),
                    "headers": [{"key": n, "value": None if x is None else b64(x)}
                                for n, x in (h or [])]}

        want = [expected(i, *r[:4]) for i, r in enumerate(records)]
        self.assertEqual(self.read_partition(topic, 0, 0, 10, accept=V2_BINARY), want)
        as_json = self.read_partition(topic, 0, 0, 10, accept=V2_JSON)
        # JSON bytes come back as JSON; other bytes as a string of them.
        self.assertEqual([(r["key"], r["value"]) for r in as_json[::2]],
                         [("k0", {"a": [1, 2]}), ("k2", None)])
        # Bytes that are not UTF-8 become U+FFFD.
        self.assertEqual((as_json[1]["key"], as_json[1]["value"]), (None, "\ufffd\x00not json"))
        self.assertEqual((as_json[3]["key"], as_json[3]["value"]), ("", "plain text"))
        self.assertEqual([r["timestamp"] for r in as_json], [w["timestamp"] for w in want])
        self.assertEqual([r["headers"] for r in as_json], [w["headers"] for w in want])

        base = self.consumer_instance(unique("g-kafka"), "b1", fmt="binary")
        self.ok("POST", base + "/subscription", {"topics": [topic]}, status=204, content_type=V2)
        self.assertEqual(self.read_instance(base, 4, accept=V2_BINARY), want)

    # -- 8. mixed traffic ----------------------------------------------------------------------

    def test_http_producers_and_kafka_group_consumer_at_once(self):
        topic = unique("mixed")
        self.create_topic(topic, 3)
        writers, batches, per_batch = 4, 10, 25
        total = writers * batches * per_batch
        consumer = Consumer({"bootstrap.servers": self.brook.bootstrap,
                             "group.id": unique("mixed-group"), "auto.offset.reset": "earliest",
                             "enable.auto.commit": True})
        self.addCleanup(consumer.close)
        consumer.subscribe([topic])
        errors, http_offsets = [], {}

        def writer(w):
            with requests.Session() as s:
                try:
                    for b in range(batches):
                        recs = [{"key": f"w{w}-k{i % 5}",
                                 "value": {"w": w, "seq": b * per_batch + i}}
                                for i in range(per_batch)]
                        for rec, o in zip(recs, self.produce_v2(topic, recs, session=s)):
                            http_offsets[(w, rec["value"]["seq"])] = (o["partition"], o["offset"])
                except Exception as e:  # noqa: BLE001 - reported by the main thread
                    errors.append(e)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
        for t in threads:
            t.start()
        got = []

        def enough():
            for m in consumer.consume(num_messages=500, timeout=0.2):
                self.assertIsNone(m.error())
                got.append(m)
            return len(got) >= total and not any(t.is_alive() for t in threads)

        wait_until(enough, lambda: f"{total} records (have {len(got)})", timeout=120)
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(http_offsets), total)
        seen = {}
        for m in got:
            v = json.loads(m.value())
            ident = (v["w"], v["seq"])
            self.assertNotIn(ident, seen, f"{ident} read twice")
            seen[ident] = m
            self.assertEqual(m.key(), json.dumps(f"w{v['w']}-k{v['seq'] % 5}").encode())
            self.assertEqual(http_offsets[ident], (m.partition(), m.offset()))
        self.assertEqual(len(seen), total)
        # Per key, the records are in the order each writer sent them.
        by_key = {}
        for m in got:
            by_key.setdefault(m.key(), []).append(json.loads(m.value())["seq"])
        for key, seqs in by_key.items():
            self.assertEqual(seqs, sorted(seqs), key)
        self.assertEqual(sum(self.offsets(topic, p)[1] for p in range(3)), total)

    def test_rest_instance_and_kafka_consumer_share_a_group(self):
        """A REST instance and a confluent-kafka consumer in one group, either one leading
        (the leader runs the assignor for both): the partitions are split between them and
        every record is read exactly once."""
        for rest_first in (True, False):
            with self.subTest(rest_first=rest_first):
                topic = unique("shared")
                group = unique("shared-group")
                self.create_topic(topic, 4)
                self.produce_v2(topic, [{"value": {"n": i}, "partition": i % 4}
                                        for i in range(40)])
                consumer = Consumer({"bootstrap.servers": self.brook.bootstrap,
                                     "group.id": group, "auto.offset.reset": "earliest",
                                     "partition.assignment.strategy": "range",
                                     "enable.auto.commit": False})
                self.addCleanup(consumer.close)
                base = None
                if rest_first:
                    base = self.consumer_instance(group, "r", fmt="json",
                                                  **{"auto.commit.enable": "false"})
                    self.ok("POST", base + "/subscription", {"topics": [topic]}, status=204,
                            content_type=V2)
                consumer.subscribe([topic])
                if not rest_first:
                    wait_until(lambda: consumer.poll(0.1) is None and consumer.assignment(),
                               lambda: "the Kafka consumer's first assignment")
                    base = self.consumer_instance(group, "r", fmt="json",
                                                  **{"auto.commit.enable": "false"})
                    self.ok("POST", base + "/subscription", {"topics": [topic]}, status=204,
                            content_type=V2)
                rest_got, kafka_got = [], []

                def both_assigned():
                    for m in consumer.consume(num_messages=100, timeout=0.1):
                        self.assertIsNone(m.error())
                        kafka_got.append((m.partition(), m.offset()))
                    rest_got.extend((r["partition"], r["offset"]) for r in
                                    self.ok("GET", base + "/records?timeout=100", accept=V2_JSON))
                    rest_parts = self.ok("GET", base + "/assignments")["partitions"]
                    return len(rest_parts) == 2 and len(consumer.assignment()) == 2

                wait_until(both_assigned, lambda: "both members with two partitions each")
                rest_parts = {p["partition"] for p in
                              self.ok("GET", base + "/assignments")["partitions"]}
                kafka_parts = {tp.partition for tp in consumer.assignment()}
                self.assertEqual(rest_parts | kafka_parts, {0, 1, 2, 3})
                self.assertFalse(rest_parts & kafka_parts)
                # Records read before the split went to whoever held the partition then;
                # from here on, each reads its own partitions to their end.
                del rest_got[:]
                del kafka_got[:]
                rest_seek = {"partitions": [{"topic": topic, "partition": p} for p in rest_parts]}
                self.ok("POST", base + "/positions/beginning", rest_seek, status=204,
                        content_type=V2)
                for tp in consumer.assignment():
                    tp.offset = OFFSET_BEGINNING
                    consumer.seek(tp)

                def all_read():
                    for m in consumer.consume(num_messages=100, timeout=0.1):
                        self.assertIsNone(m.error())
                        kafka_got.append((m.partition(), m.offset()))
                    rest_got.extend((r["partition"], r["offset"]) for r in
                                    self.ok("GET", base + "/records?timeout=100", accept=V2_JSON))
                    return len(rest_got) + len(kafka_got) >= 40

                wait_until(all_read, lambda: f"40 records (have {len(rest_got) + len(kafka_got)})")
                self.assertEqual(sorted(rest_got),
                                 sorted((p, o) for p in rest_parts for o in range(10)))
                self.assertEqual(sorted(kafka_got),
                                 sorted((p, o) for p in kafka_parts for o in range(10)))
                self.ok("DELETE", base, status=204)


if __name__ == "__main__":
    unittest.main()
