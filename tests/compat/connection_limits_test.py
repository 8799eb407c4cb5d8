#!/usr/bin/python3
"""Limits of the Kafka listener against careless and hostile clients, on a real
`brook serve`: idle connections are closed after kafka.connections_max_idle_ms, a request
that stops halfway after kafka.request_read_timeout_ms, connections past
kafka.max_connections at once; a frame that announces 100 MB and sends nothing holds no
100 MB. Each limit says so in the server's log, and the server keeps serving."""

import select
import socket
import struct
import sys
import time
import unittest

from kafka.protocol.metadata import MetadataRequest

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import ServerTestCase, wait_until  # noqa: E402
from kafka.protocol.produce import ProduceRequest  # noqa: E402
from kafka_wire import Conn, batch, fetch, produce  # noqa: E402

IDLE_MS = 1500
READ_TIMEOUT_MS = 1500
MAX_CONNECTIONS = 20


def metadata(conn):
    return conn.request(MetadataRequest[1](topics=[]))


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


class LimitsTestCase(ServerTestCase):
    def closed_by_broker(self, conn, within_s):
        """True once the broker closed `conn` (recv answers end of stream), within
        `within_s` seconds; False when it stays open that long."""
        conn.sock.settimeout(within_s)
        try:
            return conn.sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def logged(self, text):
        return any(text in line for line in self.brook.log_lines)

    def served(self, source=None):
        """A new connection (from `source`, a loopback address, if given) whose Metadata is
        answered, or None when the broker closes it instead. Closed at the test's end."""
        c = Conn(self.brook.port, source=source)
        self.addCleanup(c.close)
        try:
            metadata(c)
            return c
        except (ConnectionError, socket.timeout, OSError):
            return None


class ConnectionTimeoutsTest(LimitsTestCase):
    server_args = ("--kafka-connections-max-idle-ms", str(IDLE_MS),
                   "--kafka-request-read-timeout-ms", str(READ_TIMEOUT_MS))

    def test_idle_connection_is_closed_and_a_busy_one_is_not(self):
        idle = self.connect()
        busy = self.connect()
        metadata(idle)
        started = time.monotonic()
        # The busy one sends a request every 300 ms for twice the idle limit.
        while time.monotonic() - started < 2 * IDLE_MS / 1000:
            metadata(busy)
            time.sleep(0.3)  # the client's pace, not a synchronisation
        self.assertTrue(self.closed_by_broker(idle, 30), "the idle connection stayed open")
        self.assertGreaterEqual(time.monotonic() - started, IDLE_MS / 1000 * 0.9)
        metadata(busy)  # still served
        wait_until(lambda: self.logged("idle for 1500 ms (kafka.connections_max_idle_ms)"),
                   "the idle close in the log")

    def test_half_a_request_is_cut_off(self):
        c = self.connect()
        req = MetadataRequest[1](topics=[])
        body = req.encode()
        header = struct.pack(">hhih", 3, 1, 1, 4) + b"half"
        frame = header + body
        started = time.monotonic()
        c.send_raw(struct.pack(">i", len(frame) + 1000) + frame)  # 1000 bytes never come
        self.assertTrue(self.closed_by_broker(c, 30), "the half request was kept")
        elapsed = time.monotonic() - started
        self.assertGreaterEqual(elapsed, READ_TIMEOUT_MS / 1000 * 0.9)
        wait_until(lambda: self.logged("did not arrive whole within 1500 ms"),
                   "the read timeout in the log")
        metadata(self.connect())

    def test_announced_frames_hold_no_memory_until_their_bytes_arrive(self):
        # Ten connections announce a 100 MB request (under kafka.max_request_bytes) and send
        # 10 bytes of it. A broker that allocated the announced size would hold 1 GB.
        before = rss_bytes(self.brook.proc.pid)
        hostile = []
        for _ in range(10):
            c = Conn(self.brook.port)
            self.addCleanup(c.close)
            c.send_raw(struct.pack(">i", 100 << 20) + b"\x00" * 10)
            hostile.append(c)
        metadata(self.connect())  # served meanwhile
        peak = before
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            peak = max(peak, rss_bytes(self.brook.proc.pid))
            time.sleep(0.05)  # sampling the server's memory
        self.assertLess(peak - before, 100 << 20, f"RSS grew by {(peak - before) >> 20} MiB")
        for c in hostile:
            self.assertTrue(self.closed_by_broker(c, 30))


class ConnectionCapTest(LimitsTestCase):
    server_args = ("--kafka-max-connections", str(MAX_CONNECTIONS))

    def test_connections_past_the_cap_are_closed(self):
        held = []
        refused = None
        for _ in range(MAX_CONNECTIONS + 1):
            c = self.served()
            if c is None:
                refused = True
                break
            held.append(c)
        self.assertIsNotNone(refused, f"{len(held)} connections, none refused")
        self.assertEqual(len(held), MAX_CONNECTIONS)
        wait_until(lambda: self.logged(f"kafka.max_connections ({MAX_CONNECTIONS}) reached"),
                   "the refusal in the log")
        held.pop().close()
        wait_until(lambda: self.served() is not None, "a connection once one was closed")


class PerAddressCapTest(LimitsTestCase):
    server_args = ("--kafka-max-connections-per-ip", "3")

    def test_one_address_cannot_take_every_connection(self):
        held = [self.served("127.0.0.2") for _ in range(3)]
        self.assertTrue(all(held))
        self.assertIsNone(self.served("127.0.0.2"))
        wait_until(lambda: self.logged("kafka.max_connections_per_ip (3) reached"),
                   "the refusal in the log")
        self.assertIsNotNone(self.served("127.0.0.3"), "another address is refused too")
        held.pop().close()
        wait_until(lambda: self.served("127.0.0.2") is not None,
                   "127.0.0.2 served once one of its connections closed")


QUEUED_MAX = 600 << 10


class RequestMemoryTest(LimitsTestCase):
    """kafka.queued_max_request_bytes: while one connection's large request is arriving
    and holds the budget, other connections read nothing more; they are served once it is
    handled. A request larger than the whole budget still goes through alone."""

    server_args = ("--queued-max-request-bytes", str(QUEUED_MAX))

    def a_request_that_waits(self):
        """A connection whose Metadata request waits for the budget: requests are sent on
        new connections until the server logs that one waits (those served before the
        holder's frame has grown past the budget are read and dropped)."""
        while True:
            c = self.connect()
            small = MetadataRequest[1](topics=[])  # kept in a variable: kafka-python needs it
            correlation = c.frame(3, 1, small.encode())

            def answered_or_waiting():
                return (select.select([c.sock], [], [], 0.05)[0] or
                        self.logged("kafka.queued_max_request_bytes"))
            wait_until(answered_or_waiting, "an answer or a wait")
            if not select.select([c.sock], [], [], 0)[0]:
                return c, correlation
            c.response(correlation)

    def test_reading_waits_while_the_budget_is_held(self):
        topic = "queued-bytes"
        setup = self.connect()
        self.assertEqual(produce(setup, topic, 0, batch([b"first"]))[1], 0)
        big = ProduceRequest[7](transactional_id=None, required_acks=-1, timeout=10000,
                                topics=[(topic, [(0, batch([b"x" * (900 << 10)]))])])
        header = struct.pack(">hhih", big.API_KEY, big.API_VERSION, 7, 4) + b"test"
        frame = header + big.encode()
        self.assertGreater(len(frame), QUEUED_MAX)
        holder = self.connect()
        holder.send_raw(struct.pack(">i", len(frame)) + frame[:700 << 10])
        waiting, correlation = self.a_request_that_waits()
        waiting.sock.settimeout(1)
        with self.assertRaises(socket.timeout, msg="answered while the budget was held"):
            waiting.sock.recv(1)
        waiting.sock.settimeout(30)
        holder.send_raw(frame[700 << 10:])
        size = struct.unpack(">i", holder.read_exact(4))[0]
        self.assertEqual(struct.unpack(">i", holder.read_exact(size)[:4])[0], 7)
        self.assertIsNotNone(waiting.response(correlation))
        self.assertEqual(fetch(setup, topic, 0, 1)[1], 0)
        self.assertTrue(any(len(r.value) == 900 << 10 for r in records_of(setup, topic)))


def records_of(conn, topic):
    """The records of partition 0 from offset 0 (one Fetch)."""
    from kafka.record import MemoryRecords
    part = fetch(conn, topic, 0, 0)
    out, batches = [], MemoryRecords(part[5])
    while batches.has_next():
        out.extend(batches.next_batch())
    return out


if __name__ == "__main__":
    unittest.main()
