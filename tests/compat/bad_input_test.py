#!/usr/bin/python3
"""Hostile and malformed input on the Kafka port of a real `brook serve`: each case gets
the error code Kafka gives, or the connection is closed where Kafka closes it; the broker
keeps serving everyone else and loses nothing it acknowledged. Requests are encoded with
kafka-python's protocol classes (an independent implementation of the wire format)."""

import socket
import struct
import sys
import unittest

from kafka.protocol.fetch import FetchRequest, FetchResponse
from kafka.protocol.metadata import MetadataRequest, MetadataResponse
from kafka.protocol.produce import ProduceRequest, ProduceResponse

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import ServerTestCase  # noqa: E402
from kafka_wire import (CORRUPT_MESSAGE, Conn, INVALID_REQUIRED_ACKS,
                        INVALID_TOPIC_EXCEPTION, MESSAGE_TOO_LARGE, OFFSET_OUT_OF_RANGE,
                        UNKNOWN_TOPIC_OR_PARTITION, UNSUPPORTED_VERSION, batch, fetch,
                        produce)  # noqa: E402


class BadInputTest(ServerTestCase):
    server_args = ("--default-partitions", "1")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.good = Conn(cls.brook.port)
        # Data acknowledged before the abuse starts; it must all be there at the end.
        cls.acked = []
        for i in range(10):
            value = f"before-{i}".encode()
            p = produce(cls.good, "safe", 0, batch([value]))
            assert p[1] == 0, p
            cls.acked.append((p[2], value))

    @classmethod
    def tearDownClass(cls):
        cls.good.close()
        super().tearDownClass()

    def tearDown(self):
        # Everyone else is still served after each case.
        resp = self.good.request(MetadataRequest[1](topics=["safe"]))
        self.assertEqual(resp.topics[0][0], 0)

    def test_negative_frame_size_closes_connection(self):
        c = Conn(self.brook.port)
        c.send_raw(struct.pack(">i", -5))
        self.assertTrue(c.closed_by_peer())

    def test_oversized_frame_closes_connection(self):
        c = Conn(self.brook.port)
        c.send_raw(struct.pack(">i", 200 * 1024 * 1024))
        self.assertTrue(c.closed_by_peer())

    def test_truncated_frame_then_disconnect(self):
        c = Conn(self.brook.port)
        c.send_raw(struct.pack(">i", 1000) + b"\x00\x03\x00\x01")
        c.close()

    def test_garbage_header_closes_connection(self):
        c = Conn(self.brook.port)
        c.send_raw(struct.pack(">i", 9) + b"\x00\x03\x00\x01\x00\x00\x00\x01\x7f")
        self.assertTrue(c.closed_by_peer())

    def test_unknown_api_key_closes_connection(self):
        c = Conn(self.brook.port)
        c.frame(9999, 0, b"")
        self.assertTrue(c.closed_by_peer())

    def test_unsupported_metadata_version_closes_connection(self):
        c = Conn(self.brook.port)
        c.frame(3, 99, b"")
        self.assertTrue(c.closed_by_peer())

    def test_unsupported_api_versions_version_answers_v0_with_error(self):
        c = Conn(self.brook.port)
        cid = c.frame(18, 99, b"")
        size = struct.unpack(">i", c.read_exact(4))[0]
        payload = c.read_exact(size)
        got_cid, error, count = struct.unpack(">ihi", payload[:10])
        self.assertEqual(got_cid, cid)
        self.assertEqual(error, UNSUPPORTED_VERSION)
        self.assertGreater(count, 0)
        keys = {struct.unpack(">hhh", payload[10 + 6 * i:16 + 6 * i])[0] for i in range(count)}
        self.assertTrue({0, 1, 2, 3, 18}.issubset(keys))

    def test_truncated_body_closes_connection(self):
        c = Conn(self.brook.port)
        req = ProduceRequest[7](transactional_id=None, required_acks=-1, timeout=1000,
                                topics=[("safe", [(0, batch([b"x"]))])])
        body = req.encode()
        c.frame(0, 7, body[:-20])
        self.assertTrue(c.closed_by_peer())

    def test_huge_array_count_closes_connection(self):
        c = Conn(self.brook.port)
        c.frame(3, 1, struct.pack(">i", 0x7FFFFFFF) + b"\x00\x01a")
        self.assertTrue(c.closed_by_peer())

    def test_bad_crc_is_corrupt_message(self):
        c = Conn(self.brook.port)
        b = bytearray(batch([b"payload"]))
        b[-1] ^= 0xFF
        p = produce(c, "safe", 0, bytes(b))
        self.assertEqual(p[1], CORRUPT_MESSAGE)

    def test_wrong_magic_is_refused(self):
        c = Conn(self.brook.port)
        b = bytearray(batch([b"payload"]))
        b[16] = 1  # read as a message set of magic 1, which it is not
        p = produce(c, "safe", 0, bytes(b))
        self.assertEqual(p[1], CORRUPT_MESSAGE)
        b[16] = 7
        p = produce(c, "safe", 0, bytes(b))
        self.assertEqual(p[1], CORRUPT_MESSAGE)

    def test_truncated_batch_is_corrupt_message(self):
        c = Conn(self.brook.port)
        p = produce(c, "safe", 0, batch([b"payload"])[:40])
        self.assertEqual(p[1], CORRUPT_MESSAGE)

    def test_batch_above_max_message_bytes_is_message_too_large(self):
        c = Conn(self.brook.port)
        p = produce(c, "safe", 0, batch([b"x" * (2 * 1024 * 1024)]))
        self.assertEqual(p[1], MESSAGE_TOO_LARGE)

    def test_invalid_topic_name(self):
        c = Conn(self.brook.port)
        p = produce(c, "bad topic!", 0, batch([b"x"]))
        self.assertEqual(p[1], INVALID_TOPIC_EXCEPTION)
        resp = c.request(MetadataRequest[1](topics=["bad topic!"]))
        self.assertEqual(resp.topics[0][0], INVALID_TOPIC_EXCEPTION)

    def test_missing_partition(self):
        c = Conn(self.brook.port)
        p = produce(c, "safe", 7, batch([b"x"]))
        self.assertEqual(p[1], UNKNOWN_TOPIC_OR_PARTITION)
        f = fetch(c, "safe", 7, 0)
        self.assertEqual(f[1], UNKNOWN_TOPIC_OR_PARTITION)

    def test_invalid_acks(self):
        c = Conn(self.brook.port)
        p = produce(c, "safe", 0, batch([b"x"]), acks=5)
        self.assertEqual(p[1], INVALID_REQUIRED_ACKS)

    def test_fetch_out_of_range(self):
        c = Conn(self.brook.port)
        f = fetch(c, "safe", 0, 1_000_000)
        self.assertEqual(f[1], OFFSET_OUT_OF_RANGE)
        f = fetch(c, "safe", 0, -5)
        self.assertEqual(f[1], OFFSET_OUT_OF_RANGE)

    def test_client_gone_during_a_large_fetch_answer(self):
        # The peer resets the connection while the broker is still sending a fetch answer
        # (sendfile): only that connection may go; the broker must not die of SIGPIPE.
        for i in range(16):  # 16 MB in batches under max.message.bytes
            value = bytes([i]) * 1_000_000
            self.assertEqual(produce(self.good, "fetch-big", 0, batch([value]))[1], 0)
        for _ in range(20):
            c = Conn(self.brook.port)
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            req = FetchRequest[4](replica_id=-1, max_wait_time=0, min_bytes=0,
                                  max_bytes=64 << 20, isolation_level=0,
                                  topics=[("fetch-big", [(0, 0, 64 << 20)])])
            c.frame(req.API_KEY, req.API_VERSION, req.encode())
            c.read_exact(4)  # the answer has started
            # SO_LINGER 0: close with a reset, whatever the broker is still writing.
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
        self.assertIsNone(self.brook.proc.poll(), "brook exited")

    def test_zz_nothing_acknowledged_is_lost(self):
        # Runs last (alphabetical): every acknowledged record is still there, in place,
        # and nothing refused was written.
        f = fetch(self.good, "safe", 0, 0)
        self.assertEqual(f[1], 0)
        from kafka.record import MemoryRecords
        records = MemoryRecords(f[-1])
        got = []
        while True:
            b = records.next_batch()
            if b is None:
                break
            for r in b:
                got.append((r.offset, r.value))
        self.assertEqual(got[:len(self.acked)], self.acked)
        self.assertTrue(all(v.startswith(b"before-") for _, v in got), got)
        self.assertEqual(self.brook.sanitizer_reports(), [])


if __name__ == "__main__":
    unittest.main()
