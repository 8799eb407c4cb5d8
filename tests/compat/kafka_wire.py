"""Raw Kafka requests for the compatibility tests, for what no client sends: a connection
that frames requests by hand (Conn), and the flexible encoding of KIP-482 (Writer, Reader)
for the versions kafka-python has no classes for. Versions that are not flexible are
encoded with kafka-python's protocol classes (an independent implementation of the wire
format) and sent with Conn.request()."""

import socket
import struct

from kafka.protocol.fetch import FetchRequest
from kafka.protocol.produce import ProduceRequest
from kafka.record.default_records import DefaultRecordBatchBuilder

TIMEOUT_S = 30  # of one read or write on a connection

# Kafka error codes (org.apache.kafka.common.protocol.Errors).
NONE = 0
OFFSET_OUT_OF_RANGE = 1
CORRUPT_MESSAGE = 2
UNKNOWN_TOPIC_OR_PARTITION = 3
MESSAGE_TOO_LARGE = 10
INVALID_TOPIC_EXCEPTION = 17
INVALID_REQUIRED_ACKS = 21
ILLEGAL_GENERATION = 22
INCONSISTENT_GROUP_PROTOCOL = 23
INVALID_GROUP_ID = 24
UNKNOWN_MEMBER_ID = 25
INVALID_SESSION_TIMEOUT = 26
UNSUPPORTED_VERSION = 35
TOPIC_ALREADY_EXISTS = 36
INVALID_PARTITIONS = 37
INVALID_REPLICATION_FACTOR = 38
INVALID_CONFIG = 40
INVALID_REQUEST = 42
NON_EMPTY_GROUP = 68
GROUP_ID_NOT_FOUND = 69
MEMBER_ID_REQUIRED = 79
INVALID_RECORD = 87
UNKNOWN_TOPIC_ID = 100


class Writer:
    """A request body in the flexible encoding (KIP-482); each method returns the
    Writer, so calls chain. `out` holds the bytes."""

    def __init__(self):
        self.out = b""

    def raw(self, b):
        self.out += b
        return self

    def i8(self, v):
        return self.raw(struct.pack(">b", v))

    def i16(self, v):
        return self.raw(struct.pack(">h", v))

    def i32(self, v):
        return self.raw(struct.pack(">i", v))

    def boolean(self, v):
        return self.i8(1 if v else 0)

    def uvarint(self, v):
        while v >= 0x80:
            self.out += bytes([(v & 0x7F) | 0x80])
            v >>= 7
        self.out += bytes([v])
        return self

    def string(self, s):  # compact nullable string
        if s is None:
            return self.uvarint(0)
        b = s.encode()
        return self.uvarint(len(b) + 1).raw(b)

    def array(self, items, each):  # compact nullable array
        if items is None:
            return self.uvarint(0)
        self.uvarint(len(items) + 1)
        for item in items:
            each(self, item)
        return self

    def tags(self):
        return self.uvarint(0)


class Reader:
    """A response body, read field by field from `pos` on."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        b = self.data[self.pos:self.pos + n]
        if len(b) != n:
            raise ValueError("response too short")
        self.pos += n
        return b

    def i8(self):
        return struct.unpack(">b", self.take(1))[0]

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def i64(self):
        return struct.unpack(">q", self.take(8))[0]

    def boolean(self):
        return self.i8() != 0

    def uuid(self):
        return self.take(16)

    def uvarint(self):
        v, shift = 0, 0
        while True:
            b = self.take(1)[0]
            v |= (b & 0x7F) << shift
            if b < 0x80:
                return v
            shift += 7

    def string(self):
        n = self.uvarint()
        return None if n == 0 else self.take(n - 1).decode()

    def array(self, each):
        n = self.uvarint()
        return None if n == 0 else [each(self) for _ in range(n - 1)]

    def tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


class Conn:
    """One raw connection to the broker's Kafka port."""

    def __init__(self, port, client_id=b"compat-test", timeout=TIMEOUT_S, source=None):
        """`source`: the local address to connect from (127.0.0.2, ...; any by default)."""
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.client_id = client_id
        self.correlation = 0

    def send_raw(self, payload):
        self.sock.sendall(payload)

    def frame(self, api_key, version, body, flexible=False):
        """Sends one request (header v1, or v2 when `flexible`); returns its correlation
        id."""
        self.correlation += 1
        header = struct.pack(">hhih", api_key, version, self.correlation,
                             len(self.client_id)) + self.client_id
        if flexible:
            header += b"\x00"  # no tagged fields
        data = header + body
        self.sock.sendall(struct.pack(">i", len(data)) + data)
        return self.correlation

    def response(self, correlation, flexible=False):
        """Reads the next response, which must answer `correlation`; returns a Reader at
        its body."""
        size = struct.unpack(">i", self.read_exact(4))[0]
        r = Reader(self.read_exact(size))
        got = r.i32()
        assert got == correlation, (got, correlation)
        if flexible:
            r.tags()
        return r

    def request(self, req):
        """A kafka-python request object (a version that is not flexible); returns its
        decoded response."""
        r = self.response(self.frame(req.API_KEY, req.API_VERSION, req.encode()))
        return req.RESPONSE_TYPE.decode(r.data[r.pos:])

    def flexible(self, api_key, version, body):
        """A flexible request body (bytes); returns a Reader at the response body."""
        return self.response(self.frame(api_key, version, body, flexible=True), flexible=True)

    def exchange(self, api_key, version, body):
        """Sends a request that is not flexible and returns the Reader of its response, or
        None when the broker closes the connection instead."""
        try:
            return self.response(self.frame(api_key, version, body))
        except (ConnectionError, socket.timeout):
            return None

    def read_exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise ConnectionError("closed by the broker")
            out += chunk
        return out

    def closed_by_peer(self):
        """Waits for the broker to close the connection; False if it sends bytes instead."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


# Produce and fetch with kafka-python's request classes, for tests that write and read
# batches by hand.

def batch(values, timestamp=1_700_000_000_000):
    """One uncompressed v2 record batch holding `values` (bytes), without keys."""
    b = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=False,
                                  producer_id=-1, producer_epoch=-1, base_sequence=-1,
                                  batch_size=64 << 20)
    for i, v in enumerate(values):
        b.append(i, timestamp=timestamp + i, key=None, value=v, headers=[])
    return bytes(b.build())


def produce(conn, topic, partition, records, acks=-1, version=7):
    """Produce `records` (encoded batches) to one partition; its answer
    (partition, error_code, offset, ...)."""
    req = ProduceRequest[version](required_acks=acks, timeout=10000,
                                  topics=[(topic, [(partition, records)])])
    if version >= 3:
        req = ProduceRequest[version](transactional_id=None, required_acks=acks, timeout=10000,
                                      topics=[(topic, [(partition, records)])])
    resp = conn.request(req)
    (_, parts), = resp.topics
    return parts[0]  # (partition, error_code, offset, ...)


def fetch(conn, topic, partition, offset):
    """Fetch v4 of one partition from `offset`, 1 MiB at most, no wait; its answer
    (partition, error_code, high_watermark, last_stable_offset, aborted, records)."""
    req = FetchRequest[4](replica_id=-1, max_wait_time=0, min_bytes=0, max_bytes=1 << 20,
                          isolation_level=0,
                          topics=[(topic, [(partition, offset, 1 << 20)])])
    resp = conn.request(req)
    (_, parts), = resp.topics
    return parts[0]
