#!/usr/bin/python3
"""Bad input to the REST Proxy of a real `brook serve`: each mistake gets Confluent's error
shape ({"error_code", "message"}, application/json) with the status and code Confluent's
proxy gives, and loses nothing: no part of a refused request is appended (end offsets
unchanged), and the server keeps serving (a valid produce right after works). Also what
misbehaving clients do: garbage and oversized headers over a raw socket, bodies above
--http-max-body-bytes, clients that stall mid-request (cut off after
--http-request-timeout-ms, even fifty at once) or disconnect mid-answer, records above a
topic's max.message.bytes among good ones, and broken records inside a v3 stream."""

import base64
import json
import sys
import time
import unittest

from confluent_kafka import Producer

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import DEADLINE_S, unique  # noqa: E402
from http_helpers import JSON, V2, V2_BINARY, V2_JSON, HttpTestCase, b64  # noqa: E402

MAX_BODY = 65536
REQUEST_TIMEOUT_MS = 500
CUT_OFF_DEADLINE_S = 10


class HttpBadInputTest(HttpTestCase):
    server_args = ("--http-max-body-bytes", str(MAX_BODY),
                   "--http-request-timeout-ms", str(REQUEST_TIMEOUT_MS),
                   "--group-initial-rebalance-delay-ms", "0")

    # -- v2 produce ----------------------------------------------------------------------

    def test_v2_produce_bad_bodies(self):
        topic = unique("bad-bodies")
        self.create_topic(topic, 2)
        cases = [
            ("invalid JSON", V2_JSON, b'{"records":[{"value":1},', 400, 400),
            ("invalid JSON in a value", V2_JSON, b'{"records":[{"value":1},{"value":tru}]}',
             400, 400),
            ("trailing bytes", V2_JSON, b'{"records":[{"value":1}]} x', 400, 400),
            ("an array", V2_JSON, b'[{"value":1}]', 422, 422),
            ("no records", V2_JSON, b'{"value":{"a":1}}', 422, 422),
            ("empty records", V2_JSON, b'{"records":[]}', 422, 422),
            ("records not an array", V2_JSON, b'{"records":{"value":1}}', 422, 422),
            ("a record not an object", V2_JSON, b'{"records":[{"value":1},7]}', 422, 422),
            ("empty body", V2_JSON, b"", 422, 422),
            ("text/plain", "text/plain", b'{"records":[{"value":1}]}', 415, 415),
            ("avro", "application/vnd.kafka.avro.v2+json",
             b'{"value_schema":"\\"int\\"","records":[{"value":1}]}', 415, 415),
            ("protobuf", "application/vnd.kafka.protobuf.v2+json",
             b'{"records":[{"value":{}}]}', 415, 415),
            ("bad base64", V2_BINARY, b'{"records":[{"value":"aGk="},{"value":"@@@@"}]}',
             422, 42203),
            ("a binary key that is a number", V2_BINARY,
             b'{"records":[{"key":123,"value":"aGk="}]}', 422, 42203),
            ("a binary value that is an object", V2_BINARY,
             b'{"records":[{"value":{"a":"aGk="}}]}', 422, 42203),
            ("a partition that is not a number", V2_JSON,
             b'{"records":[{"value":1},{"value":2,"partition":"one"}]}', 422, 42202),
            ("a negative partition", V2_JSON, b'{"records":[{"value":2,"partition":-1}]}',
             422, 42202),
            ("a missing partition", V2_JSON,
             b'{"records":[{"value":1,"partition":0},{"value":2,"partition":99}]}', 404, 40402),
        ]
        for what, ctype, body, status, code in cases:
            with self.subTest(what), self.loses_nothing(topic, 2):
                self.assert_error(self.post(f"/topics/{topic}", body, ctype), status, code, what)
        with self.subTest("a missing partition in the path"), self.loses_nothing(topic, 2):
            r = self.post(f"/topics/{topic}/partitions/2", b'{"records":[{"value":1}]}')
            self.assert_error(r, 404, 40402)
            r = self.post(f"/topics/{topic}/partitions/x", b'{"records":[{"value":1}]}')
            self.assert_error(r, 404, 40402)

    def test_missing_topics_and_partitions(self):
        topic = unique("present")
        self.create_topic(topic, 1)
        for path, code in [("/topics/no-such-topic", 40401),
                           ("/topics/no-such-topic/partitions", 40401),
                           ("/topics/no-such-topic/partitions/0/offsets", 40401),
                           (f"/topics/{topic}/partitions/1", 40402),
                           (f"/topics/{topic}/partitions/7/offsets", 40402),
                           (f"/topics/{topic}/partitions/7/records?offset=0", 40402)]:
            with self.subTest(path):
                self.assert_error(self.http("GET", path, accept=V2_BINARY), 404, code, path)
        # Naming a partition never creates the topic.
        r = self.post("/topics/never-made/partitions/0", b'{"records":[{"value":1}]}')
        self.assert_error(r, 404, 40401)
        self.assertNotIn("never-made", self.ok("GET", "/topics"))

    def test_stateless_read_bad_parameters(self):
        topic = unique("read-params")
        self.produce_v2(topic, [{"value": i} for i in range(3)])
        records = f"/topics/{topic}/partitions/0/records"
        for query, status, code in [("?offset=4", 422, 42202), ("?offset=-1", 400, 400),
                                    ("?offset=abc", 400, 400), ("", 400, 400),
                                    ("?offset=0&count=x", 400, 400),
                                    ("?offset=0&count=0", 400, 400)]:
            with self.subTest(query):
                r = self.http("GET", records + query, accept=V2_BINARY)
                self.assert_error(r, status, code, query)
        self.assert_error(self.http("GET", records + "?offset=0", accept="text/html"), 406, 406)
        self.assertEqual(len(self.read_partition(topic, 0, 0, 10)), 3)

    # -- consumers ---------------------------------------------------------------------------

    def test_consumer_instance_errors(self):
        group = unique("g-bad")
        topic = unique("consumed")
        self.produce_v2(topic, [{"value": {"i": i}} for i in range(3)])
        missing = f"/consumers/{group}/instances/nope"
        for method, path in [("GET", "/records"), ("DELETE", ""), ("POST", "/subscription"),
                             ("GET", "/assignments"), ("POST", "/offsets")]:
            with self.subTest(f"{method} {path} of an unknown instance"):
                body = {"topics": [topic]} if path == "/subscription" else None
                r = self.http(method, missing + path, body, content_type=V2, accept=V2_BINARY)
                self.assert_error(r, 404, 40403)
        for field, value in [("auto.offset.reset", "bogus"), ("format", "avro"),
                             ("format", "xml"), ("auto.commit.enable", "maybe"),
                             ("consumer.request.timeout.ms", "-5")]:
            with self.subTest(f"{field}={value}"):
                r = self.http("POST", f"/consumers/{group}", {"name": "bad", field: value},
                              content_type=V2)
                self.assert_error(r, 422, 42204)
        self.assert_error(self.http("POST", f"/consumers/{group}", raw=b"{nope",
                                    content_type=V2), 400, 400)
        self.assert_error(self.http("GET", f"/consumers/{group}/instances/bad/records"),
                          404, 40403)

        base = self.consumer_instance(group, "c1", fmt="json")
        r = self.http("POST", f"/consumers/{group}", {"name": "c1", "format": "json"},
                      content_type=V2)
        self.assert_error(r, 409, 40902)
        # Neither subscribed nor assigned.
        self.assert_error(self.http("GET", base + "/records", accept=V2_JSON), 409, 40903)
        self.ok("POST", base + "/subscription", {"topics": [topic]}, status=204, content_type=V2)
        self.assert_error(self.http("GET", base + "/records", accept=V2_BINARY), 406, 40601)
        r = self.http("POST", base + "/assignments",
                      {"partitions": [{"topic": topic, "partition": 0}]}, content_type=V2)
        self.assert_error(r, 409, 40903)
        r = self.http("POST", base + "/positions",
                      {"offsets": [{"topic": topic, "partition": 5, "offset": 0}]},
                      content_type=V2)
        self.assert_error(r, 409, 40903)  # a partition the instance does not read
        # Still a working instance.
        self.assertEqual([x["value"] for x in self.read_instance(base, 3, accept=V2_JSON)],
                         [{"i": i} for i in range(3)])

        other = self.consumer_instance(group, "c2", fmt="binary")
        self.ok("POST", other + "/assignments", {"partitions": [{"topic": topic, "partition": 0}]},
                status=204, content_type=V2)
        r = self.http("POST", other + "/subscription", {"topics": [topic]}, content_type=V2)
        self.assert_error(r, 409, 40901)

    # -- sizes ------------------------------------------------------------------------------

    def test_body_above_max_body_bytes(self):
        topic = unique("big-body")
        self.produce_v2(topic, [{"value": 0}])
        one_big = json.dumps({"records": [{"value": "x" * (MAX_BODY + 10)}]}).encode()
        many = json.dumps({"records": [{"value": i} for i in range(MAX_BODY // 8)]}).encode()
        self.assertGreater(len(many), MAX_BODY)
        for what, body in [("one big record", one_big), ("too many records", many)]:
            with self.subTest(what), self.loses_nothing(topic):
                status, answer = self.curl(
                    "-X", "POST", "-H", f"Content-Type: {V2_JSON}", "--data-binary", "@-",
                    f"{self.url}/topics/{topic}", input=body)
                self.assertEqual(status, 413, answer)
                self.assertEqual(json.loads(answer)["error_code"], 413)
        with self.subTest("chunked"), self.loses_nothing(topic):
            # Raw: requests stops reading once a send fails, and the server answers early.
            conn = self.raw()
            conn.send(f"POST /topics/{topic} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {V2_JSON}\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n".encode())
            try:
                conn.send_chunk(b'{"records":[')
                for i in range(MAX_BODY // 1000 + 16):
                    conn.send_chunk(b'{"value":"%s"},' % (b"x" * 1000))
            except (BrokenPipeError, ConnectionResetError):
                pass  # refused mid-body: the answer is there all the same
            status, headers, body = conn.read_response()
            self.assertEqual((status, json.loads(body)["error_code"]), (413, 413))
            self.assertEqual(headers.get("connection"), "close")

    def test_record_above_max_message_bytes_fails_alone(self):
        topic = unique("small-records")
        self.create_topic(topic, 1, {"max.message.bytes": "2000"})
        records = [{"value": b64(b"a" * 10)}, {"value": b64(b"b" * 5000)},
                   {"value": b64(b"c" * 10)}]
        answer = self.ok("POST", f"/topics/{topic}", {"records": records}, content_type=V2_BINARY)
        o = answer["offsets"]
        self.assertEqual([(x["partition"], x["offset"], x["error_code"]) for x in o[::2]],
                         [(0, 0, None), (0, 1, None)])
        self.assertEqual((o[1]["offset"], o[1]["error_code"]), (-1, 42201), o[1])
        self.assertIsInstance(o[1]["error"], str)
        self.assertEqual(self.offsets(topic), (0, 2))
        self.assertEqual(self.kcat("-C", "-t", topic, "-e", "-f", "%s\\n"),
                         b"a" * 10 + b"\n" + b"c" * 10 + b"\n")
        # v3: the one record's answer is the error.
        r = self.http("POST", self.v3(f"/topics/{topic}/records"), content_type=JSON,
                      body={"value": {"type": "BINARY", "data": b64(b"d" * 5000)}})
        self.assert_error(r, 422, 42201)
        self.assertEqual(self.offsets(topic), (0, 2))

    # -- protocol-level mistakes ------------------------------------------------------------

    def test_unknown_endpoint_and_wrong_method(self):
        topic = unique("methods")
        self.produce_v2(topic, [{"value": 1}])
        for path in ("/nope", "/topics/x/y/z", "/v3/nope", "/consumers"):
            with self.subTest(path):
                self.assert_error(self.http("GET", path), 404, 404, path)
        for method, path, allowed in [("DELETE", "/topics", {"GET"}),
                                      ("PUT", f"/topics/{topic}", {"GET", "POST"}),
                                      ("GET", "/consumers/g", {"POST"})]:
            with self.subTest(f"{method} {path}"):
                r = self.http(method, path)
                self.assert_error(r, 405, 405)
                self.assertIn("Allow", r.headers)
                got = {m.strip() for m in r.headers["Allow"].split(",")}
                self.assertTrue(allowed <= got, r.headers["Allow"])
        self.healthy()

    def assert_answered_and_closed(self, conn, statuses):
        data, _ = conn.read_until_closed(CUT_OFF_DEADLINE_S)
        self.assertTrue(data, "closed without an answer")
        status = int(data.split(b" ", 2)[1])
        self.assertIn(status, statuses, data[:300])

    def test_garbage_over_a_raw_socket(self):
        for what, data in [("garbage", b"\x16\x03\x01\x02\x00\x01\x00\xff\xfe GARBAGE\r\n\r\n"),
                           ("no version", b"GET /topics\r\n\r\n"),
                           ("bad header", b"GET /topics HTTP/1.1\r\nNo colon here\r\n\r\n"),
                           ("bad content-length",
                            b"POST /topics/t HTTP/1.1\r\nContent-Length: -3\r\n\r\n")]:
            with self.subTest(what):
                conn = self.raw()
                conn.send(data)
                self.assert_answered_and_closed(conn, {400, 505})
        self.healthy()

    def test_header_block_of_100_kib(self):
        conn = self.raw()
        try:
            conn.send(b"GET /topics HTTP/1.1\r\nHost: localhost\r\n" +
                      b"".join(b"X-Filler-%d: %s\r\n" % (i, b"a" * 1000) for i in range(100)) +
                      b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before we finished sending: the answer may still be there
        self.assert_answered_and_closed(conn, {431, 400})
        self.healthy()

    def stalled(self, head_only=False):
        """A connection that sends part of a request and then nothing."""
        conn = self.raw()
        if head_only:
            conn.send(b"GET /topics HTTP/1.1\r\nHost: localhost\r\n")
        else:
            conn.send(f"POST /topics/stalled HTTP/1.1\r\nHost: localhost\r\nContent-Type: {V2_JSON}\r\n"
                      "Content-Length: 1000\r\n\r\n".encode() + b'{"records"')
        return conn

    def test_stalled_client_is_cut_off(self):
        for head_only in (False, True):
            with self.subTest(head_only=head_only):
                conn = self.stalled(head_only)
                data, took = conn.read_until_closed(CUT_OFF_DEADLINE_S)
                self.assertGreaterEqual(took, REQUEST_TIMEOUT_MS / 1000 * 0.5, "cut off too soon")
                if data:
                    self.assertIn(int(data.split(b" ", 2)[1]), (400, 408), data[:300])
        self.assertNotIn("stalled", self.ok("GET", "/topics"))

    def test_fifty_stalled_clients_do_not_block_others(self):
        topic = unique("beside-stalled")
        conns = [self.stalled(head_only=i % 2 == 1) for i in range(50)]
        start = time.monotonic()
        # Served while the fifty are still open (they are cut off after 500 ms at most).
        self.assertEqual(self.produce_v2(topic, [{"value": 0}])[0]["offset"], 0)
        self.healthy()
        for c in conns:
            c.read_until_closed(max(0.1, CUT_OFF_DEADLINE_S - (time.monotonic() - start)))
        self.assertLess(time.monotonic() - start, CUT_OFF_DEADLINE_S)
        self.produce_v2(topic, [{"value": "after"}])
        self.healthy()

    def test_client_disconnects_mid_response(self):
        topic = unique("big-read")
        p = Producer({"bootstrap.servers": self.brook.bootstrap, "acks": "all",
                      "message.max.bytes": 2_000_000})
        for i in range(40):
            p.produce(topic, value=bytes([i]) * 200_000, partition=0)
        self.assertEqual(p.flush(DEADLINE_S), 0)
        path = f"/topics/{topic}/partitions/0/records?offset=0&max_bytes=67108864"
        for i in range(5):
            conn = self.raw()
            conn.send(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept: {V2_BINARY}\r\n\r\n".encode())
            status, _ = conn.read_head()
            self.assertEqual(status, 200)
            conn.read_exact(1000)
            conn.close(reset=i % 2 == 0)
        # A v3 stream whose client goes away after its first result.
        conn = self.raw()
        conn.send(f"POST {self.v3(f'/topics/{topic}/records')} HTTP/1.1\r\nHost: localhost\r\n"
                  "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        conn.send_chunk(b'{"value":{"type":"STRING","data":"one"}}')
        self.assertEqual(conn.read_head()[0], 200)
        self.assertEqual(json.loads(conn.read_chunk())["error_code"], 200)
        conn.close(reset=True)
        self.healthy()
        got = self.read_partition(topic, 0, 40, 1)
        self.assertEqual(base64.b64decode(got[0]["value"]), b"one")
        with self.loses_nothing(topic):
            pass

    # -- v3 ---------------------------------------------------------------------------------

    def test_v3_stream_with_bad_records_in_the_middle(self):
        topic = unique("v3-mixed")
        self.create_topic(topic, 2)
        # The good records name partition 0 (unkeyed ones would be spread).
        objects = [b'{"partition_id":0,"value":{"type":"STRING","data":"a"}}',
                   b'{"value":{"type":"JSON","data":[1,,2]}}',           # malformed JSON
                   b'{"partition_id":0,"value":{"type":"STRING","data":"b"}}',
                   b'{"value":{"type":"BINARY","data":"@@@"}}',        # bad base64
                   b'{"partition_id":9,"value":{"type":"STRING","data":"x"}}',  # no partition
                   b'{"value":{"type":"NOPE","data":"x"}}',             # unknown type
                   b'{"key":"not an object","value":null}',
                   b'{"partition_id":0,"value":{"type":"STRING","data":"c"}}']
        want = [200, 400, 200, 42203, 40402, 400, 400, 200]
        for mode in ("chunked", "content-length"):
            with self.subTest(mode):
                start = self.offsets(topic)[1]
                body = iter(objects) if mode == "chunked" else b"\n".join(objects)
                r = self.session.post(self.url + self.v3(f"/topics/{topic}/records"), data=body,
                                      headers={"Content-Type": JSON}, timeout=DEADLINE_S)
                self.assertEqual(r.status_code, 200, r.text)
                lines = [json.loads(x) for x in r.text.splitlines()]
                self.assertEqual([x["error_code"] for x in lines], want, r.text)
                for x, code in zip(lines, want):
                    if code != 200:
                        self.assertEqual(set(x), {"error_code", "message"}, x)
                good = [x for x in lines if x["error_code"] == 200]
                self.assertEqual([(x["partition_id"], x["offset"]) for x in good],
                                 [(0, start + i) for i in range(3)])
                self.assertEqual(self.offsets(topic, 1), (0, 0))

    def test_v3_errors(self):
        topic = unique("v3-bad")
        self.create_topic(topic, 1)
        with self.loses_nothing(topic):
            r = self.http("POST", self.v3("/topics"), {"topic_name": topic, "partitions_count": 1},
                          content_type=JSON)
            self.assert_error(r, 400, 40002)
            self.assert_error(self.http("GET", "/v3/clusters/wrong-id"), 404, 404)
            self.assert_error(self.http("GET", "/v3/clusters/wrong-id/topics"), 404, 404)
            r = self.http("POST", f"/v3/clusters/wrong-id/topics/{topic}/records",
                          {"value": {"data": 1}}, content_type=JSON)
            self.assert_error(r, 404, 404)
            r = self.http("POST", self.v3("/topics/no-such/records"), {"value": {"data": 1}},
                          content_type=JSON)
            self.assert_error(r, 404, 40401)
            r = self.http("POST", self.v3(f"/topics/{topic}/records"), raw=b'{"value":1}',
                          content_type="text/plain")
            self.assert_error(r, 415, 415)
            for body, status, code in [({"partitions_count": 1}, 422, 422),
                                       ({"topic_name": unique("t"), "partitions_count": 0},
                                        422, 422),
                                       ({"topic_name": "bad/name"}, 400, 40002),
                                       ({"topic_name": unique("t"), "configs":
                                         [{"name": "retention.ms", "value": "soon"}]}, 400, 40002)]:
                with self.subTest(body=body):
                    r = self.http("POST", self.v3("/topics"), body, content_type=JSON)
                    self.assert_error(r, status, code, str(body))
            self.assert_error(self.http("GET", self.v3(f"/topics/{topic}/configs/nope")), 404, 404)
            r = self.http("PUT", self.v3(f"/topics/{topic}/configs/nope"), {"value": "1"},
                          content_type=JSON)
            self.assert_error(r, 400, 40002)
            self.assert_error(self.http("GET", self.v3("/topics/no-such")), 404, 40401)
            self.assert_error(self.http("GET", self.v3(f"/topics/{topic}/partitions/3")),
                              404, 40402)
        names = [t["topic_name"] for t in self.ok("GET", self.v3("/topics"))["data"]]
        self.assertNotIn("bad/name", names)


class HttpV3TruncatedBodyTest(HttpTestCase):
    """A v3 produce body that ends inside its one record, on a server of its own: the
    server aborted on it (ASan double-free in produce_records)."""

    @classmethod
    def tearDownClass(cls):
        if cls.brook.proc.poll() is not None:  # died during the test, which reported it
            cls.session.close()
            cls.brook.__exit__(None, None, None)
            return
        super().tearDownClass()

    # Open server bug (/tmp/brook-http/bugs-tests.md #4): the server aborts on this body.
    # Remove the marker once fixed (an unexpected success fails the run).
    def test_v3_body_ending_inside_a_record(self):
        topic = unique("v3-cut")
        self.create_topic(topic, 1)
        with self.loses_nothing(topic):
            r = self.http("POST", self.v3(f"/topics/{topic}/records"), raw=b'{"value":',
                          content_type=JSON)
            self.assert_error(r, 400, 400)
        self.assertIsNone(self.brook.proc.poll(), "the server died")
        self.assertEqual(self.brook.sanitizer_reports(), [])


if __name__ == "__main__":
    unittest.main()
