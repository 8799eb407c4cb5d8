"""Shared helpers of the REST Proxy compatibility tests (http_*_test.py): a test case with
a requests.Session on the server's HTTP listener, curl and kcat runners, and a raw-socket
HTTP client for what requests cannot send (chunked bodies sent piece by piece, stalls,
garbage). The server and wait_until() come from fixtures.py."""

import base64
import contextlib
import json
import os
import socket
import subprocess
import sys
import time

import requests

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, ServerTestCase, wait_until  # noqa: E402

V2 = "application/vnd.kafka.v2+json"
V2_JSON = "application/vnd.kafka.json.v2+json"
V2_BINARY = "application/vnd.kafka.binary.v2+json"
JSON = "application/json"
KCAT = os.environ.get("KCAT", "/usr/bin/kcat")
CURL = os.environ.get("CURL", "/usr/bin/curl")
TIMEOUT_S = 30  # of one HTTP request


def b64(data):
    return base64.b64encode(data).decode()


def unb64(text):
    return None if text is None else base64.b64decode(text, validate=True)


class RawHttp:
    """One TCP connection to the HTTP listener, spoken by hand: what requests cannot do
    (send a chunked body piece by piece and read answers meanwhile, stall, send garbage)."""

    def __init__(self, port, timeout=TIMEOUT_S):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self, reset=False):
        if reset:  # RST instead of FIN: the peer's next write fails at once
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 (1).to_bytes(4, "little") + (0).to_bytes(4, "little"))
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def send_chunk(self, data):
        self.sock.sendall(b"%x\r\n" % len(data) + data + b"\r\n")

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def read_line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_head(self):
        """The status line and headers: (status, {lower-case name: value})."""
        status_line = self.read_line().decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise AssertionError(f"not an HTTP status line: {status_line!r}")
        headers = {}
        while True:
            line = self.read_line().decode("latin-1")
            if not line:
                return int(parts[1]), headers
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()

    def read_chunk(self):
        """One chunk of a chunked answer (b"" for the last)."""
        size = int(self.read_line().split(b";")[0], 16)
        if size == 0:
            while self.read_line():  # trailers, up to the empty line that ends the answer
                pass
            return b""
        data = self.read_exact(size)
        if self.read_line() != b"":
            raise AssertionError("a chunk does not end with CRLF")
        return data

    def read_response(self):
        """A whole answer: (status, headers, body)."""
        status, headers = self.read_head()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                chunk = self.read_chunk()
                if not chunk:
                    return status, headers, body
                body += chunk
        return status, headers, self.read_exact(int(headers.get("content-length", "0")))

    def read_until_closed(self, timeout):
        """Reads until EOF or a reset; returns (bytes read, seconds it took). Fails if the
        connection stays open longer than `timeout`."""
        start = time.monotonic()
        self.sock.settimeout(timeout)
        data = self.buf
        try:
            while True:
                piece = self.sock.recv(65536)
                if not piece:
                    break
                data += piece
        except (ConnectionResetError, BrokenPipeError):
            pass
        except socket.timeout:
            raise AssertionError(f"the connection was still open after {timeout} s")
        return data, time.monotonic() - start


class HttpTestCase(ServerTestCase):
    """One server per class (extra flags in `server_args`), a requests.Session on its HTTP
    listener, and helpers for the v2 and v3 APIs. Stopping the server checks its clean
    exit and the sanitizer."""

    server_args = ("--group-initial-rebalance-delay-ms", "0")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.session = requests.Session()
        cls._cluster_id = None

    @classmethod
    def tearDownClass(cls):
        cls.session.close()
        super().tearDownClass()

    # -- HTTP ---------------------------------------------------------------------------

    @property
    def url(self):
        return self.brook.http_url

    def http(self, method, path, body=None, content_type=None, accept=None, raw=None,
             session=None, **kwargs):
        """One request; `body` is sent as JSON (compact), `raw` as given."""
        headers = dict(kwargs.pop("headers", {}))
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        data = raw
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
        target = path if path.startswith("http") else self.url + path
        return (session or self.session).request(method, target, data=data, headers=headers,
                                                 timeout=TIMEOUT_S, **kwargs)

    def ok(self, method, path, body=None, status=200, **kwargs):
        """A request that must succeed with `status`; returns the parsed JSON (or None)."""
        r = self.http(method, path, body, **kwargs)
        self.assertEqual(r.status_code, status, f"{method} {path}: {r.status_code} {r.text}")
        return r.json() if r.content else None

    def assert_error(self, r, status, code, what=""):
        """Confluent's error shape: the status, {"error_code", "message"} as JSON."""
        self.assertEqual(r.status_code, status, f"{what}: {r.status_code} {r.text}")
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"),
                        f"{what}: error Content-Type {r.headers.get('Content-Type')}")
        body = r.json()
        self.assertEqual(set(body), {"error_code", "message"}, f"{what}: {body}")
        self.assertEqual(body["error_code"], code, f"{what}: {body}")
        self.assertIsInstance(body["message"], str)
        self.assertTrue(body["message"], f"{what}: empty message")
        return body

    @contextlib.contextmanager
    def loses_nothing(self, topic, partitions=1):
        """Around a refused request: nothing was appended to `topic`, and a valid produce
        right after still works, at the old end."""
        before = [self.offsets(topic, p) for p in range(partitions)]
        yield
        self.assertEqual([self.offsets(topic, p) for p in range(partitions)], before,
                         "a refused request appended records")
        out = self.produce_v2(topic, [{"value": {"after": "bad input"}, "partition": 0}])
        self.assertEqual((out[0]["partition"], out[0]["offset"]), (0, before[0][1]))

    def post(self, path, raw, content_type=V2_JSON):
        return self.http("POST", path, raw=raw, content_type=content_type)

    def healthy(self):
        self.assertEqual(self.ok("GET", "/healthz"), {"status": "ok"})

    def produce_v2(self, topic, records, fmt=V2_JSON, partition=None, session=None):
        """POST /topics/{topic}[/partitions/{p}]; returns the offsets entries (all must
        have succeeded)."""
        path = f"/topics/{topic}" + ("" if partition is None else f"/partitions/{partition}")
        answer = self.ok("POST", path, {"records": records}, content_type=fmt, session=session)
        self.assertEqual(answer["key_schema_id"], None)
        self.assertEqual(answer["value_schema_id"], None)
        for entry in answer["offsets"]:
            self.assertIsNone(entry["error_code"], entry)
        return answer["offsets"]

    def offsets(self, topic, partition=0):
        """(beginning_offset, end_offset) of a partition, through v2."""
        o = self.ok("GET", f"/topics/{topic}/partitions/{partition}/offsets")
        return o["beginning_offset"], o["end_offset"]

    def read_partition(self, topic, partition, offset, count, accept=V2_BINARY):
        return self.ok("GET", f"/topics/{topic}/partitions/{partition}/records"
                       f"?offset={offset}&count={count}", accept=accept)

    def cluster_id(self):
        if type(self)._cluster_id is None:
            clusters = self.ok("GET", "/v3/clusters")
            type(self)._cluster_id = clusters["data"][0]["cluster_id"]
        return type(self)._cluster_id

    def v3(self, path=""):
        return f"/v3/clusters/{self.cluster_id()}{path}"

    def create_topic(self, name, partitions=1, configs=None):
        """Through v3: POST /v3/clusters/{id}/topics (201)."""
        body = {"topic_name": name, "partitions_count": partitions,
                "configs": [{"name": k, "value": v} for k, v in (configs or {}).items()]}
        return self.ok("POST", self.v3("/topics"), body, status=201, content_type=JSON)

    def consumer_instance(self, group, name, fmt="binary", **config):
        """POST /consumers/{group}; returns the base_uri. Deleted at the test's end."""
        body = {"name": name, "format": fmt, "auto.offset.reset": "earliest"}
        body.update(config)
        created = self.ok("POST", f"/consumers/{group}", body, content_type=V2)
        self.assertEqual(created["instance_id"], name)
        base = created["base_uri"]
        self.addCleanup(self.http, "DELETE", base)
        return base

    def read_instance(self, base, count, accept=V2_BINARY, deadline_s=DEADLINE_S):
        """GET {base}/records until `count` records arrived; returns them."""
        got = []

        def enough():
            got.extend(self.ok("GET", base + "/records?timeout=1000", accept=accept))
            return len(got) >= count

        wait_until(enough, lambda: f"{count} records from {base} (have {len(got)})", deadline_s)
        return got

    # -- command-line clients -------------------------------------------------------------

    def curl(self, *args, input=None):
        """curl -s ...; returns (HTTP status, body bytes)."""
        cmd = [CURL, "-s", "-S", "-o", "-", "-w", "\n%{http_code}", *args]
        r = subprocess.run(cmd, input=input, capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, f"{cmd}: {r.stderr.decode(errors='replace')}")
        body, _, code = r.stdout.rpartition(b"\n")
        return int(code), body

    def kcat(self, *args):
        cmd = [KCAT, "-b", self.brook.bootstrap, *args]
        r = subprocess.run(cmd, capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, f"{cmd}: {r.stderr.decode(errors='replace')}")
        return r.stdout

    def raw(self, timeout=TIMEOUT_S):
        conn = RawHttp(self.brook.http_port, timeout)
        self.addCleanup(conn.close)
        return conn
