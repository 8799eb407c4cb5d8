#!/usr/bin/python3
"""HTTP hardening against a real `brook serve`, with requests, curl and raw sockets:

- the Host check against DNS rebinding (a name the server does not have gets 421, as curl
  sees it when a name is made to resolve to 127.0.0.1), http.allowed_hosts, and CORS
  (http.cors_allowed_origins: headers for listed origins, preflights answered or refused);
- request bodies sent with Content-Encoding gzip or deflate, to v2 and v3 produce (whole
  and streamed), a zip bomb refused at http.max_body_bytes without losing anything, other
  codings 415 and corrupt data 400;
- names: a v2 produce to a name no topic can have is refused whole (404 40401), consumer
  group and instance names "." and ".." are refused, and base_uri escapes what it holds;
- /readyz while the data directory is full (a small tmpfs mounted in a user and mount
  namespace of the server's own): 503 with the reason, logged once, and ready again once
  space is freed."""

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest
import zlib

import requests

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import BrookServer, unique, wait_until  # noqa: E402
from http_helpers import (CURL, JSON, TIMEOUT_S, V2, V2_BINARY, V2_JSON, HttpTestCase,  # noqa: E402
                          b64)


def logged(brook, text):
    return sum(1 for line in brook.log_lines if text in line)


class HostCheckTest(HttpTestCase):
    server_args = HttpTestCase.server_args + ("--http-allowed-hosts", "brook.internal, Brook")

    def test_a_foreign_host_is_421_and_the_connection_closes(self):
        for host in ("evil.example", "evil.example:8082", "127.0.0.1.evil.example"):
            r = requests.get(self.url + "/v3/clusters", headers={"Host": host}, timeout=TIMEOUT_S)
            body = self.assert_error(r, 421, 421, host)
            self.assertIn(f"Host '{host}'", body["message"])
            self.assertIn("http.allowed_hosts", body["message"])
            self.assertEqual(r.headers.get("Connection"), "close")
        # One log line for the burst, with the count.
        wait_until(lambda: logged(self.brook, "refused an HTTP request for Host") == 1,
                   "the refusal logged once")

    def test_curl_through_a_rebound_name_is_refused(self):
        port = self.brook.http_port
        out = subprocess.run(
            [CURL, "-s", "-o", "/dev/null", "-w", "%{http_code}", "--resolve",
             f"attacker.example:{port}:127.0.0.1", f"http://attacker.example:{port}/topics"],
            capture_output=True, text=True, timeout=TIMEOUT_S)
        self.assertEqual(out.stdout, "421", out.stderr)
        out = subprocess.run(
            [CURL, "-s", "--resolve", f"brook.internal:{port}:127.0.0.1",
             f"http://brook.internal:{port}/healthz"],
            capture_output=True, text=True, timeout=TIMEOUT_S)
        self.assertEqual(json.loads(out.stdout), {"status": "ok"}, out.stderr)

    def test_addresses_localhost_the_machine_and_listed_names_are_served(self):
        for host in (f"127.0.0.1:{self.brook.http_port}", "localhost", "LOCALHOST:1",
                     "[::1]:8082", "brook.internal:8082", "brook", socket.gethostname()):
            r = requests.get(self.url + "/topics", headers={"Host": host}, timeout=TIMEOUT_S)
            self.assertEqual(r.status_code, 200, f"{host}: {r.text}")


class CorsTest(HttpTestCase):
    ORIGIN = "https://app.example.com"
    server_args = HttpTestCase.server_args + ("--http-cors-allowed-origins", ORIGIN)

    def test_a_listed_origin_gets_cors_headers_and_others_do_not(self):
        r = self.http("GET", "/topics", headers={"Origin": self.ORIGIN})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), self.ORIGIN)
        self.assertEqual(r.headers.get("Vary"), "Origin")
        r = self.http("GET", "/topics", headers={"Origin": "https://evil.example"})
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("Access-Control-Allow-Origin", r.headers)
        # Errors carry them too (the page can read why), and streamed v3 answers.
        r = self.http("GET", "/topics/nope", headers={"Origin": self.ORIGIN})
        self.assertEqual((r.status_code, r.headers.get("Access-Control-Allow-Origin")),
                         (404, self.ORIGIN))

    def test_preflight(self):
        r = self.http("OPTIONS", self.v3("/topics"), headers={
            "Origin": self.ORIGIN, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        self.assertEqual(r.status_code, 204, r.text)
        self.assertEqual(r.headers["Access-Control-Allow-Origin"], self.ORIGIN)
        self.assertIn("POST", r.headers["Access-Control-Allow-Methods"])
        self.assertEqual(r.headers["Access-Control-Allow-Headers"], "content-type")
        r = self.http("OPTIONS", self.v3("/topics"), headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE"})
        body = self.assert_error(r, 403, 403, "foreign preflight")
        self.assertIn("http.cors_allowed_origins", body["message"])
        self.assertNotIn("Access-Control-Allow-Origin", r.headers)


class NoCorsByDefaultTest(HttpTestCase):
    def test_no_cors_headers_and_preflights_refused(self):
        r = self.http("GET", "/topics", headers={"Origin": "http://localhost:3000"})
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("Access-Control-Allow-Origin", r.headers)
        r = self.http("OPTIONS", "/topics", headers={
            "Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"})
        self.assert_error(r, 403, 403, "preflight")
        r = requests.get(self.url + "/topics", headers={"Host": "brook.internal"},
                         timeout=TIMEOUT_S)
        self.assert_error(r, 421, 421, "an unlisted name")


MAX_BODY = 1 << 20


class CompressedBodyTest(HttpTestCase):
    server_args = HttpTestCase.server_args + ("--http-max-body-bytes", str(MAX_BODY))

    def test_gzip_and_deflate_v2_produce(self):
        topic = unique("gz")
        self.create_topic(topic)
        records = json.dumps({"records": [{"value": {"i": i}} for i in range(50)]}).encode()
        for coding, data in (("gzip", gzip.compress(records)), ("deflate", zlib.compress(records)),
                             ("deflate", zlib.compress(records)[2:-4])):  # raw deflate
            r = self.http("POST", f"/topics/{topic}", raw=data, content_type=V2_JSON,
                          headers={"Content-Encoding": coding})
            self.assertEqual(r.status_code, 200, r.text)
            self.assertTrue(all(o["error_code"] is None for o in r.json()["offsets"]))
        got = self.read_partition(topic, 0, 0, 150, accept=V2_JSON)
        self.assertEqual([g["value"] for g in got], [{"i": i} for i in range(50)] * 3)

    def test_curl_sends_a_gzipped_file(self):
        topic = unique("curlgz")
        self.create_topic(topic)
        path = os.path.join(tempfile.mkdtemp(), "records.json.gz")
        self.addCleanup(shutil.rmtree, os.path.dirname(path))
        with gzip.open(path, "wb") as f:
            f.write(json.dumps({"records": [{"value": "from curl"}]}).encode())
        out = subprocess.run([CURL, "-s", "-X", "POST", "-H", f"Content-Type: {V2_JSON}",
                              "-H", "Content-Encoding: gzip", "--data-binary", f"@{path}",
                              f"{self.url}/topics/{topic}"],
                             capture_output=True, text=True, timeout=TIMEOUT_S)
        self.assertEqual(json.loads(out.stdout)["offsets"][0]["offset"], 0, out.stdout)
        self.assertEqual(self.read_partition(topic, 0, 0, 1, accept=V2_JSON)[0]["value"],
                         "from curl")

    def test_v3_produce_whole_and_streamed(self):
        topic = unique("gz3")
        self.create_topic(topic)
        one = json.dumps({"value": {"type": "JSON", "data": {"n": 0}}}).encode()
        r = self.http("POST", self.v3(f"/topics/{topic}/records"), raw=gzip.compress(one),
                      content_type=JSON, headers={"Content-Encoding": "gzip"})
        self.assertEqual((r.status_code, r.json()["offset"]), (200, 0), r.text)
        many = b"".join(json.dumps({"value": {"type": "JSON", "data": {"n": i}}}).encode()
                        for i in range(1, 200))
        compressed = gzip.compress(many)

        def chunks():
            for i in range(0, len(compressed), 1000):
                yield compressed[i:i + 1000]

        r = self.session.post(self.url + self.v3(f"/topics/{topic}/records"), data=chunks(),
                              headers={"Content-Type": JSON, "Content-Encoding": "gzip"},
                              timeout=TIMEOUT_S)
        self.assertEqual(r.status_code, 200, r.text)
        offsets = [json.loads(line)["offset"] for line in r.text.splitlines()]
        self.assertEqual(offsets, list(range(1, 200)))

    def test_a_zip_bomb_is_413_and_loses_nothing(self):
        topic = unique("bomb")
        self.create_topic(topic)
        self.produce_v2(topic, [{"value": "before", "partition": 0}])
        inflated = b'{"records":[{"value":"' + b"a" * (8 * MAX_BODY) + b'"}]}'
        bomb = gzip.compress(inflated)
        self.assertLess(len(bomb), MAX_BODY // 10)
        with self.loses_nothing(topic):
            r = self.http("POST", f"/topics/{topic}", raw=bomb, content_type=V2_JSON,
                          headers={"Content-Encoding": "gzip"})
            body = self.assert_error(r, 413, 413, "bomb")
            self.assertIn("once inflated", body["message"])
            one = b'{"value":{"type":"STRING","data":"' + b"a" * (8 * MAX_BODY) + b'"}}'
            r = self.http("POST", self.v3(f"/topics/{topic}/records"), raw=gzip.compress(one),
                          content_type=JSON, headers={"Content-Encoding": "gzip"})
            self.assertEqual(r.status_code, 413, r.text)

    def test_unknown_codings_and_corrupt_data(self):
        topic = unique("badgz")
        self.create_topic(topic)
        records = json.dumps({"records": [{"value": 1}]}).encode()
        with self.loses_nothing(topic):
            for coding in ("br", "zstd", "gzip, deflate", "compress"):
                r = self.http("POST", f"/topics/{topic}", raw=records, content_type=V2_JSON,
                              headers={"Content-Encoding": coding})
                body = self.assert_error(r, 415, 415, coding)
                self.assertIn("Content-Encoding", body["message"])
            for data in (records, gzip.compress(records)[:-10], gzip.compress(records) + b"xx"):
                r = self.http("POST", f"/topics/{topic}", raw=data, content_type=V2_JSON,
                              headers={"Content-Encoding": "gzip"})
                self.assert_error(r, 400, 400, "corrupt gzip")
        self.healthy()


class NamesTest(HttpTestCase):
    # Any Host passes the check here, so what base_uri makes of a hostile one shows.
    server_args = HttpTestCase.server_args + ("--http-allowed-hosts", "*")
    def test_v2_produce_to_an_impossible_name_is_refused_whole(self):
        for name, path in (("..", "%2E%2E"), ("a\x00b", "a%00b"), ("a" * 250, "a" * 250),
                           ("with space", "with%20space")):
            r = self.http("POST", f"/topics/{path}", body={"records": [{"value": 1}]},
                          content_type=V2_JSON)
            body = self.assert_error(r, 404, 40401, repr(name))
            self.assertIn("Topic not found", body["message"])
        topics = self.ok("GET", "/topics")
        self.assertFalse([t for t in topics if "with space" in t or t == ".."], topics)

    def test_dot_names_are_refused_and_base_uri_escapes(self):
        for group, name in (("g", ".."), ("g", "."), ("g", "../../etc")):
            r = self.http("POST", f"/consumers/{group}", body={"name": name}, content_type=V2)
            body = self.assert_error(r, 422, 42204, name)
            self.assertIn("instance name", body["message"])
        r = self.http("POST", "/consumers/%2E%2E", body={"name": "c"}, content_type=V2)
        self.assert_error(r, 422, 42204, "group ..")
        group = unique("team") + "/a b?"
        escaped = group.replace("/", "%2F").replace(" ", "%20").replace("?", "%3F")
        base = self.consumer_instance(escaped, "c%1")
        self.assertTrue(base.endswith(f"/consumers/{escaped}/instances/c%251"), base)
        self.assertEqual(self.ok("GET", base + "/subscription", accept=V2), {"topics": []})
        # A hostile Host is never echoed into base_uri.
        r = requests.post(self.url + "/consumers/g2", data=json.dumps({"name": "c2"}),
                          headers={"Content-Type": V2, "Host": "localhost\"/x"},
                          timeout=TIMEOUT_S)
        self.assertEqual(r.status_code, 200, r.text)
        self.addCleanup(self.http, "DELETE", "/consumers/g2/instances/c2")
        self.assertEqual(r.json()["base_uri"], "http://localhost/consumers/g2/instances/c2")


class FullDiskReadinessTest(unittest.TestCase):
    """The data directory on an 8 MiB tmpfs, mounted in a user and mount namespace of the
    server's own (`unshare -rm`): no root needed, nothing mounted outside."""

    def test_readyz_follows_the_disk(self):
        mount = tempfile.mkdtemp(prefix="brook-full-")
        self.addCleanup(shutil.rmtree, mount, ignore_errors=True)
        probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
        if probe.returncode != 0:
            self.skipTest("no user namespaces here (unshare -rm): " + probe.stderr.decode())
        wrapper = ["unshare", "-rm", "sh", "-c",
                   'mount -t tmpfs -o size=8m tmpfs "$0" && exec "$@"', mount]
        with BrookServer(data_dir=mount, wrapper=wrapper,
                         extra_args=["--segment-bytes", "1048576"]) as brook:
            url = brook.http_url
            self.assertEqual(requests.get(url + "/readyz", timeout=TIMEOUT_S).status_code, 200)
            topic = unique("fill")
            value = b64(os.urandom(256 * 1024))
            failed = 0
            for _ in range(100):
                r = requests.post(f"{url}/topics/{topic}", timeout=TIMEOUT_S,
                                  data=json.dumps({"records": [{"value": value}]}),
                                  headers={"Content-Type": V2_BINARY})
                self.assertEqual(r.status_code, 200, r.text)
                if r.json()["offsets"][0]["error_code"] is not None:
                    failed += 1
                    if failed == 3:
                        break
            self.assertEqual(failed, 3, "8 MiB did not fill up")
            r = requests.get(url + "/readyz", timeout=TIMEOUT_S)
            self.assertEqual(r.status_code, 503, r.text)
            self.assertEqual(r.json()["error_code"], 50302)
            self.assertIn("cannot take writes: No space left on device", r.json()["message"])
            self.assertEqual(logged(brook, "cannot take writes"), 1, "".join(brook.log_lines))
            # Space back: the probe finds it without any producer trying.
            cluster = requests.get(url + "/v3/clusters", timeout=TIMEOUT_S).json()["data"][0]
            r = requests.delete(f"{url}/v3/clusters/{cluster['cluster_id']}/topics/{topic}",
                                timeout=TIMEOUT_S)
            self.assertEqual(r.status_code, 204, r.text)
            wait_until(lambda: requests.get(url + "/readyz", timeout=TIMEOUT_S).status_code == 200,
                       "ready again")
            self.assertEqual(logged(brook, "takes writes again"), 1)
            r = requests.post(f"{url}/topics/{unique('after')}", timeout=TIMEOUT_S,
                              data=json.dumps({"records": [{"value": b64(b"x")}]}),
                              headers={"Content-Type": V2_BINARY})
            self.assertIsNone(r.json()["offsets"][0]["error_code"], r.text)
            brook.check_clean_exit(brook.stop())


if __name__ == "__main__":
    unittest.main()
