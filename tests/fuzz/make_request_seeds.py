#!/usr/bin/python3
"""Writes the seed corpus of the request fuzzer (tests/fuzz/corpus/request/).

Each seed is one request frame as the fuzzer sees it: the bytes after the 4-byte size
prefix (request header, then body). Non-flexible versions are encoded by kafka-python's
protocol classes (an encoder that is not ours); flexible versions, which kafka-python
2.0 does not speak, by the few compact-encoding helpers below. Record batches come from
kafka-python's DefaultRecordBatchBuilder, one per codec.

    /usr/bin/python3 tests/fuzz/make_request_seeds.py [OUT_DIR]

The output is committed; rerun only to change the seeds.
"""

import os
import struct
import sys

from kafka.protocol.admin import (AlterConfigsRequest, ApiVersionRequest, CreatePartitionsRequest,
                                  CreateTopicsRequest, DeleteTopicsRequest,
                                  DescribeConfigsRequest)
from kafka.protocol.commit import GroupCoordinatorRequest
from kafka.protocol.fetch import FetchRequest
from kafka.protocol.metadata import MetadataRequest
from kafka.protocol.offset import OffsetRequest
from kafka.protocol.produce import ProduceRequest
from kafka.record.default_records import DefaultRecordBatchBuilder

CLIENT_ID = b"seed"


def header(api_key, version, flexible, correlation_id=7):
    out = struct.pack(">hhih", api_key, version, correlation_id, len(CLIENT_ID)) + CLIENT_ID
    return out + (b"\x00" if flexible else b"")  # header v2: no tagged fields


# Compact (flexible-version) encodings, KIP-482.
def uvarint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def cstring(s):
    if s is None:
        return b"\x00"
    b = s.encode()
    return uvarint(len(b) + 1) + b


def cbytes(b):
    return b"\x00" if b is None else uvarint(len(b) + 1) + b


def carray(items):
    return uvarint(len(items) + 1) + b"".join(items)


def tags(fields=()):
    """Tagged fields: (tag, value bytes) pairs."""
    out = uvarint(len(fields))
    for tag, value in fields:
        out += uvarint(tag) + uvarint(len(value)) + value
    return out


def i8(v):
    return struct.pack(">b", v)


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def enc(request):
    # kafka-python's encode() holds its struct weakly: keep a reference while encoding.
    return request.encode()


def batch(codec, records=3, producer_id=-1):
    b = DefaultRecordBatchBuilder(magic=2, compression_type=codec, is_transactional=False,
                                  producer_id=producer_id, producer_epoch=-1 if producer_id < 0 else 0,
                                  base_sequence=-1 if producer_id < 0 else 0,
                                  batch_size=1 << 20)
    for i in range(records):
        key = None if i == 0 else b"key-%d" % i
        headers = [("h", b"v")] if i == 1 else []
        b.append(i, timestamp=1700000000000 + i, key=key, value=b"value-%d" % i * 4,
                 headers=headers)
    return bytes(b.build())


def seeds():
    out = {}
    # ApiVersions (18): empty bodies before v3.
    out["api_versions_v0"] = header(18, 0, False) + enc(ApiVersionRequest[0]())
    out["api_versions_v2"] = header(18, 2, False) + enc(ApiVersionRequest[2]())
    out["api_versions_v3"] = (header(18, 3, True) + cstring("brook-seed") + cstring("1.0") +
                              tags())

    # Produce (0): one batch per codec at v3, two batches at v7, a flexible v9.
    for codec, name in ((0, "none"), (1, "gzip"), (2, "snappy"), (3, "lz4"), (4, "zstd")):
        body = enc(ProduceRequest[3](transactional_id=None, required_acks=-1, timeout=30000,
                                 topics=[("events", [(0, batch(codec))])]))
        out[f"produce_v3_{name}"] = header(0, 3, False) + body
    two = batch(0, 2, producer_id=1000) + batch(0, 1, producer_id=1000)
    out["produce_v7_two_batches"] = header(0, 7, False) + enc(ProduceRequest[7](
        transactional_id="tx", required_acks=1, timeout=1000,
        topics=[("a", [(0, two), (1, None)]), ("b", [(3, batch(4, 1))])]))
    out["produce_v9"] = header(0, 9, True) + (
        cstring(None) + i16(-1) + i32(30000) +
        carray([cstring("events") + carray([i32(0) + cbytes(batch(1, 2)) + tags()]) + tags()]) +
        tags())

    # Fetch (1).
    out["fetch_v4"] = header(1, 4, False) + enc(FetchRequest[4](
        replica_id=-1, max_wait_time=500, min_bytes=1, max_bytes=52428800, isolation_level=1,
        topics=[("events", [(0, 10, 1048576), (1, 0, 1048576)])]))
    out["fetch_v11"] = header(1, 11, False) + enc(FetchRequest[11](
        replica_id=-1, max_wait_time=500, min_bytes=1, max_bytes=52428800, isolation_level=0,
        session_id=0, session_epoch=-1,
        topics=[("events", [(0, 5, 42, -1, 1048576)])],
        # kafka-python 2.0's v11 schema cannot encode a forgotten topic (String class, not
        # instance); fetch_v12 below carries one.
        forgotten_topics_data=[], rack_id="rack-a"))
    # v12: the cluster_id tag (0) set, plus an unknown tag (9) the decoder skips.
    out["fetch_v12"] = header(1, 12, True) + (
        i32(-1) + i32(500) + i32(1) + i32(52428800) + i8(0) + i32(0) + i32(-1) +
        carray([cstring("events") +
                carray([i32(0) + i32(-1) + i64(7) + i32(-1) + i64(-1) + i32(1048576) + tags()]) +
                tags()]) +
        carray([cstring("old") + carray([i32(2)]) + tags()]) +
        cstring("rack-a") +
        tags([(0, cstring("cluster-1")), (9, b"\x01\x02")]))

    # Metadata (3).
    out["metadata_v1"] = header(3, 1, False) + enc(MetadataRequest[1](topics=["a", "b"]))
    out["metadata_v5"] = header(3, 5, False) + enc(MetadataRequest[5](
        topics=["events"], allow_auto_topic_creation=False))
    out["metadata_v12"] = header(3, 12, True) + (
        carray([bytes(16) + cstring("events") + tags(),
                bytes(range(1, 17)) + cstring(None) + tags()]) +
        i8(1) + i8(0) + tags())

    # ListOffsets (2).
    out["list_offsets_v1"] = header(2, 1, False) + enc(OffsetRequest[1](
        replica_id=-1, topics=[("events", [(0, -1), (1, -2)])]))
    out["list_offsets_v5"] = header(2, 5, False) + enc(OffsetRequest[5](
        replica_id=-1, isolation_level=1, topics=[("events", [(0, 3, -1)])]))
    out["list_offsets_v7"] = header(2, 7, True) + (
        i32(-1) + i8(0) +
        carray([cstring("events") + carray([i32(0) + i32(-1) + i64(-3) + tags()]) + tags()]) +
        tags())

    # FindCoordinator (10).
    out["find_coordinator_v1"] = header(10, 1, False) + enc(GroupCoordinatorRequest[1](
        coordinator_key="group-1", coordinator_type=0))
    out["find_coordinator_v4"] = header(10, 4, True) + (
        i8(0) + carray([cstring("group-1"), cstring("group-2")]) + tags())

    # CreateTopics (19), DeleteTopics (20).
    out["create_topics_v3"] = header(19, 3, False) + enc(CreateTopicsRequest[3](
        create_topic_requests=[("events", 3, 1, [], [("retention.ms", "1000"),
                                                    ("cleanup.policy", None)]),
                               ("manual", -1, -1, [(0, [1]), (1, [1])], [])],
        timeout=30000, validate_only=False))
    out["create_topics_v7"] = header(19, 7, True) + (
        carray([cstring("events") + i32(1) + i16(1) + carray([]) +
                carray([cstring("segment.bytes") + cstring("1048576") + tags()]) + tags()]) +
        i32(30000) + i8(1) + tags())
    out["delete_topics_v3"] = header(20, 3, False) + enc(DeleteTopicsRequest[3](
        topics=["a", "b"], timeout=30000))
    out["delete_topics_v6"] = header(20, 6, True) + (
        carray([cstring("a") + bytes(16) + tags(), cstring(None) + bytes(range(16)) + tags()]) +
        i32(30000) + tags())

    # DeleteRecords (21), InitProducerId (22): not in kafka-python.
    out["delete_records_v0"] = header(21, 0, False) + (
        i32(1) + i16(6) + b"events" + i32(1) + i32(0) + i64(100) + i32(30000))
    out["delete_records_v2"] = header(21, 2, True) + (
        carray([cstring("events") + carray([i32(0) + i64(-1) + tags()]) + tags()]) +
        i32(30000) + tags())
    out["init_producer_id_v0"] = header(22, 0, False) + i16(-1) + i32(60000)
    out["init_producer_id_v4"] = header(22, 4, True) + (
        cstring("tx-1") + i32(60000) + i64(1000) + i16(3) + tags())

    # DescribeConfigs (32), AlterConfigs (33), CreatePartitions (37),
    # IncrementalAlterConfigs (44), DescribeCluster (60).
    out["describe_configs_v2"] = header(32, 2, False) + enc(DescribeConfigsRequest[2](
        resources=[(2, "events", ["retention.ms"]), (4, "0", None)],
        include_synonyms=True))
    out["describe_configs_v4"] = header(32, 4, True) + (
        carray([i8(2) + cstring("events") + b"\x00" + tags()]) + i8(0) + i8(1) + tags())
    out["alter_configs_v1"] = header(33, 1, False) + enc(AlterConfigsRequest[1](
        resources=[(2, "events", [("retention.ms", "1000"), ("segment.ms", None)])],
        validate_only=False))
    out["create_partitions_v1"] = header(37, 1, False) + enc(CreatePartitionsRequest[1](
        topic_partitions=[("events", (4, None)), ("manual", (2, [[1], [1]]))],
        timeout=30000, validate_only=False))
    out["create_partitions_v3"] = header(37, 3, True) + (
        carray([cstring("events") + i32(6) + b"\x00" + tags()]) + i32(30000) + i8(0) + tags())
    out["incremental_alter_configs_v0"] = header(44, 0, False) + (
        i32(1) + i8(2) + i16(6) + b"events" +
        i32(2) + i16(12) + b"retention.ms" + i8(0) + i16(4) + b"1000" +
        i16(10) + b"segment.ms" + i8(1) + i16(-1) +
        i8(0))
    out["incremental_alter_configs_v1"] = header(44, 1, True) + (
        carray([i8(2) + cstring("events") +
                carray([cstring("retention.ms") + i8(0) + cstring("1000") + tags()]) +
                tags()]) + i8(1) + tags())
    out["describe_cluster_v0"] = header(60, 0, True) + i8(1) + tags()
    # DescribeLogDirs (35): every topic (null) in v1, one partition of one topic in v4.
    out["describe_log_dirs_v1"] = header(35, 1, False) + i32(-1)
    out["describe_log_dirs_v4"] = header(35, 4, True) + (
        carray([cstring("events") + carray([i32(0)]) + tags()]) + tags())
    return out


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "request")
    os.makedirs(out_dir, exist_ok=True)
    for name, data in sorted(seeds().items()):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
