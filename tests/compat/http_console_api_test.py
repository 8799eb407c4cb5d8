#!/usr/bin/python3
"""The JSON APIs the web console is made of, as a script calls them (requests, raw HTTP),
against a real `brook serve`; records written by confluent-kafka with chosen timestamps so
that every figure can be computed here independently:

GET /v1/topics/{topic}/chart (counts per bucket, a field counted by value with the rest as
"(other)", sum/avg/min/max, the time range, filters, bad parameters); GET
/v1/topics/{topic}/live (Server-Sent Events: only records written after it starts, filters,
a refusal before the stream for a bad partition); GET /v1/overview and /v1/topics (counts,
records and sizes, traffic totals); GET /v1/groups and /v1/groups/{group} (members and
assignment of a live confluent-kafka consumer; deleting a group with members is 409);
POST /v1/authorize (bad bodies). Logins, sessions and ACLs of these routes are in
console/console.test.js (the browser) and http_security_test.py."""

import json
import socket
import sys
import threading
import time
import unittest

from confluent_kafka import Consumer, Producer

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, unique, wait_until  # noqa: E402
from http_helpers import TIMEOUT_S, HttpTestCase  # noqa: E402

BASE_TS = 1_790_000_000_000  # 2026-09-21T..Z: fixed, so buckets are known


class ConsoleApiTestCase(HttpTestCase):
    def produce(self, topic, records, partition=None):
        """(timestamp_ms, value) pairs through confluent-kafka, acks=all."""
        p = Producer({"bootstrap.servers": self.brook.bootstrap, "acks": "all", "linger.ms": 5})
        errors = []
        for ts, value in records:
            kw = {"timestamp": ts, "on_delivery": lambda e, m: errors.append(e)}
            if partition is not None:
                kw["partition"] = partition
            p.produce(topic, value.encode() if isinstance(value, str) else value, **kw)
        self.assertEqual(p.flush(DEADLINE_S), 0)
        self.assertEqual(errors, [None] * len(records))

    def create(self, topic, partitions=1):
        self.ok("POST", f"/v3/clusters/{self.cluster_id()}/topics",
                {"topic_name": topic, "partitions_count": partitions}, status=201)

    def chart(self, topic, **params):
        r = self.http("GET", f"/v1/topics/{topic}/chart", params=params)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()


class ChartTest(ConsoleApiTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

    def setUp(self):
        # 3 partitions; 60 records over 60 s (one a second), events cycling click, view,
        # buy (buy has an amount of i), plus a record that is not JSON at 30.5 s.
        self.topic = unique("chart")
        self.create(self.topic, 3)
        self.records = []
        for i in range(60):
            event = ("click", "view", "buy")[i % 3]
            value = {"event": event, "i": i}
            if event == "buy":
                value["amount"] = i
            self.records.append((BASE_TS + i * 1000, json.dumps(value)))
        for p in range(3):
            self.produce(self.topic, [r for i, r in enumerate(self.records) if i % 3 == p], p)
        self.produce(self.topic, [(BASE_TS + 30_500, "not json")], 0)
        self.range = {"from": BASE_TS, "to": BASE_TS + 60_000}

    def test_records_per_bucket(self):
        c = self.chart(self.topic, buckets=6, **self.range)
        self.assertEqual(c["bucket_ms"], 10_000)
        self.assertEqual(c["times"], [BASE_TS + b * 10_000 for b in range(6)])
        self.assertEqual(c["series"], [{"name": "records", "values": [10, 10, 10, 11, 10, 10]}])
        self.assertEqual((c["scanned"], c["matched"], c["scan_limited"]), (61, 61, False))
        # ISO-8601 times name the same range; a narrower one counts less.
        iso = self.chart(self.topic, buckets=1, **{"from": "2026-09-21T14:13:20Z",
                                                   "to": "2026-09-21T14:13:30Z"})
        self.assertEqual(iso["from"], 1_790_000_000_000)
        self.assertEqual(iso["series"][0]["values"], [10])

    def test_a_field_counted_by_value_with_the_rest_as_other(self):
        c = self.chart(self.topic, buckets=2, field="$.event", **self.range)
        series = {s["name"]: s["values"] for s in c["series"]}
        self.assertEqual(series, {"buy": [10, 10], "click": [10, 10], "view": [10, 10]})
        self.assertEqual(c["missing_field"], 1, "the record that is not JSON")
        top = self.chart(self.topic, buckets=1, field="event", top=1, **self.range)
        # Ties are broken by name: buy first, the rest as (other).
        self.assertEqual(top["series"], [{"name": "buy", "values": [20]},
                                         {"name": "(other)", "values": [40]}])

    def test_sum_avg_min_max_of_a_number(self):
        amounts = [i for i in range(60) if i % 3 == 2]
        first, second = [a for a in amounts if a < 30], [a for a in amounts if a >= 30]
        for agg, expect in (("sum", [sum(first), sum(second)]),
                            ("avg", [sum(first) / len(first), sum(second) / len(second)]),
                            ("min", [min(first), min(second)]),
                            ("max", [max(first), max(second)])):
            c = self.chart(self.topic, buckets=2, field="$.amount", agg=agg, **self.range)
            self.assertEqual(c["series"][0]["values"], expect, agg)
            self.assertEqual(c["missing_field"], 41, agg)
        # A bucket without any value is null.
        c = self.chart(self.topic, buckets=2, field="$.amount", agg="sum",
                       **{"from": BASE_TS - 60_000, "to": BASE_TS + 60_000})
        self.assertEqual(c["series"][0]["values"], [None, sum(amounts)])

    def test_filters_and_one_partition(self):
        c = self.chart(self.topic, buckets=1, json_path="$.event", equals="view", **self.range)
        self.assertEqual(c["series"][0]["values"], [20])
        c = self.chart(self.topic, buckets=1, contains="not json", **self.range)
        self.assertEqual(c["series"][0]["values"], [1])
        c = self.chart(self.topic, buckets=1, partition=1, **self.range)
        self.assertEqual(c["series"][0]["values"], [20])

    def test_bad_parameters_are_400_and_unknown_topics_404(self):
        bad = [{"buckets": 0}, {"buckets": 1001}, {"buckets": "x"}, {"agg": "median"},
               {"agg": "sum"}, {"field": "$."}, {"field": "a..b"}, {"top": 0}, {"top": 51},
               {"from": "yesterday"}, {"to": "2026-13-01T00:00:00Z"},
               {"from": BASE_TS, "to": BASE_TS}, {"json_path": "$.a"},
               {"contains": "x" * 2000}, {"from": 0, "to": 9223372036854775807},
               {"from": -5, "to": 10}, {"to": "99999-01-01T00:00:00Z"}]
        for params in bad:
            r = self.http("GET", f"/v1/topics/{self.topic}/chart", params=params)
            self.assert_error(r, 400, 400, str(params)[:60])
        r = self.http("GET", f"/v1/topics/{self.topic}/chart", params={"partition": 3})
        self.assert_error(r, 404, 40402, "partition 3")
        r = self.http("GET", f"/v1/topics/{unique('nothing')}/chart")
        self.assert_error(r, 404, 40401, "unknown topic")


class LiveTest(ConsoleApiTestCase):
    def open_stream(self, topic, query=""):
        """A raw HTTP connection reading the live tail; returns (socket file, headers)."""
        sock = socket.create_connection(("127.0.0.1", self.brook.http_port), timeout=TIMEOUT_S)
        self.addCleanup(sock.close)
        sock.sendall(f"GET /v1/topics/{topic}/live{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        f = sock.makefile("rb")
        status = f.readline().decode()
        headers = {}
        while (line := f.readline().decode().strip()):
            k, v = line.split(":", 1)
            headers[k.lower()] = v.strip()
        return status, headers, f

    def events(self, f, want):
        """Reads chunked SSE until `want` records came; returns (records, other events)."""
        records, others, buf = [], [], b""
        while len(records) < want:
            size = int(f.readline().strip(), 16)
            self.assertGreater(size, 0, "the stream ended")
            buf += f.read(size)
            f.readline()
            while b"\n\n" in buf:
                event, buf = buf.split(b"\n\n", 1)
                lines = event.decode().split("\n")
                kind = next((ln[7:] for ln in lines if ln.startswith("event: ")), None)
                data = next((ln[6:] for ln in lines if ln.startswith("data: ")), None)
                if kind == "records":
                    records += json.loads(data)
                elif kind:
                    others.append((kind, data))
        return records, others

    def test_records_written_after_the_start_arrive_filtered(self):
        topic = unique("live")
        self.create(topic, 2)
        self.produce(topic, [(BASE_TS, '{"old":true}')], 0)
        status, headers, f = self.open_stream(topic, "?json_path=$.k&equals=yes")
        self.assertIn(" 200 ", status)
        self.assertTrue(headers["content-type"].startswith("text/event-stream"), headers)
        writer = threading.Thread(target=self.produce, args=(
            topic, [(BASE_TS + i, json.dumps({"k": "yes" if i % 2 else "no", "i": i}))
                    for i in range(20)], 1))
        writer.start()
        records, others = self.events(f, 10)
        writer.join()
        self.assertEqual(others, [])
        self.assertEqual([r["value"]["i"] for r in records], list(range(1, 20, 2)))
        self.assertTrue(all(r["partition"] == 1 for r in records))

    def test_a_bad_partition_or_filter_is_refused_before_the_stream(self):
        topic = unique("live")
        self.create(topic, 1)
        r = self.http("GET", f"/v1/topics/{topic}/live", params={"partition": 1})
        self.assert_error(r, 404, 40402, "partition 1")
        r = self.http("GET", f"/v1/topics/{topic}/live", params={"json_path": "$.a"})
        self.assert_error(r, 400, 400, "json_path without equals")
        r = self.http("GET", f"/v1/topics/{unique('none')}/live")
        self.assert_error(r, 404, 40401, "unknown topic")


class OverviewAndGroupsTest(ConsoleApiTestCase):
    def test_overview_and_topic_summaries_count_what_was_written(self):
        topic = unique("summary")
        self.create(topic, 2)
        values = [json.dumps({"n": i}) for i in range(25)]
        self.produce(topic, [(BASE_TS + i, v) for i, v in enumerate(values)], 1)
        o = self.ok("GET", "/v1/overview")
        self.assertEqual([(x["name"], x["port"]) for x in o["listeners"]],
                         [("PLAINTEXT", self.brook.port)])
        self.assertGreater(o["disk"]["total_bytes"], o["disk"]["free_bytes"])
        self.assertGreater(o["throughput"]["totals"]["records_in"], 24)
        listed = {t["name"]: t for t in self.ok("GET", "/v1/topics")["topics"]}
        s = listed[topic]
        self.assertEqual((s["partitions"], s["records"], s["cleanup_policy"]), (2, 25, "delete"))
        self.assertEqual(s["totals"]["records_in"], 25)
        self.assertGreater(s["size_bytes"], sum(len(v) for v in values))
        self.assertEqual(o["topics"] + o["internal_topics"], len(listed))
        self.assertEqual(o["partitions"], sum(t["partitions"] for t in listed.values()
                                             if not t["internal"]))

    def test_groups_list_describe_and_delete(self):
        topic, group = unique("grouped"), unique("g")
        self.create(topic, 2)
        self.produce(topic, [(BASE_TS, "a")], 0)
        consumer = Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": group,
                             "auto.offset.reset": "earliest", "client.id": "console-test"})
        self.addCleanup(consumer.close)
        consumer.subscribe([topic])
        wait_until(lambda: consumer.poll(0.2) is not None, lambda: "the consumer's first record")
        consumer.commit(asynchronous=False)
        listed = {g["group"]: g for g in self.ok("GET", "/v1/groups")["groups"]}
        self.assertEqual(listed[group]["state"], "Stable")
        d = self.ok("GET", f"/v1/groups/{group}")
        self.assertEqual(len(d["members"]), 1)
        m = d["members"][0]
        self.assertEqual(m["client_id"], "console-test")
        self.assertEqual(sorted((a["topic"], a["partition"]) for a in m["assignment"]),
                         [(topic, 0), (topic, 1)])
        r = self.http("DELETE", f"/v1/groups/{group}")
        self.assert_error(r, 409, 409, "a group with members")
        r = self.http("POST", f"/v1/groups/{group}/offsets:reset", {"topic": topic, "to": "earliest"})
        self.assert_error(r, 409, 409, "a reset with members")
        consumer.close()
        wait_until(lambda: self.ok("GET", f"/v1/groups/{group}")["state"] == "Empty",
                   lambda: "the group to empty")
        for body in ({}, {"topic": topic}, {"topic": topic, "to": "sometime"},
                     {"topic": topic, "to": "offset"}, {"topic": topic, "to": "offset", "offset": -1},
                     {"topic": topic, "to": "timestamp", "timestamp": "yesterday"}):
            r = self.http("POST", f"/v1/groups/{group}/offsets:reset", body)
            self.assert_error(r, 400, 400, json.dumps(body))
        r = self.http("POST", f"/v1/groups/{group}/offsets:reset",
                      {"topic": topic, "to": "earliest", "partitions": [2]})
        self.assert_error(r, 404, 40402, "partition 2")
        self.produce(topic, [(BASE_TS + 5_000, "b"), (BASE_TS + 9_000, "c")], 0)
        moved = self.ok("POST", f"/v1/groups/{group}/offsets:reset",
                        {"topic": topic, "to": "timestamp", "timestamp": BASE_TS + 5_000})
        self.assertEqual(moved["offsets"], [{"topic": topic, "partition": 0, "offset": 1},
                                            {"topic": topic, "partition": 1, "offset": 0}])
        lag = self.ok("GET", f"/v1/groups/{group}/lag")
        self.assertEqual({(p["partition"], p["committed_offset"]) for p in lag["partitions"]},
                         {(0, 1), (1, 0)})
        moved = self.ok("POST", f"/v1/groups/{group}/offsets:reset",
                        {"topic": topic, "to": "offset", "offset": 99, "partitions": [0]})
        self.assertEqual(moved["offsets"], [{"topic": topic, "partition": 0, "offset": 3}],
                         "clamped to the end")
        self.ok("DELETE", f"/v1/groups/{group}", status=204)
        r = self.http("GET", f"/v1/groups/{group}")
        self.assert_error(r, 404, 404, "a deleted group")

    def test_authorize_answers_and_refuses_bad_checks(self):
        r = self.ok("POST", "/v1/authorize", {"checks": [
            {"operation": "DELETE", "resource_type": "TOPIC", "resource_name": "x"},
            {"operation": "create", "resource_type": "cluster"}]})
        self.assertEqual([x["allowed"] for x in r["results"]], [True, True], "no ACLs: allowed")
        self.assertEqual(r["results"][1]["resource_name"], "kafka-cluster")
        for body in ({}, {"checks": "x"}, {"checks": [{"operation": "READ"}]},
                     {"checks": [{"operation": "FLY", "resource_type": "TOPIC",
                                  "resource_name": "x"}]},
                     {"checks": [{"operation": "READ", "resource_type": "TOPIC"}]},
                     {"checks": [{"operation": "READ", "resource_type": "CLUSTER"}] * 201}):
            r = self.http("POST", "/v1/authorize", body)
            self.assert_error(r, 400, 400, json.dumps(body)[:60])
        r = self.http("POST", "/v1/authorize", raw=b"not json")
        self.assert_error(r, 400, 400, "not JSON")


if __name__ == "__main__":
    unittest.main()
