#!/usr/bin/python3
"""The log as a log collector reads it: with --log-format json every line brook serve writes
is one JSON object with time, level and msg (a message with quotes, backslashes and a
newline in it stays one valid line); with no format given and stderr a pipe, JSON too;
--log-format text gives the human lines. A Kafka request slower than
--log-slow-request-ms is logged with its request id, API, client, listener, client id and
duration; with the threshold at 0 nothing is. An HTTP answer slower than it is logged with
its request id (the client's X-Request-Id, else one made up, sent back in X-Request-Id),
method, path, route, client and status; a REST consumer's record poll, which waits by
design, is not."""

import json
import re
import unittest

import requests

from confluent_kafka.admin import AdminClient, NewTopic

from fixtures import DEADLINE_S, BrookServer, unique, wait_until

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def create_topic(brook, name):
    admin = AdminClient({"bootstrap.servers": brook.bootstrap, "client.id": "log-test-client"})
    admin.create_topics([NewTopic(name, 1, 1)])[name].result(DEADLINE_S)


class LogFormatTest(unittest.TestCase):

    def serve(self, *args, env=None):
        brook = BrookServer(extra_args=args, env=env).start()
        self.addCleanup(brook.__exit__, None, None, None)
        return brook

    def json_lines(self, brook):
        out = []
        for line in brook.log_lines:
            record = json.loads(line)
            self.assertEqual(set(record), {"time", "level", "msg"}, line)
            self.assertRegex(record["time"], TIME)
            self.assertIn(record["level"], ("trace", "debug", "info", "warning", "error"))
            out.append(record)
        return out

    def test_json_lines_and_slow_requests(self):
        brook = self.serve("--log-format", "json", "--log-slow-request-ms", "1")
        # A Host header with a quote and a backslash is logged (refused as not this server's).
        import socket
        with socket.create_connection(("127.0.0.1", brook.http_port)) as s:
            s.sendall(b'GET /topics HTTP/1.1\r\nHost: evil"\\name\r\n\r\n')
            s.recv(4096)
        # CreateTopics creates a partition's files and syncs them: over 1 ms.
        create_topic(brook, unique("slow"))
        # The create's own line (under load another request, a Metadata, may be slow too
        # and logged first; the create's line comes once its answer is written).
        wait_until(lambda: any("slow request" in line and "create_topics" in line
                               for line in brook.log_lines), "the create's slow request line")
        brook.check_clean_exit(brook.stop())
        records = self.json_lines(brook)
        messages = [r["msg"] for r in records]
        self.assertTrue(any(m.startswith("kafka listener on 127.0.0.1:") for m in messages))
        self.assertTrue(any('evil"\\name' in m for m in messages), messages)
        slow = [m for m in messages if m.startswith("slow request")]
        self.assertTrue(any(re.match(
            r"slow request \d+-\d+: create_topics v\d+ from 127\.0\.0\.1 on PLAINTEXT "
            r"\(client id log-test-client\) took \d+\.\d ms", m) for m in slow), slow)
        self.assertEqual([r["level"] for r in records if r["msg"].startswith("slow request")][0],
                         "warning")

    def test_slow_http_requests_and_request_ids(self):
        brook = self.serve("--log-format", "json", "--log-slow-request-ms", "1")
        url, topic = brook.http_url, unique("slowhttp")
        v2 = {"Content-Type": "application/vnd.kafka.json.v2+json"}
        # 5,000 records through the REST Proxy, each batch synced to disk: over 1 ms.
        r = requests.post(f"{url}/topics/{topic}", timeout=DEADLINE_S,
                          headers=dict(v2, **{"X-Request-Id": "test-req-1"}),
                          json={"records": [{"value": {"n": i}} for i in range(5000)]})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers["X-Request-Id"], "test-req-1")
        # Not a plain token: the server makes its own id up.
        r = requests.get(f"{url}/healthz", headers={"X-Request-Id": "no spaces allowed"},
                         timeout=DEADLINE_S)
        self.assertRegex(r.headers["X-Request-Id"], r"^h\d+-\d+$")
        ids = {requests.get(f"{url}/healthz", timeout=DEADLINE_S).headers["X-Request-Id"]
               for _ in range(3)}
        self.assertEqual(len(ids), 3, ids)
        # A consumer's record poll waits up to its timeout by design: never "slow".
        group = unique("g")
        r = requests.post(f"{url}/consumers/{group}", headers=v2, timeout=DEADLINE_S,
                          json={"name": "c1", "format": "json"})
        self.assertEqual(r.status_code, 200, r.text)
        base = r.json()["base_uri"]
        r = requests.post(f"{base}/subscription", headers=v2, timeout=DEADLINE_S,
                          json={"topics": [unique("empty")]})
        self.assertEqual(r.status_code, 204, r.text)
        r = requests.get(f"{base}/records?timeout=300", timeout=DEADLINE_S,
                         headers={"Accept": "application/vnd.kafka.json.v2+json"})
        self.assertEqual(r.status_code, 200, r.text)
        wait_until(lambda: any("slow HTTP request test-req-1:" in line for line in brook.log_lines),
                   "the slow HTTP request's line")
        brook.check_clean_exit(brook.stop())
        records = self.json_lines(brook)
        slow = [r for r in records if r["msg"].startswith("slow HTTP request")]
        mine = [r for r in slow if r["msg"].startswith("slow HTTP request test-req-1:")]
        self.assertEqual(len(mine), 1, slow)
        self.assertRegex(mine[0]["msg"],
                         rf"^slow HTTP request test-req-1: POST /topics/{topic} "
                         r"\(route /topics/\{topic\}\) from 127\.0\.0\.1 answered 200 in "
                         r"\d+\.\d ms")
        self.assertEqual(mine[0]["level"], "warning")
        self.assertFalse([r for r in slow if "/records" in r["msg"]], slow)

    def test_a_pipe_gets_json_by_default_and_text_when_asked(self):
        import os
        env = {k: v for k, v in os.environ.items() if k != "BROOK_LOG_FORMAT"}
        piped = self.serve(env=dict(env, BROOK_LOG_FORMAT="auto"))
        piped.check_clean_exit(piped.stop())
        self.assertTrue(self.json_lines(piped))
        text = self.serve("--log-format", "text", "--log-slow-request-ms", "0")
        create_topic(text, unique("fast"))
        text.check_clean_exit(text.stop())
        self.assertTrue(all(re.match(r"^\d{4}-\d\d-\d\dT\S+Z \w+ ", line)
                            for line in text.log_lines), text.log_lines[:3])
        self.assertFalse(any("slow request" in line for line in text.log_lines))


if __name__ == "__main__":
    unittest.main()
