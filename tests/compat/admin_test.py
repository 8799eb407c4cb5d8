#!/usr/bin/python3
"""Topic and config administration against a real `brook serve`, as a user does it with
confluent-kafka-python 1.7 (librdkafka 2.0.2) and kafka-python 2.0.2: create topics (with
configs, validate-only, and every way a creation is refused), list them, describe topic
and broker configs, alter configs (whole and incremental), add partitions, delete records
and topics, and describe the cluster.

What neither client offers (IncrementalAlterConfigs, DeleteRecords, DescribeCluster,
DescribeLogDirs, the flexible versions of CreateTopics, DeleteTopics and DescribeConfigs) is sent raw through
kafka_wire.py: flexible versions with its encoder, the others with kafka-python's protocol
classes."""

import os
import shutil
import struct
import sys
import unittest
import uuid

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.admin import NewTopic as KpNewTopic
from kafka.protocol.admin import CreatePartitionsRequest, CreateTopicsRequest
from kafka.protocol.api import Request, Response
from kafka.protocol.types import Array, Boolean, Int8, Int16, Int32, Int64, Schema, String

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import AdminServerTestCase, BrookServer, unique  # noqa: E402
from kafka_wire import (Conn, INVALID_CONFIG, INVALID_PARTITIONS,
                        INVALID_REPLICATION_FACTOR, INVALID_REQUEST,
                        INVALID_TOPIC_EXCEPTION, NONE, OFFSET_OUT_OF_RANGE,
                        TOPIC_ALREADY_EXISTS, UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION,
                        Writer)  # noqa: E402


# DescribeConfigs config_source codes.
DYNAMIC_TOPIC_CONFIG = 1
STATIC_BROKER_CONFIG = 4
DEFAULT_CONFIG = 5

RESOURCE_TOPIC = 2
RESOURCE_BROKER = 4

OP_SET, OP_DELETE, OP_APPEND, OP_SUBTRACT = 0, 1, 2, 3

SERVER_RETENTION_MS = "86400000"  # the server's default, not Kafka's built-in 604800000
SERVER_PARTITIONS = 3
TIMEOUT = 30


# ---- requests neither client sends, in kafka-python's protocol classes (not flexible) ----

class IncrementalAlterConfigsResponse_v0(Response):
    API_KEY = 44
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("resources", Array(("error_code", Int16), ("error_message", String("utf-8")),
                            ("resource_type", Int8), ("resource_name", String("utf-8")))))


class IncrementalAlterConfigsRequest_v0(Request):
    API_KEY = 44
    API_VERSION = 0
    RESPONSE_TYPE = IncrementalAlterConfigsResponse_v0
    SCHEMA = Schema(
        ("resources", Array(("resource_type", Int8), ("resource_name", String("utf-8")),
                            ("configs", Array(("name", String("utf-8")),
                                              ("config_operation", Int8),
                                              ("value", String("utf-8")))))),
        ("validate_only", Boolean))


class DeleteRecordsResponse_v1(Response):
    API_KEY = 21
    API_VERSION = 1
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("topics", Array(("name", String("utf-8")),
                         ("partitions", Array(("partition_index", Int32),
                                              ("low_watermark", Int64),
                                              ("error_code", Int16))))))


class DeleteRecordsRequest_v1(Request):
    API_KEY = 21
    API_VERSION = 1
    RESPONSE_TYPE = DeleteRecordsResponse_v1
    SCHEMA = Schema(
        ("topics", Array(("name", String("utf-8")),
                         ("partitions", Array(("partition_index", Int32), ("offset", Int64))))),
        ("timeout_ms", Int32))


class DescribeLogDirsResponse_v1(Response):
    API_KEY = 35
    API_VERSION = 1
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("results", Array(("error_code", Int16), ("log_dir", String("utf-8")),
                          ("topics", Array(("name", String("utf-8")),
                                           ("partitions", Array(("partition_index", Int32),
                                                                ("partition_size", Int64),
                                                                ("offset_lag", Int64),
                                                                ("is_future_key", Boolean))))))))


class DescribeLogDirsRequest_v1(Request):
    API_KEY = 35
    API_VERSION = 1
    RESPONSE_TYPE = DescribeLogDirsResponse_v1
    SCHEMA = Schema(("topics", Array(("topic", String("utf-8")), ("partitions", Array(Int32)))))


def describe_log_dirs_v4(conn, topics):
    """topics: [(name, [partition])] or None (all). Returns (error_code, [result dict])."""
    w = Writer().array(topics, lambda w, t: w.string(t[0]).array(
        t[1], lambda w, p: w.i32(p)).tags()).tags()
    r = conn.flexible(35, 4, w.out)
    r.i32()  # throttle
    error_code = r.i16()

    def partition(r):
        p = (r.i32(), r.i64(), r.i64(), r.boolean())
        r.tags()
        return p

    def topic(r):
        t = (r.string(), r.array(partition))
        r.tags()
        return t

    def result(r):
        out = {"error_code": r.i16(), "log_dir": r.string(), "topics": r.array(topic),
               "total_bytes": r.i64(), "usable_bytes": r.i64()}
        r.tags()
        return out

    results = r.array(result)
    r.tags()
    return error_code, results


def create_topics_v7(conn, topics, validate_only=False):
    """topics: [(name, partitions, replication_factor, {config: value})]. Returns a dict
    name -> result dict."""
    def topic(w, t):
        name, partitions, rf, configs = t
        w.string(name).i32(partitions).i16(rf)
        w.array([], None)  # assignments
        w.array(list(configs.items()), lambda w, kv: w.string(kv[0]).string(kv[1]).tags())
        w.tags()

    w = Writer().array(topics, topic).i32(TIMEOUT * 1000).boolean(validate_only).tags()
    r = conn.flexible(19, 7, w.out)
    r.i32()  # throttle

    def config(r):
        c = {"name": r.string(), "value": r.string(), "read_only": r.boolean(),
             "source": r.i8(), "sensitive": r.boolean()}
        r.tags()
        return c

    def result(r):
        out = {"name": r.string(), "topic_id": r.uuid(), "error_code": r.i16(),
               "error_message": r.string(), "num_partitions": r.i32(),
               "replication_factor": r.i16(), "configs": r.array(config)}
        r.tags()
        return out

    results = r.array(result)
    r.tags()
    return {t["name"]: t for t in results}


def delete_topics_v6(conn, entries):
    """entries: [(name or None, topic id bytes)]. Returns the list of results."""
    w = Writer().array(entries, lambda w, e: w.string(e[0]).raw(e[1]).tags())
    w.i32(TIMEOUT * 1000).tags()
    r = conn.flexible(20, 6, w.out)
    r.i32()

    def result(r):
        out = {"name": r.string(), "topic_id": r.uuid(), "error_code": r.i16(),
               "error_message": r.string()}
        r.tags()
        return out

    return r.array(result)


def describe_configs_v4(conn, resources, synonyms=False, documentation=False):
    """resources: [(type, name, keys or None)]. Returns the list of results."""
    w = Writer().array(resources, lambda w, res: w.i8(res[0]).string(res[1]).array(
        res[2], lambda w, k: w.string(k)).tags())
    w.boolean(synonyms).boolean(documentation).tags()
    r = conn.flexible(32, 4, w.out)
    r.i32()

    def synonym(r):
        s = {"name": r.string(), "value": r.string(), "source": r.i8()}
        r.tags()
        return s

    def config(r):
        c = {"name": r.string(), "value": r.string(), "read_only": r.boolean(),
             "source": r.i8(), "sensitive": r.boolean(), "synonyms": r.array(synonym),
             "type": r.i8(), "documentation": r.string()}
        r.tags()
        return c

    def result(r):
        out = {"error_code": r.i16(), "error_message": r.string(), "type": r.i8(),
               "name": r.string(), "configs": r.array(config)}
        r.tags()
        return out

    return r.array(result)


def describe_cluster_v0(conn, include_operations=False):
    r = conn.flexible(60, 0, Writer().boolean(include_operations).tags().out)
    out = {"throttle_time_ms": r.i32(), "error_code": r.i16(), "error_message": r.string(),
           "cluster_id": r.string(), "controller_id": r.i32()}

    def broker(r):
        b = {"broker_id": r.i32(), "host": r.string(), "port": r.i32(), "rack": r.string()}
        r.tags()
        return b

    out["brokers"] = r.array(broker)
    out["cluster_authorized_operations"] = r.i32()
    r.tags()
    return out


class AdminTest(AdminServerTestCase):
    """One server for the class, with a non-default partition count and retention so that
    defaults coming from the server can be told from Kafka's built-in ones."""

    server_args = ("--default-partitions", str(SERVER_PARTITIONS),
                   "--retention-ms", SERVER_RETENTION_MS)

    # ---- helpers ----

    def topic_name(self, what):
        return unique(what)

    def kafka_python_admin(self):
        a = KafkaAdminClient(bootstrap_servers=self.brook.bootstrap, client_id="admin-test")
        self.addCleanup(a.close)
        return a

    def create(self, name, partitions=1, replication=1, config=None, **kwargs):
        """Creates one topic; returns None or the KafkaError."""
        fs = self.admin.create_topics([NewTopic(name, partitions, replication,
                                                config=config or {})],
                                      request_timeout=TIMEOUT, **kwargs)
        e = fs[name].exception(TIMEOUT)
        return None if e is None else e.args[0]

    def create_raw(self, name, partitions, replication=1):
        """CreateTopics v1 through kafka-python's classes; returns (code, message)."""
        req = CreateTopicsRequest[1](
            create_topic_requests=[(name, partitions, replication, [], [])],
            timeout=TIMEOUT * 1000, validate_only=False)
        [(got, code, message)] = self.connect().request(req).topic_errors
        self.assertEqual(got, name)
        return code, message

    def create_partitions_raw(self, name, total):
        req = CreatePartitionsRequest[0](topic_partitions=[(name, (total, None))],
                                         timeout=TIMEOUT * 1000, validate_only=False)
        [(got, code, message)] = self.connect().request(req).topic_errors
        self.assertEqual(got, name)
        return code, message

    def assert_created(self, name, partitions=1, **kwargs):
        err = self.create(name, partitions, **kwargs)
        self.assertIsNone(err, f"creating {name}: {err}")

    def assert_refused(self, err, code, text=None):
        self.assertIsNotNone(err, "expected a refusal")
        self.assertEqual(err.code(), code, err.str())
        if text is not None:
            self.assertIn(text, err.str())

    def partition_counts(self):
        md = self.admin.list_topics(timeout=TIMEOUT)
        return {name: len(t.partitions) for name, t in md.topics.items()}

    def topic_configs(self, name):
        res = ConfigResource("topic", name)
        return self.admin.describe_configs([res], request_timeout=TIMEOUT)[res].result(TIMEOUT)

    def overrides(self, name):
        return {k: e.value for k, e in self.topic_configs(name).items()
                if e.source == DYNAMIC_TOPIC_CONFIG}

    def incremental(self, name, ops, validate_only=False, resource_type=RESOURCE_TOPIC):
        req = IncrementalAlterConfigsRequest_v0(
            resources=[(resource_type, name, ops)], validate_only=validate_only)
        [(code, message, rtype, rname)] = self.connect().request(req).resources
        self.assertEqual((rtype, rname), (resource_type, name))
        return code, message

    def produce(self, topic, count, partition=0):
        p = Producer({"bootstrap.servers": self.brook.bootstrap})
        for i in range(count):
            p.produce(topic, value=b"v%d" % i, partition=partition)
        self.assertEqual(p.flush(TIMEOUT), 0)

    def offsets(self, topic, partition=0):
        c = KafkaConsumer(bootstrap_servers=self.brook.bootstrap)
        try:
            tp = TopicPartition(topic, partition)
            return c.beginning_offsets([tp])[tp], c.end_offsets([tp])[tp]
        finally:
            c.close()

    def delete_records(self, topic, partitions):
        req = DeleteRecordsRequest_v1(topics=[(topic, partitions)], timeout_ms=TIMEOUT * 1000)
        [(name, results)] = self.connect().request(req).topics
        self.assertEqual(name, topic)
        return {p: (low, code) for p, low, code in results}

    # ---- CreateTopics and listing ----

    def test_create_topic_with_configs(self):
        name = self.topic_name("configs")
        self.assert_created(name, 4, config={"retention.ms": "3600000",
                                             "max.message.bytes": "2000000"})
        self.assertEqual(self.partition_counts()[name], 4)
        configs = self.topic_configs(name)
        self.assertEqual(configs["retention.ms"].value, "3600000")
        self.assertEqual(configs["retention.ms"].source, DYNAMIC_TOPIC_CONFIG)
        self.assertFalse(configs["retention.ms"].is_default)
        self.assertEqual(configs["max.message.bytes"].value, "2000000")
        self.assertEqual(configs["max.message.bytes"].source, DYNAMIC_TOPIC_CONFIG)
        self.assertEqual(configs["segment.bytes"].source, DEFAULT_CONFIG)
        self.assertTrue(configs["segment.bytes"].is_default)
        self.assertEqual(configs["cleanup.policy"].value, "delete")
        self.assertFalse(configs["retention.ms"].is_read_only)

    def test_created_topic_without_overrides_shows_server_defaults(self):
        name = self.topic_name("defaults")
        self.assert_created(name)
        configs = self.topic_configs(name)
        self.assertEqual(configs["retention.ms"].value, SERVER_RETENTION_MS)
        self.assertEqual(configs["retention.ms"].source, STATIC_BROKER_CONFIG)
        self.assertEqual(configs["retention.bytes"].value, "-1")
        self.assertEqual(configs["retention.bytes"].source, DEFAULT_CONFIG)
        self.assertEqual(self.overrides(name), {})

    def test_default_partition_count_and_replication_factor(self):
        name = self.topic_name("server-default")
        self.assert_created(name, -1, replication=-1)
        self.assertEqual(self.partition_counts()[name], SERVER_PARTITIONS)

    def test_validate_only_creates_nothing(self):
        name = self.topic_name("validate")
        self.assertIsNone(self.create(name, 2, validate_only=True))
        self.assertNotIn(name, self.partition_counts())
        err = self.create(name, 2, config={"retention.ms": "soon"}, validate_only=True)
        self.assert_refused(err, INVALID_CONFIG, "retention.ms")
        self.assertNotIn(name, self.partition_counts())
        self.assert_created(name, 2)  # the name is still free

    def test_illegal_names_are_refused(self):
        for bad in ("bad name", "a/b", ".", "..", "x" * 250):
            with self.subTest(name=bad):
                self.assert_refused(self.create(bad), INVALID_TOPIC_EXCEPTION)
        counts = self.partition_counts()
        self.assertFalse([n for n in counts if n in ("bad name", "a/b", ".", "..")])

    def test_internal_topic_names_are_refused(self):
        # Kafka's own topics (and Brook's) are not created by clients, explicitly or by
        # producing to them; other names with two underscores are ordinary.
        for name in ("__consumer_offsets", "__transaction_state", "__brook_audit"):
            with self.subTest(name=name):
                self.assert_refused(self.create(name), INVALID_REQUEST,
                                    f"Creation of internal topic {name} is prohibited.")
                self.assertEqual(self.create_raw(name, 1),
                                 (INVALID_REQUEST,
                                  f"Creation of internal topic {name} is prohibited."))
        p = Producer({"bootstrap.servers": self.brook.bootstrap, "message.timeout.ms": 3000})
        failures = []
        p.produce("__consumer_offsets", b"x", on_delivery=lambda e, m: failures.append(e))
        p.flush(10)
        self.assertEqual(len(failures), 1)
        self.assertIsNotNone(failures[0])
        counts = self.partition_counts()
        self.assertFalse([n for n in counts if n.startswith(("__consumer", "__trans", "__brook"))])
        name = self.topic_name("__connect-like")
        self.assert_created(name, 1)

    def test_existing_topic_is_refused(self):
        name = self.topic_name("twice")
        self.assert_created(name, 2)
        self.assert_refused(self.create(name, 5), TOPIC_ALREADY_EXISTS, "already exists")
        self.assertEqual(self.partition_counts()[name], 2)

    def test_colliding_name_is_refused(self):
        base = self.topic_name("col")
        self.assert_created(base + ".x")
        self.assert_refused(self.create(base + "_x"), INVALID_TOPIC_EXCEPTION, "collides")

    def test_duplicate_names_in_one_request(self):
        # confluent-kafka passes duplicates to the broker; kafka-python too, and shows the
        # raw answer: one INVALID_REQUEST per duplicated name, nothing created.
        name = self.topic_name("dup")
        other = self.topic_name("single")
        req = CreateTopicsRequest[1](
            create_topic_requests=[(name, 1, 1, [], []), (name, 2, 1, [], []),
                                   (other, 1, 1, [], [])],
            timeout=TIMEOUT * 1000, validate_only=False)
        errors = {t[0]: (t[1], t[2]) for t in self.connect().request(req).topic_errors}
        self.assertEqual(errors[name][0], INVALID_REQUEST)
        self.assertIn("multiple entries", errors[name][1])
        self.assertEqual(errors[other][0], NONE)
        counts = self.partition_counts()
        self.assertNotIn(name, counts)
        self.assertEqual(counts[other], 1)
        fs = self.admin.create_topics([NewTopic(name, 1, 1), NewTopic(name, 1, 1)],
                                      request_timeout=TIMEOUT)
        self.assert_refused(fs[name].exception(TIMEOUT).args[0], INVALID_REQUEST)

    def test_replication_factor_above_one_is_refused(self):
        name = self.topic_name("rf3")
        self.assert_refused(self.create(name, 1, replication=3), INVALID_REPLICATION_FACTOR,
                            "single node")
        self.assert_refused(self.create(name, 1, replication=0), INVALID_REPLICATION_FACTOR)
        self.assertNotIn(name, self.partition_counts())

    def test_bad_partition_counts_are_refused(self):
        # confluent-kafka checks the range itself; kafka-python sends anything.
        name = self.topic_name("parts")
        for count in (0, -5, 1_000_000, 2**31 - 1):
            with self.subTest(count=count):
                code, message = self.create_raw(name, count)
                self.assertEqual(code, INVALID_PARTITIONS)
                self.assertTrue(message)
        self.assertNotIn(name, self.partition_counts())

    def test_bad_config_values_are_refused(self):
        name = self.topic_name("badconf")
        cases = [({"retention.ms": "abc"}, "retention.ms"),
                 ({"segment.bytes": "1"}, "segment.bytes"),
                 ({"cleanup.policy": "compact,remove"}, "String must be one of: compact, delete"),
                 ({"min.compaction.lag.ms": "10", "max.compaction.lag.ms": "5"},
                  "conflict topic config setting min.compaction.lag.ms (10) > "
                  "max.compaction.lag.ms (5)"),
                 ({"no.such.config": "1"}, "Unknown topic config name: no.such.config")]
        for config, text in cases:
            with self.subTest(config=config):
                self.assert_refused(self.create(name, 1, config=config), INVALID_CONFIG, text)
        self.assertNotIn(name, self.partition_counts())

    def test_manual_assignment_is_refused(self):
        name = self.topic_name("assigned")
        fs = self.admin.create_topics([NewTopic(name, 2, replica_assignment=[[0], [0]])],
                                      request_timeout=TIMEOUT)
        self.assert_refused(fs[name].exception(TIMEOUT).args[0], INVALID_REQUEST, "single node")
        self.assertNotIn(name, self.partition_counts())

    def test_create_topics_v7_answers_counts_configs_and_id(self):
        name = self.topic_name("v7")
        c = self.connect()
        res = create_topics_v7(c, [(name, -1, -1, {"retention.ms": "1000"}),
                                   ("bad name", 1, 1, {}), (name + "-rf", 1, 2, {})])
        ok = res[name]
        self.assertEqual(ok["error_code"], NONE)
        self.assertIsNone(ok["error_message"])
        self.assertEqual(ok["num_partitions"], SERVER_PARTITIONS)
        self.assertEqual(ok["replication_factor"], 1)
        self.assertNotEqual(ok["topic_id"], bytes(16))
        configs = {cfg["name"]: cfg for cfg in ok["configs"]}
        self.assertEqual(configs["retention.ms"]["value"], "1000")
        self.assertEqual(configs["retention.ms"]["source"], DYNAMIC_TOPIC_CONFIG)
        self.assertEqual(configs["segment.bytes"]["source"], DEFAULT_CONFIG)
        self.assertEqual(res["bad name"]["error_code"], INVALID_TOPIC_EXCEPTION)
        self.assertTrue(res["bad name"]["error_message"])
        self.assertEqual(res["bad name"]["num_partitions"], -1)
        self.assertEqual(res[name + "-rf"]["error_code"], INVALID_REPLICATION_FACTOR)
        # validate_only answers what would be created, without an id.
        other = self.topic_name("v7-validate")
        res = create_topics_v7(c, [(other, 2, 1, {})], validate_only=True)
        self.assertEqual(res[other]["error_code"], NONE)
        self.assertEqual(res[other]["num_partitions"], 2)
        self.assertEqual(res[other]["topic_id"], bytes(16))
        self.assertNotIn(other, self.partition_counts())
        # The id is the one DeleteTopics v6 knows the topic by.
        [deleted] = delete_topics_v6(c, [(None, ok["topic_id"])])
        self.assertEqual((deleted["name"], deleted["error_code"]), (name, NONE))
        self.assertNotIn(name, self.partition_counts())

    # ---- DescribeConfigs ----

    def test_describe_broker_configs(self):
        res = ConfigResource("broker", "0")
        configs = self.admin.describe_configs([res], request_timeout=TIMEOUT)[res].result(TIMEOUT)
        self.assertEqual(configs["retention.ms"].value, SERVER_RETENTION_MS)
        self.assertEqual(configs["retention.ms"].source, STATIC_BROKER_CONFIG)
        self.assertEqual(configs["segment.bytes"].source, DEFAULT_CONFIG)
        self.assertTrue(all(e.is_read_only for e in configs.values()))
        self.assertIn("cleanup.policy", configs)

    def test_describe_unknown_topic_and_broker(self):
        res = ConfigResource("topic", self.topic_name("missing"))
        e = self.admin.describe_configs([res], request_timeout=TIMEOUT)[res].exception(TIMEOUT)
        self.assert_refused(e.args[0], UNKNOWN_TOPIC_OR_PARTITION)
        c = self.connect()
        results = describe_configs_v4(c, [(RESOURCE_BROKER, "7", None), (99, "x", None),
                                          (RESOURCE_TOPIC, "", None)])
        self.assertEqual([r["error_code"] for r in results],
                         [INVALID_REQUEST, INVALID_REQUEST, INVALID_TOPIC_EXCEPTION])
        self.assertTrue(all(r["error_message"] for r in results))

    def test_describe_configs_v4_filter_documentation_and_synonyms(self):
        name = self.topic_name("describe-v4")
        self.assert_created(name, config={"retention.ms": "5000"})
        c = self.connect()
        [r] = describe_configs_v4(c, [(RESOURCE_TOPIC, name, ["retention.ms", "segment.bytes",
                                                               "no.such.key"])],
                                  synonyms=True, documentation=True)
        self.assertEqual(r["error_code"], NONE)
        configs = {cfg["name"]: cfg for cfg in r["configs"]}
        self.assertEqual(set(configs), {"retention.ms", "segment.bytes"})
        retention = configs["retention.ms"]
        self.assertEqual(retention["value"], "5000")
        self.assertEqual(retention["type"], 5)  # LONG
        self.assertEqual(configs["segment.bytes"]["type"], 3)  # INT
        self.assertTrue(retention["documentation"])
        self.assertEqual([(s["value"], s["source"]) for s in retention["synonyms"]],
                         [("5000", DYNAMIC_TOPIC_CONFIG),
                          (SERVER_RETENTION_MS, STATIC_BROKER_CONFIG)])
        # Without asking: no documentation, no synonyms; an empty key list means all.
        [r] = describe_configs_v4(c, [(RESOURCE_TOPIC, name, [])])
        self.assertGreater(len(r["configs"]), 5)
        self.assertTrue(all(cfg["documentation"] is None and cfg["synonyms"] == []
                            for cfg in r["configs"]))

    # ---- AlterConfigs ----

    def test_alter_configs_replaces_all_overrides(self):
        name = self.topic_name("alter")
        self.assert_created(name, config={"retention.ms": "1000", "max.message.bytes": "5000"})
        res = ConfigResource("topic", name, set_config={"retention.ms": "2000",
                                                        "segment.ms": "60000"})
        self.assertIsNone(self.admin.alter_configs([res], request_timeout=TIMEOUT)[res]
                          .result(TIMEOUT))
        self.assertEqual(self.overrides(name), {"retention.ms": "2000", "segment.ms": "60000"})
        configs = self.topic_configs(name)
        self.assertEqual(configs["max.message.bytes"].source, DEFAULT_CONFIG)

    def test_alter_configs_validate_only_and_refusals(self):
        name = self.topic_name("alter-refused")
        self.assert_created(name, config={"retention.ms": "1000"})
        res = ConfigResource("topic", name, set_config={"retention.ms": "2000"})
        self.admin.alter_configs([res], validate_only=True, request_timeout=TIMEOUT)[res] \
            .result(TIMEOUT)
        self.assertEqual(self.overrides(name), {"retention.ms": "1000"})
        res = ConfigResource("topic", name, set_config={"retention.ms": "-7"})
        e = self.admin.alter_configs([res], request_timeout=TIMEOUT)[res].exception(TIMEOUT)
        self.assert_refused(e.args[0], INVALID_CONFIG, "retention.ms")
        self.assertEqual(self.overrides(name), {"retention.ms": "1000"})
        res = ConfigResource("broker", "0", set_config={"retention.ms": "2000"})
        e = self.admin.alter_configs([res], request_timeout=TIMEOUT)[res].exception(TIMEOUT)
        self.assert_refused(e.args[0], INVALID_REQUEST, "static")
        res = ConfigResource("topic", self.topic_name("missing"), set_config={"a": "b"})
        e = self.admin.alter_configs([res], request_timeout=TIMEOUT)[res].exception(TIMEOUT)
        self.assert_refused(e.args[0], UNKNOWN_TOPIC_OR_PARTITION)

    # ---- IncrementalAlterConfigs (neither client has it) ----

    def test_incremental_alter_configs(self):
        name = self.topic_name("incremental")
        self.assert_created(name, config={"retention.ms": "1000", "max.message.bytes": "5000"})
        code, _ = self.incremental(name, [("segment.ms", OP_SET, "60000"),
                                          ("max.message.bytes", OP_DELETE, None)])
        self.assertEqual(code, NONE)
        self.assertEqual(self.overrides(name), {"retention.ms": "1000", "segment.ms": "60000"})
        # validate_only changes nothing.
        code, _ = self.incremental(name, [("retention.ms", OP_SET, "9")], validate_only=True)
        self.assertEqual(code, NONE)
        self.assertEqual(self.overrides(name)["retention.ms"], "1000")
        # cleanup.policy is a list: appending what it holds keeps it valid.
        code, _ = self.incremental(name, [("cleanup.policy", OP_APPEND, "delete")])
        self.assertEqual(code, NONE)
        self.assertEqual(self.overrides(name)["cleanup.policy"], "delete")
        code, message = self.incremental(name, [("cleanup.policy", OP_APPEND, "compact")])
        self.assertEqual(code, NONE, message)
        self.assertEqual(self.overrides(name)["cleanup.policy"], "delete,compact")
        code, message = self.incremental(name, [("cleanup.policy", OP_SUBTRACT, "delete")])
        self.assertEqual(code, NONE, message)
        self.assertEqual(self.overrides(name)["cleanup.policy"], "compact")
        code, message = self.incremental(name, [("cleanup.policy", OP_APPEND, "shred")])
        self.assertEqual(code, INVALID_CONFIG, message)
        self.assertEqual(self.overrides(name)["cleanup.policy"], "compact")
        code, message = self.incremental(name, [("retention.ms", OP_APPEND, "5")])
        self.assertEqual(code, INVALID_CONFIG)
        self.assertIn("append is not allowed", message)
        code, message = self.incremental(name, [("retention.ms", OP_SET, "x")])
        self.assertEqual(code, INVALID_CONFIG, message)
        code, message = self.incremental(name, [("retention.ms", 9, "5")])
        self.assertEqual(code, INVALID_REQUEST, message)
        code, message = self.incremental(name, [("retention.ms", OP_SET, "5"),
                                                ("retention.ms", OP_DELETE, None)])
        self.assertEqual(code, INVALID_REQUEST, message)
        code, message = self.incremental("0", [("retention.ms", OP_SET, "5")],
                                         resource_type=RESOURCE_BROKER)
        self.assertEqual(code, INVALID_REQUEST)
        self.assertIn("static", message)
        code, _ = self.incremental(self.topic_name("missing"), [("retention.ms", OP_SET, "5")])
        self.assertEqual(code, UNKNOWN_TOPIC_OR_PARTITION)
        # Nothing refused above changed anything.
        self.assertEqual(self.overrides(name), {"retention.ms": "1000", "segment.ms": "60000",
                                                "cleanup.policy": "compact"})

    # ---- CreatePartitions ----

    def test_create_partitions(self):
        name = self.topic_name("grow")
        self.assert_created(name, 2)
        np = NewPartitions(name, 5)
        self.admin.create_partitions([np], validate_only=True,
                                     request_timeout=TIMEOUT)[name].result(TIMEOUT)
        self.assertEqual(self.partition_counts()[name], 2)
        self.admin.create_partitions([np], request_timeout=TIMEOUT)[name].result(TIMEOUT)
        self.assertEqual(self.partition_counts()[name], 5)
        self.produce(name, 3, partition=4)
        self.assertEqual(self.offsets(name, 4), (0, 3))
        for total in (5, 3):
            with self.subTest(total=total):
                e = self.admin.create_partitions([NewPartitions(name, total)],
                                                 request_timeout=TIMEOUT)[name].exception(TIMEOUT)
                self.assert_refused(e.args[0], INVALID_PARTITIONS)
                self.assertTrue(e.args[0].str())
        # Counts confluent-kafka will not send.
        for total in (-1, 0, 1_000_000, 2**31 - 1):
            with self.subTest(total=total):
                code, message = self.create_partitions_raw(name, total)
                self.assertEqual(code, INVALID_PARTITIONS)
                self.assertTrue(message)
        missing = self.topic_name("missing")
        e = self.admin.create_partitions([NewPartitions(missing, 3)],
                                         request_timeout=TIMEOUT)[missing].exception(TIMEOUT)
        self.assert_refused(e.args[0], UNKNOWN_TOPIC_OR_PARTITION)
        e = self.admin.create_partitions([NewPartitions(name, 7, replica_assignment=[[0], [0]])],
                                         request_timeout=TIMEOUT)[name].exception(TIMEOUT)
        self.assert_refused(e.args[0], INVALID_REQUEST, "single node")
        self.assertEqual(self.partition_counts()[name], 5)

    # ---- DeleteRecords (neither client has it) ----

    def test_delete_records(self):
        name = self.topic_name("records")
        self.assert_created(name, 2)
        self.produce(name, 10)
        self.assertEqual(self.delete_records(name, [(0, 4)]), {0: (4, NONE)})
        self.assertEqual(self.offsets(name), (4, 10))
        # Below the start: nothing moves.
        self.assertEqual(self.delete_records(name, [(0, 2)]), {0: (4, NONE)})
        # Past the high watermark, or a negative offset other than -1: refused.
        self.assertEqual(self.delete_records(name, [(0, 11), (1, -5)]),
                         {0: (-1, OFFSET_OUT_OF_RANGE), 1: (-1, OFFSET_OUT_OF_RANGE)})
        # -1: up to the high watermark.
        self.assertEqual(self.delete_records(name, [(0, -1), (1, -1), (9, 0)]),
                         {0: (10, NONE), 1: (0, NONE), 9: (-1, UNKNOWN_TOPIC_OR_PARTITION)})
        self.assertEqual(self.offsets(name), (10, 10))
        self.produce(name, 2)
        self.assertEqual(self.offsets(name), (10, 12))
        missing = self.topic_name("missing")
        self.assertEqual(self.delete_records(missing, [(0, 0)]),
                         {0: (-1, UNKNOWN_TOPIC_OR_PARTITION)})

    # ---- DeleteTopics ----

    def test_delete_topic_and_recreate(self):
        name = self.topic_name("recreate")
        self.assert_created(name, 3)
        self.produce(name, 5)
        fs = self.admin.delete_topics([name], operation_timeout=TIMEOUT, request_timeout=TIMEOUT)
        self.assertIsNone(fs[name].result(TIMEOUT))
        self.assertNotIn(name, self.partition_counts())
        self.assert_created(name, 1)
        self.assertEqual(self.partition_counts()[name], 1)
        self.assertEqual(self.offsets(name), (0, 0))
        self.assertEqual(self.overrides(name), {})

    def test_delete_unknown_topics(self):
        missing = self.topic_name("missing")
        fs = self.admin.delete_topics([missing], request_timeout=TIMEOUT)
        self.assert_refused(fs[missing].exception(TIMEOUT).args[0], UNKNOWN_TOPIC_OR_PARTITION)
        c = self.connect()
        results = delete_topics_v6(c, [(None, uuid.uuid4().bytes), (missing, bytes(16))])
        self.assertEqual([(r["name"], r["error_code"]) for r in results],
                         [(None, UNKNOWN_TOPIC_ID), (missing, UNKNOWN_TOPIC_OR_PARTITION)])
        self.assertTrue(all(r["error_message"] for r in results))

    def test_delete_topics_v6_refuses_name_and_id_together_and_duplicates(self):
        name = self.topic_name("v6")
        c = self.connect()
        created = create_topics_v7(c, [(name, 1, 1, {})])[name]
        results = delete_topics_v6(c, [(name, created["topic_id"]), (name, created["topic_id"])])
        self.assertEqual([r["error_code"] for r in results], [INVALID_REQUEST])
        self.assertIn(name, self.partition_counts())
        [r] = delete_topics_v6(c, [(name, bytes(16))])
        self.assertEqual((r["error_code"], r["topic_id"]), (NONE, created["topic_id"]))

    # ---- DescribeCluster ----

    def test_describe_cluster(self):
        admin = self.kafka_python_admin()
        cluster = admin.describe_cluster()
        self.assertEqual(cluster["controller_id"], 0)
        self.assertEqual([(b["node_id"], b["port"]) for b in cluster["brokers"]],
                         [(0, self.brook.port)])
        raw = describe_cluster_v0(self.connect())
        self.assertEqual(raw["error_code"], NONE)
        self.assertEqual(raw["cluster_id"], cluster["cluster_id"])
        self.assertTrue(raw["cluster_id"])
        self.assertEqual(raw["controller_id"], 0)
        self.assertEqual(raw["brokers"], [{"broker_id": 0, "host": "127.0.0.1",
                                           "port": self.brook.port, "rack": None}])
        self.assertEqual(raw["cluster_authorized_operations"], -2**31)
        asked = describe_cluster_v0(self.connect(), include_operations=True)
        ops = asked["cluster_authorized_operations"]
        for bit in (7, 8, 10, 11, 12):  # ALTER, DESCRIBE, DESCRIBE/ALTER_CONFIGS, IDEMPOTENT
            self.assertTrue(ops & (1 << bit), f"operation {bit} in {ops:#x}")

    # ---- DescribeLogDirs (neither client has it) ----

    def segment_bytes(self, topic, partition):
        d = os.path.join(self.brook.data_dir, "data", f"{topic}-{partition}")
        return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)
                   if f.endswith(".log"))

    def test_describe_log_dirs(self):
        name = self.topic_name("sizes")
        self.assert_created(name, 2)
        self.produce(name, 25, partition=1)
        data_dir = os.path.realpath(os.path.join(self.brook.data_dir, "data"))
        on_disk = self.segment_bytes(name, 1)
        self.assertGreater(on_disk, 0)
        # v1, every topic (null): the one directory, this topic's partitions among the rest.
        [(code, log_dir, topics)] = self.connect().request(
            DescribeLogDirsRequest_v1(topics=None)).results
        self.assertEqual((code, os.path.realpath(log_dir)), (NONE, data_dir))
        ours = dict(topics)[name]
        self.assertEqual(sorted(ours), [(0, 0, 0, False), (1, on_disk, 0, False)])
        # v4, one partition asked for, a topic that does not exist left out; the disk's
        # total and usable bytes as statvfs(2) tells them.
        missing = self.topic_name("missing")
        code, [result] = describe_log_dirs_v4(self.connect(), [(name, [1, 7]), (missing, [0])])
        self.assertEqual((code, result["error_code"]), (NONE, NONE))
        self.assertEqual(result["topics"], [(name, [(1, on_disk, 0, False)])])
        fs = os.statvfs(data_dir)
        self.assertEqual(result["total_bytes"], fs.f_blocks * fs.f_frsize)
        self.assertGreater(result["usable_bytes"], 0)
        self.assertLessEqual(result["usable_bytes"], result["total_bytes"])
        # An empty list asks for nothing.
        code, [result] = describe_log_dirs_v4(self.connect(), [])
        self.assertEqual((code, result["topics"]), (NONE, []))

    # ---- kafka-python's admin client ----

    def test_kafka_python_admin_client(self):
        admin = self.kafka_python_admin()
        name = self.topic_name("kp")
        admin.create_topics([KpNewTopic(name, 2, 1, topic_configs={"retention.ms": "777"})])
        self.assertIn(name, admin.list_topics())
        self.assertEqual(self.overrides(name), {"retention.ms": "777"})
        admin.delete_topics([name])
        self.assertNotIn(name, admin.list_topics())

    # ---- odd input ----

    def test_odd_requests_do_not_hurt_the_broker(self):
        null_array = struct.pack(">i", -1)
        bodies = [
            (19, 0, null_array + struct.pack(">i", 1000)),            # CreateTopics
            (20, 1, null_array + struct.pack(">i", 1000)),            # DeleteTopics
            (21, 0, null_array + struct.pack(">i", 1000)),            # DeleteRecords
            (32, 1, null_array + b"\x00"),                            # DescribeConfigs
            (33, 0, null_array + b"\x00"),                            # AlterConfigs
            (37, 0, null_array + struct.pack(">i", 1000) + b"\x00"),  # CreatePartitions
            (44, 0, null_array + b"\x00"),                            # IncrementalAlter
            (19, 1, struct.pack(">i", 1) + struct.pack(">h", 3) + b"abc"),  # truncated
            (32, 0, struct.pack(">i", 2_000_000_000)),               # huge count
        ]
        # Kafka closes the connection of a request it cannot parse; so does Brook.
        for api_key, version, body in bodies:
            with self.subTest(api_key=api_key, version=version):
                c = Conn(self.brook.port)
                try:
                    self.assertIsNone(c.exchange(api_key, version, body))
                finally:
                    c.close()
        # Still serving.
        name = self.topic_name("after-odd")
        self.assert_created(name, 2)
        self.assertEqual(self.partition_counts()[name], 2)


class AdminRestartTest(unittest.TestCase):
    """What an acknowledged admin request changed survives the server being killed."""

    def test_changes_survive_a_kill(self):
        brook = BrookServer()
        brook.start()
        try:
            admin = AdminClient({"bootstrap.servers": brook.bootstrap})
            kept, gone = "kept", "gone"
            fs = admin.create_topics([NewTopic(kept, 2, 1, config={"retention.ms": "1000"}),
                                      NewTopic(gone, 1, 1)], request_timeout=TIMEOUT)
            for f in fs.values():
                f.result(TIMEOUT)
            admin.create_partitions([NewPartitions(kept, 3)],
                                    request_timeout=TIMEOUT)[kept].result(TIMEOUT)
            res = ConfigResource("topic", kept, set_config={"segment.ms": "60000"})
            admin.alter_configs([res], request_timeout=TIMEOUT)[res].result(TIMEOUT)
            p = Producer({"bootstrap.servers": brook.bootstrap})
            for i in range(5):
                p.produce(kept, value=b"%d" % i, partition=0)
            self.assertEqual(p.flush(TIMEOUT), 0)
            conn = Conn(brook.port)
            req = DeleteRecordsRequest_v1(topics=[(kept, [(0, 3)])], timeout_ms=TIMEOUT * 1000)
            self.assertEqual(conn.request(req).topics, [(kept, [(0, 3, NONE)])])
            conn.close()
            admin.delete_topics([gone], request_timeout=TIMEOUT)[gone].result(TIMEOUT)
            del admin, p

            brook.restart(kill=True)

            admin = AdminClient({"bootstrap.servers": brook.bootstrap})
            md = admin.list_topics(timeout=TIMEOUT)
            self.assertIn(kept, md.topics)
            self.assertNotIn(gone, md.topics)
            self.assertEqual(len(md.topics[kept].partitions), 3)
            res = ConfigResource("topic", kept)
            configs = admin.describe_configs([res], request_timeout=TIMEOUT)[res].result(TIMEOUT)
            overrides = {k: e.value for k, e in configs.items()
                         if e.source == DYNAMIC_TOPIC_CONFIG}
            self.assertEqual(overrides, {"segment.ms": "60000"})
            c = KafkaConsumer(bootstrap_servers=brook.bootstrap)
            tp = TopicPartition(kept, 0)
            self.assertEqual((c.beginning_offsets([tp])[tp], c.end_offsets([tp])[tp]), (3, 5))
            c.close()
            del admin
        finally:
            brook.stop()
            brook.log_done.wait(30)
            shutil.rmtree(brook.data_dir, ignore_errors=True)
        reports = brook.sanitizer_reports()
        self.assertEqual(reports, [], "".join(brook.log_lines[-80:]))


if __name__ == "__main__":
    unittest.main()
