#!/usr/bin/python3
"""GET /v1/topics/{topic}/records (doc/http-api.md, "Browsing records") against a real
`brook serve`, over records confluent-kafka produced with chosen timestamps, keys and
headers: from the end, the beginning, an offset and a time, one partition or all, pages
that together give every record once, the substring and JSON-field filters, values shown
as JSON, text or base64, and bad parameters refused with the reason.

$BROOK_BIN is set by ctest."""

import base64
import json
from datetime import datetime, timezone
import sys
import unittest

import requests
from confluent_kafka import Producer

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, AdminServerTestCase  # noqa: E402

BASE_TS = 1_790_000_000_000
PARTITIONS = 3
COUNT = 60  # 20 per partition


class BrowseRecordsTest(AdminServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.http = requests.Session()
        cls.http.trust_env = False

    @classmethod
    def tearDownClass(cls):
        cls.http.close()
        super().tearDownClass()

    def setUp(self):
        self.topic, problem = self.create_topic("browse", partitions=PARTITIONS)
        self.assertIsNone(problem)
        # Record i: partition i % 3, timestamp BASE_TS + i s, a JSON value; a few text and
        # binary values and a header on each.
        p = Producer({"bootstrap.servers": self.brook.bootstrap, "acks": "all"})
        errors = []
        for i in range(COUNT):
            if i == 7:
                value = b"plain text, not JSON"
            elif i == 8:
                value = b"\xff\xfe\x00binary"
            else:
                value = json.dumps({"n": i, "kind": "even" if i % 2 == 0 else "odd",
                                    "user": {"id": f"u{i % 5}"}, "tags": [f"t{i % 3}"]}).encode()
            p.produce(self.topic, value=value, key=f"k{i}".encode(), partition=i % PARTITIONS,
                      timestamp=BASE_TS + i * 1000, headers=[("source", b"test"), ("i", str(i))],
                      on_delivery=lambda err, msg: err and errors.append(err))
        self.assertEqual(p.flush(DEADLINE_S), 0)
        self.assertEqual(errors, [])

    def browse(self, status=200, **params):
        r = self.http.get(f"{self.brook.http_url}/v1/topics/{self.topic}/records", params=params,
                          timeout=DEADLINE_S)
        self.assertEqual(r.status_code, status, r.text)
        return r.json()

    def numbers(self, page):
        """The i of each record (from its key k<i>), in the page's order."""
        return [int(r["key"][1:]) for r in page["records"]]

    def test_from_the_end_the_beginning_an_offset_and_a_time(self):
        newest = self.browse(limit=5)
        self.assertEqual(self.numbers(newest), [55, 56, 57, 58, 59])  # by timestamp
        oldest = self.browse(**{"from": "beginning", "limit": 4})
        self.assertEqual(self.numbers(oldest), [0, 1, 2, 3])
        one = self.browse(partition=1, **{"from": "beginning", "limit": 3})
        self.assertEqual(self.numbers(one), [1, 4, 7])
        self.assertEqual(one["next"], [{"partition": 1, "offset": 3, "end": 20}])
        at = self.browse(partition=2, offset=10, limit=2)
        self.assertEqual(self.numbers(at), [32, 35])  # partition 2's offsets 10 and 11
        iso = datetime.fromtimestamp((BASE_TS + 10_000) / 1000, timezone.utc) \
            .strftime("%Y-%m-%dT%H:%M:%SZ")  # records 10 onwards
        since = self.browse(timestamp=iso, limit=3)
        self.assertEqual(self.numbers(since), [10, 11, 12])
        self.assertEqual(self.numbers(self.browse(timestamp=BASE_TS + 10_000, limit=3)),
                         [10, 11, 12])

    def test_pages_give_every_record_once(self):
        seen = []
        page = self.browse(**{"from": "beginning", "limit": 7})
        while page["records"]:
            seen += self.numbers(page)
            # The next page of each partition: one call per partition, from its next offset.
            nexts = {n["partition"]: n["offset"] for n in page["next"]}
            pages = [self.browse(partition=p, offset=o, limit=7) for p, o in nexts.items()]
            merged = sorted((r for pg in pages for r in pg["records"]), key=lambda r: r["timestamp"])
            page = {"records": merged[:7], "next": []}
            for p, pg in zip(nexts, pages):
                taken = [r for r in merged[:7] if r["partition"] == p]
                offset = taken[-1]["offset"] + 1 if taken else nexts[p]
                page["next"].append({"partition": p, "offset": offset})
        self.assertEqual(seen, list(range(COUNT)))

    def test_values_headers_and_keys_as_a_person_reads_them(self):
        page = self.browse(partition=1, offset=2, limit=2)  # records 7 (text) and 10 (JSON)
        text, js = page["records"]
        self.assertEqual((text["value"], text["value_format"]), ("plain text, not JSON", "text"))
        self.assertEqual(js["value"]["user"], {"id": "u0"})
        self.assertEqual(js["value_format"], "json")
        self.assertEqual((js["key"], js["key_format"]), ("k10", "text"))
        self.assertEqual(js["headers"], [{"key": "source", "value": "test", "value_format": "text"},
                                         {"key": "i", "value": 10, "value_format": "json"}])
        self.assertEqual(js["timestamp"], BASE_TS + 10_000)
        binary = self.browse(partition=2, offset=2, limit=1)["records"][0]
        self.assertEqual(binary["value_format"], "base64")
        self.assertEqual(base64.b64decode(binary["value"]), b"\xff\xfe\x00binary")

    def test_filters_run_on_the_server(self):
        everything = {"from": "beginning", "limit": 1000}
        page = self.browse(contains="plain text", **everything)
        self.assertEqual(self.numbers(page), [7])
        self.assertEqual(page["scanned"], COUNT)
        page = self.browse(json_path="$.user.id", equals="u3", **everything)
        self.assertEqual(self.numbers(page), [i for i in range(COUNT) if i % 5 == 3 and i != 8])
        page = self.browse(json_path="n", equals="42", **everything)
        self.assertEqual(self.numbers(page), [42])
        page = self.browse(json_path="tags.0", equals="t2", partition=2, **everything)
        self.assertEqual(self.numbers(page), [i for i in range(2, COUNT, 3) if i != 8])
        page = self.browse(json_path="$.kind", equals="odd", contains="k1", **everything)
        self.assertEqual(self.numbers(page), [i for i in range(COUNT)
                                              if i % 2 == 1 and "k1" in f"k{i}" and i != 7])
        self.assertEqual(self.browse(json_path="missing", equals="x", **everything)["records"], [])

    def test_bad_parameters_are_refused_with_the_reason(self):
        for params, words in [
            ({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"limit": "ten"}, "limit"),
            ({"from": "middle"}, "from must be"), ({"from": "end", "offset": 3}, "one of"),
            ({"offset": -1}, "offset"), ({"timestamp": "yesterday"}, "timestamp"),
            ({"json_path": "a.b"}, "go together"), ({"json_path": "$..a", "equals": "1"}, "dotted"),
            ({"contains": "x" * 2000}, "1024 bytes"),
        ]:
            body = self.browse(400, **params)
            self.assertIn(words, body["message"], params)
        body = self.browse(404, partition=PARTITIONS)
        self.assertEqual(body["error_code"], 40402)
        r = self.http.get(f"{self.brook.http_url}/v1/topics/no-such-topic/records",
                          timeout=DEADLINE_S)
        self.assertEqual((r.status_code, r.json()["error_code"]), (404, 40401))


if __name__ == "__main__":
    unittest.main()
