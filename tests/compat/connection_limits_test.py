#!/usr/bin/python3
"""Limits of the Kafka listener against careless and hostile clients, on a real
`brook serve`: idle connections are closed after kafka.connections_max_idle_ms, a request
that stops halfway after kafka.request_read_timeout_ms, connections past
kafka.max_connections at once; a frame that announces 100 MB and sends nothing holds no
100 MB. Each limit says so in the server's log, and the server keeps serving."""

import socket
import struct
import sys
import time
import unittest

from kafka.protocol.metadata import MetadataRequest

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import ServerTestCase, wait_until  # noqa: E402
from kafka_wire import Conn  # noqa: E402

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
            c = Conn(self.brook.port)
            self.addCleanup(c.close)
            try:
                metadata(c)
            except (ConnectionError, socket.timeout, OSError):
                refused = c
                break
            held.append(c)
        self.assertIsNotNone(refused, f"{len(held)} connections, none refused")
        self.assertEqual(len(held), MAX_CONNECTIONS)
        wait_until(lambda: self.logged(f"kafka.max_connections ({MAX_CONNECTIONS}) reached"),
                   "the refusal in the log")
        held.pop().close()

        def one_more():
            c = Conn(self.brook.port)
            self.addCleanup(c.close)
            try:
                metadata(c)
                return True
            except (ConnectionError, socket.timeout, OSError):
                return False
        wait_until(one_more, "a connection once one was closed")


if __name__ == "__main__":
    unittest.main()
