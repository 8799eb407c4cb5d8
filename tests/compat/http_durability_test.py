#!/usr/bin/python3
"""Durability of the REST Proxy, proven by killing `brook serve` with SIGKILL while HTTP
clients write, and starting it again on the same data directory:

- v2 produce: four threads, each with its own keep-alive requests.Session, post batches of
  1 to 20 records (json format, each value carrying a unique id) as fast as they can. After
  about 2000 acknowledged records the server is killed with requests in flight. Afterwards
  every acknowledged record is at exactly the partition and offset its answer gave, with the
  exact value text sent; the offsets of each partition are dense; no record is there twice;
  nothing is there that was not sent.
- v3 streaming produce: two chunked request bodies of concatenated records, their result
  lines read as they stream back, killed mid-stream: every record whose result line arrived
  before the kill is at its offset, with the same checks.
- v2 consumer instances: offsets committed over HTTP survive the kill: a new instance in the
  same group resumes exactly after them.

Nothing waits on time: the test waits on answers, on conditions with deadlines
(wait_until), and on the server's ready line."""

import base64
import json
import random
import socket
import sys
import threading
import unittest

import requests

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import DEADLINE_S, BrookServer, unique, wait_until  # noqa: E402
from http_helpers import JSON, TIMEOUT_S, V2, V2_BINARY, V2_JSON, RawHttp  # noqa: E402

PARTITIONS = 3
ACKED_BEFORE_KILL = 2000
PAGE = 500  # records per stateless read
WINDOW = 500  # records a v3 stream may send ahead of its results
SESSION_TIMEOUT_S = 45  # of a REST consumer instance (consumer_instance.cc)


def value_text(writer, seq):
    """A record's value: JSON text with a unique id and some spacing, so that the stored
    bytes prove the text was kept exactly as sent."""
    return '{"id": "%s", "seq": %d,  "pad":"%s"}' % (record_id(writer, seq), seq, "x" * (seq % 37))


def record_id(writer, seq):
    return f"{writer}-{seq:07d}"


def id_of(value):
    return json.loads(value)["id"]


class HttpDurabilityTest(unittest.TestCase):

    def setUp(self):
        self.brook = BrookServer(extra_args=("--group-initial-rebalance-delay-ms", "0"))
        self.brook.start()
        self.addCleanup(self.brook.__exit__, None, None, None)
        self.session = requests.Session()
        self.addCleanup(lambda: self.session.close())  # the session of the time

    # -- helpers --------------------------------------------------------------------------

    def ok(self, method, path, body=None, status=200, content_type=V2, accept=None):
        headers = {"Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        data = None if body is None else json.dumps(body).encode()
        r = self.session.request(method, self.brook.http_url + path, data=data,
                                 headers=headers, timeout=TIMEOUT_S)
        self.assertEqual(r.status_code, status, f"{method} {path}: {r.status_code} {r.text}")
        return r.json() if r.content else None

    def cluster_path(self):
        cluster_id = self.ok("GET", "/v3/clusters")["data"][0]["cluster_id"]
        return f"/v3/clusters/{cluster_id}"

    def create_topic(self, name, partitions=PARTITIONS):
        self.ok("POST", self.cluster_path() + "/topics", content_type=JSON, status=201,
                body={"topic_name": name, "partitions_count": partitions})

    def restart(self, port):
        """Starts the killed server again on the same data directory and Kafka port (the
        HTTP port is a new free one)."""
        self.brook.start(port=port)
        # The pooled connections went with the old process.
        self.session.close()
        self.session = requests.Session()

    def kill_and_restart(self):
        port = self.brook.port
        self.brook.kill()
        self.restart(port)

    def read_partition(self, topic, partition):
        """Every record of a partition, by stateless reads in pages: [(offset, value bytes)]."""
        offsets = self.ok("GET", f"/topics/{topic}/partitions/{partition}/offsets")
        self.assertEqual(offsets["beginning_offset"], 0)
        end = offsets["end_offset"]
        got = []
        while len(got) < end:
            page = self.ok("GET", f"/topics/{topic}/partitions/{partition}/records"
                           f"?offset={len(got)}&count={PAGE}", accept=V2_BINARY)
            self.assertTrue(page, f"partition {partition}: nothing at offset {len(got)} of {end}")
            for r in page:
                self.assertEqual((r["topic"], r["partition"]), (topic, partition))
                got.append((r["offset"], base64.b64decode(r["value"], validate=True)))
        # Dense: 0, 1, 2, ... up to the end, each once.
        self.assertEqual([o for o, _ in got], list(range(end)), f"offsets of partition {partition}")
        return got

    def check_log(self, topic, acked, sent, failed_ids):
        """`acked`: {id: (partition, offset, value text)} from the answers; `sent`: every id
        sent (acknowledged or not); `failed_ids`: ids of records whose request failed."""
        log = {}
        seen = {}
        for p in range(PARTITIONS):
            for offset, value in self.read_partition(topic, p):
                log[(p, offset)] = value
                rid = id_of(value)
                seen[rid] = seen.get(rid, 0) + 1
        for rid, (p, offset, text) in acked.items():
            self.assertEqual(log.get((p, offset)), text.encode(),
                             f"acknowledged record {rid} at partition {p} offset {offset}")
        # The requests were never retried, so nothing may be there twice; an id may be there
        # without an acknowledgement only if its request failed.
        twice = sorted(rid for rid, n in seen.items() if n > 1)
        self.assertEqual(twice, [], "records written twice")
        unknown = sorted(rid for rid in seen if rid not in sent)
        self.assertEqual(unknown, [], "records nobody sent")
        unacked = sorted(rid for rid in seen if rid not in acked and rid not in failed_ids)
        self.assertEqual(unacked, [], "records stored but neither acknowledged nor failed")
        return log

    # -- v2 produce ---------------------------------------------------------------------------

    def test_v2_produce_through_a_kill(self):
        topic = unique("durable")
        self.create_topic(topic)
        lock = threading.Lock()
        acked = {}           # id -> (partition, offset, value text)
        sent = set()
        failed_ids = set()   # ids in requests that failed (no answer, or an error)
        in_flight = [0]
        stop = threading.Event()
        errors = []          # unexpected failures while the server was up

        def writer(name):
            rng = random.Random(name)
            session = requests.Session()
            seq = 0
            url = self.brook.http_url + f"/topics/{topic}"
            try:
                while not stop.is_set():
                    batch = []
                    for _ in range(rng.randint(1, 20)):
                        text = value_text(name, seq)
                        how = rng.randrange(3)
                        if how == 0:    # a chosen partition
                            rec = '{"value":%s,"partition":%d}' % (text, rng.randrange(PARTITIONS))
                        elif how == 1:  # a key: murmur2 picks
                            rec = '{"key":"k%d","value":%s}' % (seq % 101, text)
                        else:           # neither: the server picks
                            rec = '{"value":%s}' % text
                        batch.append((record_id(name, seq), text, rec))
                        seq += 1
                    body = '{"records":[%s]}' % ",".join(rec for _, _, rec in batch)
                    with lock:
                        sent.update(rid for rid, _, _ in batch)
                        in_flight[0] += 1
                    try:
                        r = session.post(url, data=body.encode(),
                                         headers={"Content-Type": V2_JSON}, timeout=TIMEOUT_S)
                        answer = r.json() if r.status_code == 200 else None
                    except (requests.RequestException, ValueError) as e:
                        r, answer = e, None
                    with lock:
                        in_flight[0] -= 1
                        if answer is None:
                            failed_ids.update(rid for rid, _, _ in batch)
                            if not stop.is_set():
                                errors.append(f"{name}: {r!r}")
                            return
                        offsets = answer["offsets"]
                        if len(offsets) != len(batch):
                            errors.append(f"{name}: {len(offsets)} offsets for {len(batch)}")
                            return
                        for (rid, text, _), o in zip(batch, offsets):
                            if o["error_code"] is None:
                                acked[rid] = (o["partition"], o["offset"], text)
                            else:
                                failed_ids.add(rid)
                                errors.append(f"{name}: record {rid} failed: {o}")
            finally:
                session.close()

        threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        try:
            def enough():
                with lock:
                    self.assertEqual(errors, [])
                    return len(acked) >= ACKED_BEFORE_KILL
            wait_until(enough, lambda: f"{ACKED_BEFORE_KILL} acknowledged (have {len(acked)})")
            with lock:
                stop.set()  # failures from here on are the kill's
                busy = in_flight[0]
            port = self.brook.port
            self.brook.kill()
        finally:
            stop.set()
            for t in threads:
                t.join(DEADLINE_S)
        self.assertFalse(any(t.is_alive() for t in threads), "a writer did not stop")
        self.assertEqual(errors, [])
        self.assertGreater(busy, 0, "the kill happened with requests in flight")
        self.assertGreaterEqual(len(acked), ACKED_BEFORE_KILL)
        with lock:
            acked_at_kill = dict(acked)

        self.restart(port)
        log = self.check_log(topic, acked_at_kill, sent, failed_ids)
        # The partitions the server chose are real partitions, and every one was written.
        self.assertEqual({p for p, _, _ in acked_at_kill.values()}, set(range(PARTITIONS)))
        # Writable after the restart, at the old end.
        ends = {p: 1 + max([o for (q, o) in log if q == p], default=-1) for p in range(PARTITIONS)}
        r = self.ok("POST", f"/topics/{topic}/partitions/1", content_type=V2_JSON,
                    body={"records": [{"value": {"after": "restart"}}]})
        self.assertEqual(r["offsets"][0]["offset"], ends[1])
        self.brook.check_clean_exit(self.brook.stop())

    # -- v3 streaming produce -----------------------------------------------------------------

    def test_v3_streaming_produce_through_a_kill(self):
        topic = unique("durable3")
        self.create_topic(topic)
        path = self.cluster_path() + f"/topics/{topic}/records"
        lock = threading.Lock()
        acked = {}
        sent = set()
        lines = [0]
        threads = []
        streams = []
        errors = []
        stop = threading.Event()
        progress = threading.Condition(lock)

        def open_stream(name):
            conn = RawHttp(self.brook.http_port)
            streams.append(conn)
            conn.send(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.brook.http_port}\r\n"
                      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                      .encode())
            order = []  # the ids in the order sent: result line i is for order[i]
            answered = [0]  # result lines read

            def send():
                rng = random.Random(name)
                seq = 0
                try:
                    while not stop.is_set():
                        # At most WINDOW records without a result, so that the kill falls
                        # in the middle of a stream the server is working through.
                        with progress:
                            progress.wait_for(lambda: stop.is_set() or
                                              len(order) - answered[0] < WINDOW, DEADLINE_S)
                        pieces = []
                        for _ in range(rng.randint(1, 20)):
                            text = value_text(name, seq)
                            rid = record_id(name, seq)
                            if seq % 2:
                                rec = ('{"partition_id":%d,"value":{"type":"JSON","data":%s}}'
                                       % (rng.randrange(PARTITIONS), text))
                            else:
                                rec = ('{"key":{"type":"STRING","data":"k%d"},'
                                       '"value":{"type":"JSON","data":%s}}\n' % (seq % 101, text))
                            with lock:
                                sent.add(rid)
                                order.append((rid, text))
                            pieces.append(rec)
                            seq += 1
                        data = "".join(pieces).encode()
                        # Chunks cut anywhere, records across chunk boundaries.
                        while data:
                            cut = rng.randint(1, max(1, len(data)))
                            conn.send_chunk(data[:cut])
                            data = data[cut:]
                except OSError:
                    pass  # the kill

            def receive():
                try:
                    status, headers = conn.read_head()
                    if status != 200:
                        errors.append(f"{name}: status {status}")
                        return
                    pending = b""
                    index = 0
                    while True:
                        chunk = conn.read_chunk()
                        if not chunk:
                            errors.append(f"{name}: the answer ended before the kill")
                            return
                        pending += chunk
                        while b"\n" in pending:
                            line, pending = pending.split(b"\n", 1)
                            result = json.loads(line)
                            with lock:
                                rid, text = order[index]
                                index += 1
                                lines[0] += 1
                                answered[0] = index
                                progress.notify_all()
                                if result.get("error_code") != 200:
                                    errors.append(f"{name}: {rid}: {result}")
                                    continue
                                if result["topic_name"] != topic:
                                    errors.append(f"{name}: {rid}: {result}")
                                acked[rid] = (result["partition_id"], result["offset"], text)
                except (OSError, EOFError, AssertionError, ValueError) as e:
                    if not stop.is_set():
                        errors.append(f"{name}: {e!r}")

            for target in (send, receive):
                t = threading.Thread(target=target)
                t.start()
                threads.append(t)

        for name in ("s0", "s1"):
            open_stream(name)
        try:
            def enough():
                with lock:
                    self.assertEqual(errors, [])
                    return len(acked) >= ACKED_BEFORE_KILL
            wait_until(enough, lambda: f"{ACKED_BEFORE_KILL} results (have {len(acked)})")
            with lock:
                stop.set()
                progress.notify_all()
                in_flight = len(sent) - lines[0]
                acked_at_kill = dict(acked)
            port = self.brook.port
            self.brook.kill()
        finally:
            with lock:
                stop.set()
                progress.notify_all()
            for conn in streams:
                try:
                    conn.sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked on it
                except OSError:
                    pass
                conn.close()
            for t in threads:
                t.join(DEADLINE_S)
        self.assertFalse(any(t.is_alive() for t in threads), "a stream thread did not stop")
        self.assertEqual(errors, [])
        self.assertGreater(in_flight, 0, "the kill happened with records in flight")
        # Result lines may have arrived between the count above and the kill: those records
        # were acknowledged too and are checked as well.
        with lock:
            acked_at_kill.update(acked)
            not_acked = sent - set(acked)

        self.restart(port)
        self.check_log(topic, acked_at_kill, sent, not_acked)
        self.brook.check_clean_exit(self.brook.stop())

    # -- v2 consumer offsets ------------------------------------------------------------------

    def consumer(self, group, name, topic=None):
        """A json consumer instance without auto-commit, subscribed to `topic` if given;
        returns its path."""
        created = self.ok("POST", f"/consumers/{group}", body={
            "name": name, "format": "json", "auto.offset.reset": "earliest",
            "auto.commit.enable": "false"})
        base = created["base_uri"]
        self.assertTrue(base.startswith(self.brook.http_url), base)
        base = base[len(self.brook.http_url):]
        if topic is not None:
            self.ok("POST", base + "/subscription", body={"topics": [topic]}, status=204)
        return base

    def read_records(self, base, want, deadline_s=DEADLINE_S):
        """Reads the instance until `want(records so far)` holds; returns the records."""
        got = []

        def enough():
            got.extend(self.ok("GET", base + "/records?timeout=1000", accept=V2_JSON))
            return want(got)

        wait_until(enough, lambda: f"records from {base} (have {len(got)})", deadline_s)
        return got

    def check_resumed(self, base, topic, consumed, per_partition, deadline_s=DEADLINE_S):
        """`base` reads exactly the records after `consumed` ({partition: last offset
        committed as consumed}), and nothing more."""
        want = sorted((p, o) for p in range(PARTITIONS)
                      for o in range(consumed[p] + 1, per_partition))
        got = self.read_records(base, lambda g: len(g) >= len(want), deadline_s)
        self.assertEqual(sorted((r["partition"], r["offset"]) for r in got), want,
                         f"{base} resumes exactly after the committed offsets")
        for r in got:
            self.assertEqual((r["topic"], r["value"]),
                             (topic, {"p": r["partition"], "i": r["offset"]}))
        self.assertEqual(self.ok("GET", base + "/records?timeout=200", accept=V2_JSON), [])

    def test_committed_offsets_survive_a_kill(self):
        topic = unique("commits")
        group = unique("group")
        self.create_topic(topic)
        per_partition = 40
        for p in range(PARTITIONS):
            self.ok("POST", f"/topics/{topic}/partitions/{p}", content_type=V2_JSON,
                    body={"records": [{"value": {"p": p, "i": i}} for i in range(per_partition)]})
        partitions = [{"topic": topic, "partition": p} for p in range(PARTITIONS)]

        first = self.consumer(group, "first", topic)
        got = self.read_records(first, lambda g: len(g) >= PARTITIONS * per_partition)
        self.assertEqual(len(got), PARTITIONS * per_partition)
        # With no body, the commit is of the positions: the end of every partition.
        self.ok("POST", first + "/offsets")
        committed = self.ok("GET", first + "/offsets", body={"partitions": partitions})
        self.assertEqual(sorted((c["partition"], c["offset"]) for c in committed["offsets"]),
                         [(p, per_partition) for p in range(PARTITIONS)])
        # Then back to a point inside, different on each partition: the last record
        # consumed, so the committed offset (the next to read) is one more.
        consumed = {p: 3 + 5 * p for p in range(PARTITIONS)}
        self.ok("POST", first + "/offsets", body={"offsets": [
            {"topic": topic, "partition": p, "offset": o} for p, o in consumed.items()]})
        committed = self.ok("GET", first + "/offsets", body={"partitions": partitions})
        self.assertEqual(sorted((c["partition"], c["offset"]) for c in committed["offsets"]),
                         [(p, o + 1) for p, o in sorted(consumed.items())])

        # Killed right after the commit's answer, the instance still a member of the group.
        self.kill_and_restart()

        # An instance of the group that reads by assignment starts at once from the
        # committed offsets (the later commit, not the earlier).
        assigned = self.consumer(group, "assigned")
        committed = self.ok("GET", assigned + "/offsets", body={"partitions": partitions})
        self.assertEqual(sorted((c["partition"], c["offset"]) for c in committed["offsets"]),
                         [(p, o + 1) for p, o in sorted(consumed.items())])
        self.ok("POST", assigned + "/assignments", body={"partitions": partitions}, status=204)
        self.check_resumed(assigned, topic, consumed, per_partition)
        self.ok("DELETE", assigned, status=204)

        # A subscribed one joins the group once the killed member's session has expired
        # (the REST instances' session.timeout.ms), and resumes at the same place.
        second = self.consumer(group, "second", topic)
        self.check_resumed(second, topic, consumed, per_partition,
                           deadline_s=SESSION_TIMEOUT_S + DEADLINE_S)
        self.ok("DELETE", second, status=204)
        self.brook.check_clean_exit(self.brook.stop())

if __name__ == "__main__":
    unittest.main()
