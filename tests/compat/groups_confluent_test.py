#!/usr/bin/python3
"""Consumer groups with confluent-kafka-python 1.7 (librdkafka 2.0.2) against a real
`brook serve`: members of one group share a topic's partitions with no overlap; joins,
clean leaves, SIGKILLed members and restarted static members move partitions the way
Kafka moves them; cooperative-sticky rebalances revoke only what changes owner; committed
offsets are read back and resumed from; the group admin API answers what was committed;
and a workload that commits after processing sees every record at least once through
joins, leaves, crashes and a SIGKILL of the broker.

confluent-kafka-python 1.7 wraps only list_groups() of librdkafka's group administration.
The rest (ListConsumerGroups, DescribeConsumerGroups, ListConsumerGroupOffsets,
AlterConsumerGroupOffsets, DeleteGroups; what confluent-kafka-python 2.x exposes as
AdminClient.list_consumer_groups and so on) is called in librdkafka itself through ctypes
(GroupAdmin below), so the requests are still librdkafka's.

Nothing waits on time except where the test must see that something does NOT happen (a
static member's restart causes no rebalance): there it watches for longer than the session
timeout. Everything else waits on a condition with a generous deadline."""

import ctypes
import json
import signal
import struct
import subprocess
import sys
import threading
import time
import unittest
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, ServerTestCase, disjoint_cover, wait_until  # noqa: E402
from kafka_wire import GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, UNKNOWN_MEMBER_ID  # noqa: E402

PARTITIONS = 6
ALL = frozenset(range(PARTITIONS))
# Group settings of the server: no initial rebalance delay (a test's first join completes
# at once) and short session timeouts allowed.
SERVER_ARGS = ("--group-initial-rebalance-delay-ms", "0",
               "--group-min-session-timeout-ms", "1000")
SESSION_MS = 4000


def generation_of(member):
    """The generation id librdkafka holds for a Member's group membership: the 32-bit
    field after the 7-byte "CGMDv2:" magic of consumer_group_metadata() (librdkafka writes
    it in host byte order)."""
    data = member.consumer.consumer_group_metadata()
    assert data.startswith(b"CGMDv2:"), data
    return struct.unpack("=i", data[7:11])[0]


# ---- librdkafka's group administration through ctypes ----------------------------------

class _TopicPartition(ctypes.Structure):
    _fields_ = [("topic", ctypes.c_char_p), ("partition", ctypes.c_int32),
                ("offset", ctypes.c_int64), ("metadata", ctypes.c_void_p),
                ("metadata_size", ctypes.c_size_t), ("opaque", ctypes.c_void_p),
                ("err", ctypes.c_int), ("_private", ctypes.c_void_p)]


class _TopicPartitionList(ctypes.Structure):
    _fields_ = [("cnt", ctypes.c_int), ("size", ctypes.c_int),
                ("elems", ctypes.POINTER(_TopicPartition))]


_P = ctypes.c_void_p
_PP = ctypes.POINTER(ctypes.c_void_p)
_STR = ctypes.c_char_p
_SIZE = ctypes.c_size_t
_SIZEP = ctypes.POINTER(ctypes.c_size_t)
_TPL = ctypes.POINTER(_TopicPartitionList)
_SIGNATURES = {
    "rd_kafka_conf_new": (_P, []),
    "rd_kafka_conf_set": (ctypes.c_int, [_P, _STR, _STR, _STR, _SIZE]),
    "rd_kafka_new": (_P, [ctypes.c_int, _P, _STR, _SIZE]),
    "rd_kafka_destroy": (None, [_P]),
    "rd_kafka_queue_new": (_P, [_P]),
    "rd_kafka_queue_destroy": (None, [_P]),
    "rd_kafka_queue_poll": (_P, [_P, ctypes.c_int]),
    "rd_kafka_event_error": (ctypes.c_int, [_P]),
    "rd_kafka_event_error_string": (_STR, [_P]),
    "rd_kafka_event_destroy": (None, [_P]),
    "rd_kafka_error_code": (ctypes.c_int, [_P]),
    "rd_kafka_error_string": (_STR, [_P]),
    "rd_kafka_error_destroy": (None, [_P]),
    "rd_kafka_AdminOptions_new": (_P, [_P, ctypes.c_int]),
    "rd_kafka_AdminOptions_destroy": (None, [_P]),
    "rd_kafka_AdminOptions_set_request_timeout": (ctypes.c_int, [_P, ctypes.c_int, _STR, _SIZE]),
    "rd_kafka_AdminOptions_set_match_consumer_group_states":
        (_P, [_P, ctypes.POINTER(ctypes.c_int), _SIZE]),
    "rd_kafka_topic_partition_list_new": (_TPL, [ctypes.c_int]),
    "rd_kafka_topic_partition_list_add": (ctypes.POINTER(_TopicPartition),
                                          [_TPL, _STR, ctypes.c_int32]),
    "rd_kafka_topic_partition_list_destroy": (None, [_TPL]),
    "rd_kafka_consumer_group_state_name": (_STR, [ctypes.c_int]),
    "rd_kafka_ListConsumerGroups": (None, [_P, _P, _P]),
    "rd_kafka_event_ListConsumerGroups_result": (_P, [_P]),
    "rd_kafka_ListConsumerGroups_result_valid": (_PP, [_P, _SIZEP]),
    "rd_kafka_ListConsumerGroups_result_errors": (_PP, [_P, _SIZEP]),
    "rd_kafka_ConsumerGroupListing_group_id": (_STR, [_P]),
    "rd_kafka_ConsumerGroupListing_is_simple_consumer_group": (ctypes.c_int, [_P]),
    "rd_kafka_ConsumerGroupListing_state": (ctypes.c_int, [_P]),
    "rd_kafka_DescribeConsumerGroups": (None, [_P, ctypes.POINTER(_STR), _SIZE, _P, _P]),
    "rd_kafka_event_DescribeConsumerGroups_result": (_P, [_P]),
    "rd_kafka_DescribeConsumerGroups_result_groups": (_PP, [_P, _SIZEP]),
    "rd_kafka_ConsumerGroupDescription_group_id": (_STR, [_P]),
    "rd_kafka_ConsumerGroupDescription_error": (_P, [_P]),
    "rd_kafka_ConsumerGroupDescription_is_simple_consumer_group": (ctypes.c_int, [_P]),
    "rd_kafka_ConsumerGroupDescription_partition_assignor": (_STR, [_P]),
    "rd_kafka_ConsumerGroupDescription_state": (ctypes.c_int, [_P]),
    "rd_kafka_ConsumerGroupDescription_member_count": (_SIZE, [_P]),
    "rd_kafka_ConsumerGroupDescription_member": (_P, [_P, _SIZE]),
    "rd_kafka_MemberDescription_client_id": (_STR, [_P]),
    "rd_kafka_MemberDescription_group_instance_id": (_STR, [_P]),
    "rd_kafka_MemberDescription_consumer_id": (_STR, [_P]),
    "rd_kafka_MemberDescription_host": (_STR, [_P]),
    "rd_kafka_MemberDescription_assignment": (_P, [_P]),
    "rd_kafka_MemberAssignment_partitions": (_TPL, [_P]),
    "rd_kafka_DeleteGroup_new": (_P, [_STR]),
    "rd_kafka_DeleteGroup_destroy": (None, [_P]),
    "rd_kafka_DeleteGroups": (None, [_P, _PP, _SIZE, _P, _P]),
    "rd_kafka_event_DeleteGroups_result": (_P, [_P]),
    "rd_kafka_DeleteGroups_result_groups": (_PP, [_P, _SIZEP]),
    "rd_kafka_ListConsumerGroupOffsets_new": (_P, [_STR, _TPL]),
    "rd_kafka_ListConsumerGroupOffsets_destroy": (None, [_P]),
    "rd_kafka_ListConsumerGroupOffsets": (None, [_P, _PP, _SIZE, _P, _P]),
    "rd_kafka_event_ListConsumerGroupOffsets_result": (_P, [_P]),
    "rd_kafka_ListConsumerGroupOffsets_result_groups": (_PP, [_P, _SIZEP]),
    "rd_kafka_AlterConsumerGroupOffsets_new": (_P, [_STR, _TPL]),
    "rd_kafka_AlterConsumerGroupOffsets_destroy": (None, [_P]),
    "rd_kafka_AlterConsumerGroupOffsets": (None, [_P, _PP, _SIZE, _P, _P]),
    "rd_kafka_event_AlterConsumerGroupOffsets_result": (_P, [_P]),
    "rd_kafka_AlterConsumerGroupOffsets_result_groups": (_PP, [_P, _SIZEP]),
    "rd_kafka_group_result_error": (_P, [_P]),
    "rd_kafka_group_result_name": (_STR, [_P]),
    "rd_kafka_group_result_partitions": (_TPL, [_P]),
}
# rdkafka.h: rd_kafka_admin_op_t and rd_kafka_consumer_group_state_t.
_OP_DELETEGROUPS = 7
_OP_LISTCONSUMERGROUPS = 12
_OP_DESCRIBECONSUMERGROUPS = 13
_OP_LISTCONSUMERGROUPOFFSETS = 14
_OP_ALTERCONSUMERGROUPOFFSETS = 15
STATE_CODES = {"PreparingRebalance": 1, "CompletingRebalance": 2, "Stable": 3, "Dead": 4,
               "Empty": 5}


def _rdkafka():
    lib = ctypes.CDLL("librdkafka.so.1")  # the library confluent-kafka-python is built on
    for name, (restype, argtypes) in _SIGNATURES.items():
        f = getattr(lib, name)
        f.restype = restype
        f.argtypes = argtypes
    return lib


class GroupAdmin:
    """librdkafka's consumer-group admin API (rdkafka.h, librdkafka 2.0.2), one call at a
    time, each waiting for its result event."""

    def __init__(self, bootstrap):
        self.lib = lib = _rdkafka()
        err = ctypes.create_string_buffer(512)
        conf = lib.rd_kafka_conf_new()
        for k, v in (("bootstrap.servers", bootstrap), ("client.id", "groups-admin")):
            if lib.rd_kafka_conf_set(conf, k.encode(), v.encode(), err, 512) != 0:
                raise RuntimeError(err.value.decode())
        self.rk = lib.rd_kafka_new(0, conf, err, 512)  # RD_KAFKA_PRODUCER
        if not self.rk:
            raise RuntimeError(err.value.decode())
        self.queue = lib.rd_kafka_queue_new(self.rk)

    def close(self):
        if self.rk:
            self.lib.rd_kafka_queue_destroy(self.queue)
            self.lib.rd_kafka_destroy(self.rk)
            self.rk = None

    def _options(self, op):
        options = self.lib.rd_kafka_AdminOptions_new(self.rk, op)
        err = ctypes.create_string_buffer(512)
        self.lib.rd_kafka_AdminOptions_set_request_timeout(options, 30000, err, 512)
        return options

    def _wait(self, result_of):
        """Polls the queue for the admin result; returns (event, result)."""
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            ev = self.lib.rd_kafka_queue_poll(self.queue, 1000)
            if not ev:
                continue
            code = self.lib.rd_kafka_event_error(ev)
            if code != 0:
                text = self.lib.rd_kafka_event_error_string(ev)
                self.lib.rd_kafka_event_destroy(ev)
                raise KafkaException(KafkaError(code, (text or b"").decode()))
            result = result_of(ev)
            if result:
                return ev, result
            self.lib.rd_kafka_event_destroy(ev)
        raise AssertionError("no admin result within the deadline")

    def _error(self, error_ptr):
        return self.lib.rd_kafka_error_code(error_ptr) if error_ptr else 0

    @staticmethod
    def _partitions(tpl):
        """{(topic, partition): (offset, error code)} of a topic partition list."""
        out = {}
        if tpl:
            lst = tpl.contents
            for i in range(lst.cnt):
                tp = lst.elems[i]
                out[(tp.topic.decode(), tp.partition)] = (tp.offset, tp.err)
        return out

    def _group_results(self, results, cnt):
        lib = self.lib
        out = {}
        for i in range(cnt.value):
            g = results[i]
            name = lib.rd_kafka_group_result_name(g).decode()
            out[name] = (self._error(lib.rd_kafka_group_result_error(g)),
                         self._partitions(lib.rd_kafka_group_result_partitions(g)))
        return out

    def list_groups(self, states=None):
        """{group id: (state name, is simple consumer group)}; `states` filters by state
        (ListGroups v4 states filter)."""
        lib = self.lib
        options = self._options(_OP_LISTCONSUMERGROUPS)
        if states:
            arr = (ctypes.c_int * len(states))(*[STATE_CODES[s] for s in states])
            error = lib.rd_kafka_AdminOptions_set_match_consumer_group_states(
                options, arr, len(states))
            if error:
                raise RuntimeError(lib.rd_kafka_error_string(error).decode())
        lib.rd_kafka_ListConsumerGroups(self.rk, options, self.queue)
        lib.rd_kafka_AdminOptions_destroy(options)
        ev, result = self._wait(lib.rd_kafka_event_ListConsumerGroups_result)
        try:
            cnt = ctypes.c_size_t()
            errors = lib.rd_kafka_ListConsumerGroups_result_errors(result, ctypes.byref(cnt))
            if cnt.value:
                raise KafkaException(KafkaError(lib.rd_kafka_error_code(errors[0]),
                                                lib.rd_kafka_error_string(errors[0]).decode()))
            valid = lib.rd_kafka_ListConsumerGroups_result_valid(result, ctypes.byref(cnt))
            out = {}
            for i in range(cnt.value):
                g = valid[i]
                state = lib.rd_kafka_ConsumerGroupListing_state(g)
                out[lib.rd_kafka_ConsumerGroupListing_group_id(g).decode()] = (
                    lib.rd_kafka_consumer_group_state_name(state).decode(),
                    bool(lib.rd_kafka_ConsumerGroupListing_is_simple_consumer_group(g)))
            return out
        finally:
            lib.rd_kafka_event_destroy(ev)

    def describe(self, groups):
        """{group id: {"error", "state", "assignor", "simple", "members": [...]}}, each
        member {"client_id", "consumer_id", "instance_id", "host", "partitions"}."""
        lib = self.lib
        names = (_STR * len(groups))(*[g.encode() for g in groups])
        options = self._options(_OP_DESCRIBECONSUMERGROUPS)
        lib.rd_kafka_DescribeConsumerGroups(self.rk, names, len(groups), options, self.queue)
        lib.rd_kafka_AdminOptions_destroy(options)
        ev, result = self._wait(lib.rd_kafka_event_DescribeConsumerGroups_result)
        try:
            cnt = ctypes.c_size_t()
            descs = lib.rd_kafka_DescribeConsumerGroups_result_groups(result, ctypes.byref(cnt))
            out = {}
            for i in range(cnt.value):
                d = descs[i]
                members = []
                for j in range(lib.rd_kafka_ConsumerGroupDescription_member_count(d)):
                    m = lib.rd_kafka_ConsumerGroupDescription_member(d, j)
                    instance = lib.rd_kafka_MemberDescription_group_instance_id(m)
                    assignment = lib.rd_kafka_MemberDescription_assignment(m)
                    parts = self._partitions(lib.rd_kafka_MemberAssignment_partitions(assignment)
                                             if assignment else None)
                    members.append({
                        "client_id": lib.rd_kafka_MemberDescription_client_id(m).decode(),
                        "consumer_id": lib.rd_kafka_MemberDescription_consumer_id(m).decode(),
                        "instance_id": instance.decode() if instance else None,
                        "host": lib.rd_kafka_MemberDescription_host(m).decode(),
                        "partitions": frozenset(p for _, p in parts)})
                assignor = lib.rd_kafka_ConsumerGroupDescription_partition_assignor(d)
                out[lib.rd_kafka_ConsumerGroupDescription_group_id(d).decode()] = {
                    "error": self._error(lib.rd_kafka_ConsumerGroupDescription_error(d)),
                    "state": lib.rd_kafka_consumer_group_state_name(
                        lib.rd_kafka_ConsumerGroupDescription_state(d)).decode(),
                    "assignor": assignor.decode() if assignor else "",
                    "simple": bool(lib.rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(d)),
                    "members": members}
            return out
        finally:
            lib.rd_kafka_event_destroy(ev)

    def list_offsets(self, group):
        """(group error, {(topic, partition): (offset, error)}) of all the group's
        committed offsets."""
        lib = self.lib
        request = lib.rd_kafka_ListConsumerGroupOffsets_new(group.encode(), None)
        options = self._options(_OP_LISTCONSUMERGROUPOFFSETS)
        lib.rd_kafka_ListConsumerGroupOffsets(self.rk, ctypes.byref(ctypes.c_void_p(request)), 1,
                                              options, self.queue)
        lib.rd_kafka_AdminOptions_destroy(options)
        lib.rd_kafka_ListConsumerGroupOffsets_destroy(request)
        ev, result = self._wait(lib.rd_kafka_event_ListConsumerGroupOffsets_result)
        try:
            cnt = ctypes.c_size_t()
            groups = lib.rd_kafka_ListConsumerGroupOffsets_result_groups(result, ctypes.byref(cnt))
            return self._group_results(groups, cnt)[group]
        finally:
            lib.rd_kafka_event_destroy(ev)

    def alter_offsets(self, group, offsets):
        """offsets: {(topic, partition): offset}. Returns (group error, {(topic, partition):
        (offset, error)})."""
        lib = self.lib
        tpl = lib.rd_kafka_topic_partition_list_new(len(offsets))
        for (topic, partition), offset in offsets.items():
            lib.rd_kafka_topic_partition_list_add(tpl, topic.encode(), partition).contents.offset = offset
        request = lib.rd_kafka_AlterConsumerGroupOffsets_new(group.encode(), tpl)
        lib.rd_kafka_topic_partition_list_destroy(tpl)
        options = self._options(_OP_ALTERCONSUMERGROUPOFFSETS)
        lib.rd_kafka_AlterConsumerGroupOffsets(self.rk, ctypes.byref(ctypes.c_void_p(request)), 1,
                                               options, self.queue)
        lib.rd_kafka_AdminOptions_destroy(options)
        lib.rd_kafka_AlterConsumerGroupOffsets_destroy(request)
        ev, result = self._wait(lib.rd_kafka_event_AlterConsumerGroupOffsets_result)
        try:
            cnt = ctypes.c_size_t()
            groups = lib.rd_kafka_AlterConsumerGroupOffsets_result_groups(result, ctypes.byref(cnt))
            return self._group_results(groups, cnt)[group]
        finally:
            lib.rd_kafka_event_destroy(ev)

    def delete(self, groups):
        """{group id: error code}."""
        lib = self.lib
        requests = (ctypes.c_void_p * len(groups))(
            *[lib.rd_kafka_DeleteGroup_new(g.encode()) for g in groups])
        options = self._options(_OP_DELETEGROUPS)
        lib.rd_kafka_DeleteGroups(self.rk, requests, len(groups), options, self.queue)
        lib.rd_kafka_AdminOptions_destroy(options)
        for r in requests:
            lib.rd_kafka_DeleteGroup_destroy(r)
        ev, result = self._wait(lib.rd_kafka_event_DeleteGroups_result)
        try:
            cnt = ctypes.c_size_t()
            results = lib.rd_kafka_DeleteGroups_result_groups(result, ctypes.byref(cnt))
            return {name: err for name, (err, _) in self._group_results(results, cnt).items()}
        finally:
            lib.rd_kafka_event_destroy(ev)


# ---- group members ---------------------------------------------------------------------

def member_config(bootstrap, group, name, extra):
    conf = {"bootstrap.servers": bootstrap, "group.id": group, "client.id": name,
            "session.timeout.ms": SESSION_MS, "heartbeat.interval.ms": 300,
            "max.poll.interval.ms": 30000, "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "reconnect.backoff.ms": 20,
            "reconnect.backoff.max.ms": 500}
    conf.update(extra)
    return conf


class Member:
    """One confluent-kafka consumer of a group, polled by the test's thread (pump). It
    processes records (keeps them) and commits what it processed synchronously after each
    batch and for partitions being revoked, as an at-least-once application does. With
    auto_commit=False it never commits by itself."""

    def __init__(self, bootstrap, group, topic, name, auto_commit=True, **extra):
        self.name = name
        self.topic = topic
        self.auto_commit = auto_commit
        self.events = []    # ("assign" | "revoke" | "lost", partitions), in callback order
        self.records = []   # (partition, offset, value)
        self.pending = {}   # partition -> offset to commit (processed, not committed yet)
        self.commit_errors = []
        self.errors = []
        self.open = True
        self.consumer = Consumer(member_config(bootstrap, group, name, extra))
        self.consumer.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke,
                                on_lost=self._on_lost)

    def _on_assign(self, consumer, partitions):
        self.events.append(("assign", frozenset(tp.partition for tp in partitions)))

    def _on_revoke(self, consumer, partitions):
        revoked = frozenset(tp.partition for tp in partitions)
        self.events.append(("revoke", revoked))
        if self.auto_commit:
            self.commit_pending(revoked)
        for p in revoked:
            self.pending.pop(p, None)

    def _on_lost(self, consumer, partitions):
        lost = frozenset(tp.partition for tp in partitions)
        self.events.append(("lost", lost))
        for p in lost:
            self.pending.pop(p, None)

    def count(self, kind):
        return sum(1 for k, _ in self.events if k == kind)

    def partitions(self):
        if not self.open:
            return frozenset()
        return frozenset(tp.partition for tp in self.consumer.assignment())

    def poll(self):
        if not self.open:
            return
        for m in self.consumer.consume(num_messages=500, timeout=0.02):
            if m.error():
                if m.error().code() != KafkaError._PARTITION_EOF:
                    self.errors.append(m.error())
                continue
            self.records.append((m.partition(), m.offset(), m.value()))
            self.pending[m.partition()] = m.offset() + 1
        if self.auto_commit:
            self.commit_pending()

    def commit_pending(self, only=None):
        offsets = [TopicPartition(self.topic, p, o) for p, o in sorted(self.pending.items())
                   if only is None or p in only]
        if not offsets:
            return
        try:
            result = self.consumer.commit(offsets=offsets, asynchronous=False)
        except KafkaException as e:
            self.commit_errors.append(e.args[0])  # retried with the next batch
            return
        for tp in result:
            if tp.error is None:
                if self.pending.get(tp.partition) == tp.offset:
                    del self.pending[tp.partition]
            else:
                self.commit_errors.append(tp.error)

    def close(self):
        if self.open:
            self.consumer.close()
            self.open = False


CHILD = r'''
import json, queue, sys, threading
from confluent_kafka import Consumer, KafkaException, TopicPartition

conf, topic = json.loads(sys.argv[1]), sys.argv[2]
lock = threading.Lock()

def say(*words):
    with lock:
        sys.stdout.write(" ".join(str(w) for w in words) + "\n")
        sys.stdout.flush()

commands = queue.Queue()

def read_commands():
    for line in sys.stdin:
        commands.put(line.strip())
    commands.put("close")

threading.Thread(target=read_commands, daemon=True).start()
pending = {}

def commit(only=None):
    offsets = [TopicPartition(topic, p, o) for p, o in sorted(pending.items())
               if only is None or p in only]
    if not offsets:
        return
    try:
        result = c.commit(offsets=offsets, asynchronous=False)
    except KafkaException as e:
        say("E", "commit", e.args[0].code())
        return
    for tp in result:
        if tp.error is None:
            say("C", tp.partition, tp.offset)
            if pending.get(tp.partition) == tp.offset:
                del pending[tp.partition]
        else:
            say("E", "commit", tp.partition, tp.error.code())

def on_assign(consumer, parts):
    say("A", *sorted(tp.partition for tp in parts))

def on_revoke(consumer, parts):
    revoked = {tp.partition for tp in parts}
    commit(revoked)
    for p in revoked:
        pending.pop(p, None)
    say("V", *sorted(revoked))

def on_lost(consumer, parts):
    for tp in parts:
        pending.pop(tp.partition, None)
    say("L", *sorted(tp.partition for tp in parts))

c = Consumer(conf)
c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
say("S")
while True:
    try:
        command = commands.get_nowait()
    except queue.Empty:
        command = None
    if command == "close":
        c.close()
        say("X")
        break
    for m in c.consume(num_messages=200, timeout=0.05):
        if m.error():
            continue
        say("R", m.partition(), m.offset(), m.value().decode())
        pending[m.partition()] = m.offset() + 1
    commit()
'''


class ChildMember:
    """A group member in its own process (CHILD above), so that it can be killed with
    SIGKILL or frozen with SIGSTOP. It prints what it does: A/V/L partitions assigned,
    revoked, lost (eager: A is the whole assignment), R partition offset number for each
    record processed, C partition offset after commit(asynchronous=False) returned
    success for it, E on errors, X after a clean close()."""

    def __init__(self, bootstrap, group, topic, name, **extra):
        self.name = name
        self.lock = threading.Lock()
        self.assignment = frozenset()
        self.processed = []   # (partition, offset, number)
        self.acked = {}       # partition -> highest offset whose commit was acknowledged
        self.errors = []
        self.stderr = []
        conf = member_config(bootstrap, group, name, extra)
        # setpriv --pdeathsig: the child dies with the test even if the test is killed.
        self.proc = subprocess.Popen(
            ["setpriv", "--pdeathsig", "KILL", "--", sys.executable, "-c", CHILD,
             json.dumps(conf), topic],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            bufsize=1)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()

    def _read(self):
        for line in self.proc.stdout:
            words = line.split()
            if not words:
                continue
            kind, args = words[0], words[1:]
            with self.lock:
                if kind == "A":
                    self.assignment = frozenset(int(p) for p in args)
                elif kind in ("V", "L"):
                    self.assignment = self.assignment - {int(p) for p in args}
                elif kind == "R":
                    self.processed.append((int(args[0]), int(args[1]), int(args[2])))
                elif kind == "C":
                    p, o = int(args[0]), int(args[1])
                    self.acked[p] = max(self.acked.get(p, -1), o)
                elif kind == "E":
                    self.errors.append(args)

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line)

    def partitions(self):
        with self.lock:
            return self.assignment if self.alive() else frozenset()

    def numbers(self):
        with self.lock:
            return {n for _, _, n in self.processed}

    def acked_offsets(self):
        with self.lock:
            return dict(self.acked)

    def alive(self):
        return self.proc.poll() is None

    # The same view of the work as Member's, for GroupTestCase.consume_once.
    open = property(alive)

    @property
    def records(self):
        with self.lock:
            return list(self.processed)

    @property
    def pending(self):
        """{partition: offset} processed in the current assignment but not yet committed."""
        with self.lock:
            last = {}
            for p, o, _ in self.processed:
                last[p] = max(last.get(p, -1), o + 1)
            return {p: o for p, o in last.items()
                    if p in self.assignment and self.acked.get(p, -1) < o}

    def close(self):
        """Clean close (LeaveGroup); returns the exit code."""
        self.proc.stdin.write("close\n")
        self.proc.stdin.flush()
        code = self.proc.wait(timeout=DEADLINE_S)
        self._reader.join(timeout=10)
        return code

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._reader.join(timeout=10)

    def freeze(self):
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.proc.send_signal(signal.SIGCONT)

    def cleanup(self):
        if self.alive():
            self.proc.send_signal(signal.SIGCONT)
            self.kill()
        self._reader.join(timeout=10)
        self._stderr_reader.join(timeout=10)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            f.close()


# ---- tests -----------------------------------------------------------------------------

class GroupTestCase(ServerTestCase):
    """One server per class (group settings for quick tests); its clean exit and the
    sanitizer are checked at the end."""

    server_args = SERVER_ARGS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = GroupAdmin(cls.brook.bootstrap)

    @classmethod
    def tearDownClass(cls):
        cls.admin.close()
        super().tearDownClass()

    def setUp(self):
        self.members = []

    def fresh(self, what):
        """A new 6-partition topic and a new group name."""
        suffix = uuid.uuid4().hex[:8]
        topic, group = f"{what}-{suffix}", f"{what}-group-{suffix}"
        admin = AdminClient({"bootstrap.servers": self.brook.bootstrap})
        futures = admin.create_topics([NewTopic(topic, PARTITIONS, 1)], operation_timeout=30,
                                      request_timeout=30)
        futures[topic].result(timeout=DEADLINE_S)
        return topic, group

    def member(self, group, topic, name, **extra):
        m = Member(self.brook.bootstrap, group, topic, name, **extra)
        self.members.append(m)
        self.addCleanup(m.close)
        return m

    def child(self, group, topic, name, **extra):
        c = ChildMember(self.brook.bootstrap, group, topic, name, **extra)
        self.addCleanup(c.cleanup)
        return c

    def pump(self):
        for m in self.members:
            m.poll()

    def wait(self, predicate, what, timeout=DEADLINE_S):
        return wait_until(predicate, what, timeout, pump=self.pump)

    def wait_stable(self, members, timeout=DEADLINE_S):
        """Waits until the members' assignments are non-empty, disjoint and cover the 6
        partitions; returns {name: partitions}."""
        def state():
            return {m.name: sorted(m.partitions()) for m in members}
        self.wait(lambda: disjoint_cover([m.partitions() for m in members], ALL),
                  lambda: f"assignments {state()}", timeout)
        return {m.name: m.partitions() for m in members}

    def produce(self, topic, count, first=0):
        """Sends records numbered first.. first+count-1 (number i to partition i % 6) with
        acks=all; returns {(partition, offset): number}."""
        p = Producer({"bootstrap.servers": self.brook.bootstrap, "acks": "all",
                      "linger.ms": 5})
        sent = {}

        def report(number):
            def cb(err, msg):
                self.assertIsNone(err, f"delivery of record {number}")
                sent[(msg.partition(), msg.offset())] = number
            return cb

        for i in range(first, first + count):
            p.produce(topic, value=b"%d" % i, partition=i % PARTITIONS, on_delivery=report(i))
            p.poll(0)
        self.assertEqual(p.flush(DEADLINE_S), 0, "records left undelivered")
        self.assertEqual(len(sent), count)
        return sent

    def consume_once(self, members, topic, count, first=0):
        """Produces `count` records and waits until the members processed them: each one
        exactly once, by the member that owns its partition."""
        sent = self.produce(topic, count, first)

        def seen():
            return {(p, o): m for m in members for p, o, _ in m.records if (p, o) in sent}
        self.wait(lambda: len(seen()) == len(sent),
                  lambda: f"{len(seen())} of {len(sent)} records processed")
        # Commits of what was processed are done (nothing waits in `pending`).
        self.wait(lambda: all(not m.pending for m in members if m.open),
                  lambda: {m.name: m.pending for m in members})
        owners = {p: m for m in members for p in m.partitions()}
        for (p, o), m in seen().items():
            self.assertIs(m, owners[p], f"partition {p} offset {o} processed by {m.name}")
        return sent

    def assert_each_record_once(self, members):
        """Across everything the members ever processed, no record came twice: every
        hand-over resumed after the offsets committed before it."""
        positions = [(p, o) for m in members for p, o, _ in m.records]
        dupes = sorted({x for x in positions if positions.count(x) > 1})
        self.assertEqual(dupes, [], "records processed twice")

    def describe(self, group):
        return self.admin.describe([group])[group]

    def assert_described(self, group, members, state="Stable"):
        """DescribeConsumerGroups shows the members as their clients see themselves."""
        want = {m.name: m.partitions() for m in members}

        def matches():
            d = self.describe(group)
            got = {x["client_id"]: x["partitions"] for x in d["members"]}
            return d if d["state"] == state and got == want else None
        return self.wait(matches, lambda: f"described {self.describe(group)}, clients {want}")


class GroupMembershipTest(GroupTestCase):

    def test_members_share_the_partitions_and_a_fourth_joins(self):
        topic, group = self.fresh("share")
        members = [self.member(group, topic, f"m{i}") for i in range(3)]
        before = self.wait_stable(members)
        generation = generation_of(members[0])
        self.assertGreater(generation, 0)
        self.assertEqual({generation_of(m) for m in members}, {generation})
        self.assert_described(group, members)
        self.consume_once(members, topic, 120)

        fourth = self.member(group, topic, "m3")
        members.append(fourth)
        after = self.wait_stable(members)
        self.assertTrue(after["m3"], "the fourth member got partitions")
        moved = {p for name, parts in before.items() for p in parts if p not in after[name]}
        self.assertTrue(moved, "a rebalance moved partitions")
        self.assertGreater(generation_of(fourth), generation, "a new generation")
        self.assertEqual({generation_of(m) for m in members}, {generation_of(fourth)})
        d = self.assert_described(group, members)
        self.assertIn(d["assignor"], ("range", "roundrobin"))
        self.assertFalse(d["simple"])
        self.assertEqual(len({x["consumer_id"] for x in d["members"]}), 4)
        # The new owners resume after what the old owners committed.
        self.consume_once(members, topic, 120, first=120)
        self.assert_each_record_once(members)
        for m in members:
            self.assertEqual(m.errors, [], m.name)

    def test_a_member_that_closes_hands_its_partitions_over(self):
        # A session timeout far above the wait below: only its LeaveGroup can move the
        # partitions in time.
        topic, group = self.fresh("leave")
        long = {"session.timeout.ms": 45000, "max.poll.interval.ms": 60000}
        members = [self.member(group, topic, f"m{i}", **long) for i in range(3)]
        before = self.wait_stable(members)
        self.consume_once(members, topic, 60)
        leaving = members.pop(1)
        leaving.close()
        after = wait_until(lambda: disjoint_cover([m.partitions() for m in members], ALL) and
                           {m.name: m.partitions() for m in members},
                           lambda: {m.name: sorted(m.partitions()) for m in members},
                           30, pump=self.pump)
        for p in before["m1"]:
            self.assertTrue(any(p in parts for parts in after.values()))
        self.assert_described(group, members)
        self.consume_once(members, topic, 60, first=60)
        self.assert_each_record_once(members + [leaving])

    def test_a_killed_member_loses_its_partitions_after_the_session_timeout(self):
        topic, group = self.fresh("kill")
        session = {"session.timeout.ms": 3000}
        members = [self.member(group, topic, f"m{i}", **session) for i in range(2)]
        victim = self.child(group, topic, "victim", **session)
        everyone = members + [victim]
        self.wait(lambda: disjoint_cover([m.partitions() for m in everyone], ALL),
                  lambda: {m.name: sorted(m.partitions()) for m in everyone})
        victims = victim.partitions()
        self.consume_once(everyone, topic, 60)
        victim.kill()
        after = wait_until(lambda: disjoint_cover([m.partitions() for m in members], ALL) and
                           {m.name: m.partitions() for m in members},
                           lambda: {m.name: sorted(m.partitions()) for m in members},
                           pump=self.pump)
        self.assertTrue(all(any(p in parts for parts in after.values()) for p in victims))
        d = self.assert_described(group, members)
        self.assertNotIn("victim", [x["client_id"] for x in d["members"]])
        # Records sent after the kill, in the victim's partitions too, are processed once.
        self.consume_once(members, topic, 60, first=60)

    def test_static_members_rejoin_within_the_session_timeout_without_a_rebalance(self):
        topic, group = self.fresh("static")
        session_ms = 10000

        def static(name):
            return self.member(group, topic, name, **{"group.instance.id": name,
                                                      "session.timeout.ms": session_ms})

        members = {name: static(name) for name in ("s0", "s1", "s2")}
        before = self.wait_stable(list(members.values()))
        generation = generation_of(members["s0"])
        self.assertEqual({generation_of(m) for m in members.values()}, {generation})
        d = self.assert_described(group, list(members.values()))
        ids = {x["instance_id"]: x["consumer_id"] for x in d["members"]}
        self.assertEqual(set(ids), {"s0", "s1", "s2"})
        events = {n: list(members[n].events) for n in ("s0", "s2")}
        self.consume_once(list(members.values()), topic, 60)

        # librdkafka's static members do not send LeaveGroup on close (KIP-345): the
        # coordinator keeps s1's membership until its session times out.
        closed_at = time.monotonic()
        members["s1"].close()
        restarted = static("s1")
        self.wait(lambda: restarted.partitions() == before["s1"],
                  lambda: f"the restarted s1 has {sorted(restarted.partitions())}, "
                          f"had {sorted(before['s1'])}")
        # Watch until well past the moment the old s1's session would have expired: no
        # rebalance may come.
        end = closed_at + session_ms / 1000 + 3
        self.wait(lambda: time.monotonic() > end, "the observation window")

        for n in ("s0", "s2"):
            self.assertEqual(members[n].events, events[n], f"{n} saw a rebalance")
            self.assertEqual(members[n].partitions(), before[n])
        self.assertEqual(restarted.events, [("assign", before["s1"])])
        for m in (members["s0"], members["s2"], restarted):
            self.assertEqual(generation_of(m), generation, f"generation of {m.name}")
        d = self.assert_described(group, [members["s0"], members["s2"], restarted])
        now = {x["instance_id"]: x["consumer_id"] for x in d["members"]}
        self.assertEqual(now["s0"], ids["s0"])
        self.assertEqual(now["s2"], ids["s2"])
        self.consume_once([members["s0"], members["s2"], restarted], topic, 60, first=60)
        self.assert_each_record_once(list(members.values()) + [restarted])

    def test_cooperative_sticky_moves_only_the_partitions_that_change_owner(self):
        topic, group = self.fresh("coop")
        coop = {"partition.assignment.strategy": "cooperative-sticky"}
        a, b = self.member(group, topic, "a", **coop), self.member(group, topic, "b", **coop)
        before = self.wait_stable([a, b])
        self.consume_once([a, b], topic, 60)
        marks = {m.name: len(m.events) for m in (a, b)}

        c = self.member(group, topic, "c", **coop)
        after = self.wait_stable([a, b, c])
        self.assertEqual(self.assert_described(group, [a, b, c])["assignor"],
                         "cooperative-sticky")
        for m in (a, b):
            # (librdkafka may report a rebalance with nothing for this member as an empty
            # assignment; only the partitions matter.)
            new = [(k, p) for k, p in m.events[marks[m.name]:] if p]
            revoked = frozenset().union(*[p for k, p in new if k == "revoke"])
            assigned = frozenset().union(*[p for k, p in new if k == "assign"])
            self.assertTrue(after[m.name] <= before[m.name], f"{m.name} kept what it had")
            self.assertEqual(revoked, before[m.name] - after[m.name],
                             f"{m.name} gave up only what moved: {new}")
            self.assertEqual(assigned, frozenset(), f"{m.name} was given nothing again")
            self.assertNotIn(("revoke", before[m.name]), new, "stop-the-world revocation")
            self.assertEqual(m.count("lost"), 0)
        self.assertEqual(frozenset().union(*[p for k, p in c.events if k == "assign"]), after["c"])
        self.consume_once([a, b, c], topic, 60, first=60)

        # c leaves: a and b are given c's partitions on top of theirs, nothing revoked.
        marks = {m.name: len(m.events) for m in (a, b)}
        c.close()
        final = wait_until(lambda: disjoint_cover([m.partitions() for m in (a, b)], ALL) and
                           {m.name: m.partitions() for m in (a, b)},
                           lambda: {m.name: sorted(m.partitions()) for m in (a, b)},
                           pump=self.pump)
        for m in (a, b):
            new = [(k, p) for k, p in m.events[marks[m.name]:] if p]
            self.assertEqual([k for k, _ in new if k != "assign"], [], f"{m.name}: {new}")
            assigned = frozenset().union(*[p for _, p in new])
            self.assertEqual(assigned, final[m.name] - after[m.name])
        self.consume_once([a, b], topic, 60, first=120)
        self.assert_each_record_once([a, b, c])


class CommittedOffsetsTest(GroupTestCase):

    def test_commit_sync_and_async_read_back_and_resume(self):
        topic, group = self.fresh("commit")
        self.produce(topic, 60)  # 10 records per partition
        commits = []
        m = self.member(group, topic, "c0", auto_commit=False,
                        on_commit=lambda err, parts: commits.append((err, parts)))
        self.wait(lambda: m.partitions() == ALL and len(m.records) == 60,
                  lambda: f"{len(m.records)} records, partitions {sorted(m.partitions())}")

        sync = m.consumer.commit(offsets=[TopicPartition(topic, p, 3 + p) for p in (0, 1, 2)],
                                 asynchronous=False)
        self.assertEqual([(tp.partition, tp.offset, tp.error) for tp in sync],
                         [(0, 3, None), (1, 4, None), (2, 5, None)])
        self.assertIsNone(m.consumer.commit(
            offsets=[TopicPartition(topic, p, 5) for p in (3, 4, 5)], asynchronous=True))
        err, parts = self.wait(lambda: commits and commits[-1], "the async commit's callback")
        self.assertIsNone(err)
        self.assertEqual(sorted((tp.partition, tp.offset, tp.error) for tp in parts),
                         [(3, 5, None), (4, 5, None), (5, 5, None)])
        committed = m.consumer.committed([TopicPartition(topic, p) for p in range(PARTITIONS)],
                                         timeout=30)
        self.assertEqual([(tp.partition, tp.offset, tp.error) for tp in committed],
                         [(0, 3, None), (1, 4, None), (2, 5, None), (3, 5, None),
                          (4, 5, None), (5, 5, None)])
        m.close()

        # A new member of the group starts each partition at its committed offset.
        want = {p: list(range(o, 10)) for p, o in ((0, 3), (1, 4), (2, 5), (3, 5), (4, 5), (5, 5))}
        n = self.member(group, topic, "c1", auto_commit=False)

        def offsets():
            got = {p: [] for p in range(PARTITIONS)}
            for p, o, _ in n.records:
                got[p].append(o)
            return got
        self.wait(lambda: offsets() == want, lambda: f"read {offsets()}, want {want}")
        # commit() without offsets commits the positions: after the last record read.
        n.consumer.commit(asynchronous=False)
        committed = n.consumer.committed([TopicPartition(topic, p) for p in range(PARTITIONS)],
                                         timeout=30)
        self.assertEqual([tp.offset for tp in committed], [10] * PARTITIONS)

    def test_group_administration(self):
        topic, group = self.fresh("admin")
        self.produce(topic, 30)  # 5 per partition
        members = [self.member(group, topic, f"a{i}") for i in range(2)]
        self.wait_stable(members)
        self.wait(lambda: sum(len(m.records) for m in members) == 30 and
                  not any(m.pending for m in members), "30 records processed and committed")

        # Listing: the new admin API (with and without a state filter) and the old one.
        listed = self.admin.list_groups()
        self.assertEqual(listed.get(group), ("Stable", False))
        self.assertIn(group, self.admin.list_groups(states=["Stable"]))
        self.assertNotIn(group, self.admin.list_groups(states=["Empty"]))
        old = AdminClient({"bootstrap.servers": self.brook.bootstrap}).list_groups(group, timeout=30)
        self.assertEqual(len(old), 1)
        self.assertEqual((old[0].id, old[0].state, old[0].protocol_type),
                         (group, "Stable", "consumer"))
        self.assertIn(old[0].protocol, ("range", "roundrobin"))
        self.assertEqual(sorted(x.client_id for x in old[0].members), ["a0", "a1"])
        self.assertTrue(all(x.assignment for x in old[0].members))

        d = self.assert_described(group, members)
        self.assertEqual(d["error"], 0)
        self.assertEqual(d["assignor"], old[0].protocol)

        error, offsets = self.admin.list_offsets(group)
        self.assertEqual(error, 0)
        self.assertEqual(offsets, {(topic, p): (5, 0) for p in range(PARTITIONS)})

        # Altering the offsets of an active group is refused: the commit carries no
        # member id and generation -1, which Kafka answers UNKNOWN_MEMBER_ID for a group
        # with members (GroupCoordinator.doCommitOffsets).
        error, result = self.admin.alter_offsets(group, {(topic, 0): 1})
        self.assertEqual((error, result), (0, {(topic, 0): (1, UNKNOWN_MEMBER_ID)}))
        self.assertEqual(self.admin.delete([group]), {group: NON_EMPTY_GROUP})

        for m in members:
            m.close()
        self.wait(lambda: self.describe(group)["state"] == "Empty", "the group is empty")
        self.assertEqual(self.admin.list_groups().get(group), ("Empty", False))
        self.assertIn(group, self.admin.list_groups(states=["Empty"]))

        error, result = self.admin.alter_offsets(group, {(topic, p): 2 for p in range(PARTITIONS)})
        self.assertEqual((error, result), (0, {(topic, p): (2, 0) for p in range(PARTITIONS)}))
        self.assertEqual(self.admin.list_offsets(group),
                         (0, {(topic, p): (2, 0) for p in range(PARTITIONS)}))
        again = self.member(group, topic, "a2")
        self.wait(lambda: sorted((p, o) for p, o, _ in again.records) ==
                  sorted((p, o) for p in range(PARTITIONS) for o in (2, 3, 4)),
                  lambda: f"read {sorted((p, o) for p, o, _ in again.records)}")
        self.wait(lambda: not again.pending, "commits")
        self.assertEqual(self.admin.list_offsets(group),
                         (0, {(topic, p): (5, 0) for p in range(PARTITIONS)}))
        again.close()

        self.wait(lambda: self.describe(group)["state"] == "Empty", "the group is empty")
        self.assertEqual(self.admin.delete([group]), {group: 0})
        self.assertNotIn(group, self.admin.list_groups())
        self.assertEqual(self.admin.list_offsets(group), (0, {}))
        # Kafka describes a group it does not know as Dead, without members.
        d = self.describe(group)
        self.assertEqual((d["state"], d["members"]), ("Dead", []))
        self.assertEqual(self.admin.delete([group]), {group: GROUP_ID_NOT_FOUND})


class NumberedProducer(threading.Thread):
    """Sends records numbered 0, 1, 2, ... (number i to partition i % 6) with acks=all and
    idempotence, a few hundred a second, until finish(); remembers which were delivered."""

    def __init__(self, bootstrap, topic):
        super().__init__(daemon=True)
        self.topic = topic
        self.producer = Producer({"bootstrap.servers": bootstrap, "acks": "all",
                                  "enable.idempotence": True, "linger.ms": 5,
                                  "message.timeout.ms": 120000, "reconnect.backoff.ms": 20,
                                  "reconnect.backoff.max.ms": 200, "retry.backoff.ms": 20})
        self.lock = threading.Lock()
        self.delivered = set()
        self.failed = []
        self.sent = 0
        self.left = None
        self._finishing = threading.Event()

    def _report(self, number):
        def cb(err, msg):
            with self.lock:
                if err is None:
                    self.delivered.add(number)
                else:
                    self.failed.append((number, err))
        return cb

    def run(self):
        i = 0
        while not self._finishing.is_set():
            for _ in range(PARTITIONS):
                while True:
                    try:
                        self.producer.produce(self.topic, value=b"%d" % i, partition=i % PARTITIONS,
                                              on_delivery=self._report(i))
                        break
                    except BufferError:
                        self.producer.poll(0.05)
                i += 1
            self.producer.poll(0.02)  # paces the stream and serves delivery reports
        self.sent = i
        self.left = self.producer.flush(120)

    def count(self):
        with self.lock:
            return len(self.delivered)

    def finish(self):
        self._finishing.set()
        self.join(timeout=180)


class AtLeastOnceTest(GroupTestCase):
    """Workers in child processes process numbered records and commit after processing,
    while workers join, leave, crash (SIGKILL) and the broker is killed and restarted."""

    def committed(self, group, topic):
        """{partition: committed offset}, read by a consumer that does not join."""
        c = Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": group,
                      "enable.auto.commit": False})
        try:
            def read():
                try:
                    tps = c.committed([TopicPartition(topic, p) for p in range(PARTITIONS)],
                                      timeout=10)
                except KafkaException:
                    return None  # the coordinator is not reachable yet: ask again
                if any(tp.error for tp in tps):
                    return None
                return {tp.partition: tp.offset for tp in tps}
            return wait_until(read, "committed offsets")
        finally:
            c.close()

    def test_every_record_is_processed_through_joins_leaves_crashes_and_a_broker_kill(self):
        topic, group = self.fresh("numbered")
        producer = NumberedProducer(self.brook.bootstrap, topic)
        producer.start()
        self.addCleanup(producer.finish)
        workers = []
        session = {"session.timeout.ms": 3000}

        def start(name):
            w = self.child(group, topic, name, **session)
            workers.append(w)
            return w

        def processed():
            out = set()
            for w in workers:
                out |= w.numbers()
            return out

        def progress(what, n=300):
            have = len(processed())
            wait_until(lambda: len(processed()) >= have + n,
                       lambda: f"{what}: {len(processed()) - have} of {n} more records processed")

        def covered(ws):
            try:
                wait_until(lambda: disjoint_cover([w.partitions() for w in ws], ALL),
                           lambda: {w.name: sorted(w.partitions()) for w in ws})
            except AssertionError:
                # A rare stall seen once under load after the broker restart: what the
                # broker and the workers said, for whoever reads the failure.
                print("".join(self.brook.log_lines[-150:]), file=sys.stderr)
                for w in ws:
                    print(f"worker {w.name} stderr:", "".join(w.stderr[-30:]), file=sys.stderr)
                raise

        def acked():
            out = {}
            for w in workers:
                for p, o in w.acked_offsets().items():
                    out[p] = max(out.get(p, -1), o)
            return out

        a = start("a")
        progress("a alone")
        b, c = start("b"), start("c")
        covered([a, b, c])
        progress("a, b and c")
        self.assertEqual(a.close(), 0, "a left cleanly")
        covered([b, c])
        progress("after a left")
        b.kill()
        d = start("d")
        covered([c, d])  # b's partitions move once its session times out
        progress("after b was killed")

        # The broker is killed with the workers frozen (SIGSTOP: no commit of theirs is
        # sent or acknowledged meanwhile) and started again on the same port and data
        # directory. Every commit acknowledged before is still there. (A commit the broker
        # took just before the freeze may not have reached a worker's output yet, so the
        # offset read back may be higher than the last acknowledged one, never lower.
        # Once the workers are idle at the end, the two are compared for equality.)
        for w in (c, d):
            w.freeze()
        before = acked()
        self.assertEqual(set(before), set(ALL), "every partition had a commit acknowledged")
        self.brook.restart(kill=True)
        after = self.committed(group, topic)
        for p, o in before.items():
            self.assertGreaterEqual(after[p], o, f"partition {p}: an acknowledged commit was lost")
        for w in (c, d):
            w.thaw()
        progress("after the broker restart")
        e = start("e")
        covered([c, d, e])
        progress("c, d and e")

        producer.finish()
        self.assertEqual(producer.left, 0, "records left undelivered")
        self.assertEqual(producer.failed, [])
        delivered = producer.delivered
        self.assertEqual(delivered, set(range(producer.sent)))
        wait_until(lambda: delivered <= processed(),
                   lambda: f"{len(delivered - processed())} records not processed yet, e.g. "
                           f"{sorted(delivered - processed())[:10]}", 90)
        self.assertEqual(processed() - delivered, set(), "processed records never sent")

        # Once the workers are idle, the last acknowledged commits are the ends of the
        # partitions, and that is what the broker has.
        probe = Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": group})
        ends = {p: probe.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1]
                for p in range(PARTITIONS)}
        probe.close()
        self.assertEqual(sum(ends.values()), producer.sent, "idempotence: each record once")
        wait_until(lambda: acked() == ends, lambda: f"acked {acked()}, ends {ends}")
        self.assertEqual(self.committed(group, topic), acked())
        for w in (c, d, e):
            self.assertEqual(w.close(), 0, f"{w.name} left cleanly")
        self.assertEqual(self.committed(group, topic), ends)
        error, offsets = self.admin.list_offsets(group)
        self.assertEqual((error, offsets), (0, {(topic, p): (o, 0) for p, o in ends.items()}))


if __name__ == "__main__":
    unittest.main()
