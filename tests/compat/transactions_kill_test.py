#!/usr/bin/python3
"""Transactions through SIGKILL, with librdkafka (confluent-kafka-python):

- a transactional producer commits numbered transactions while `brook serve` is killed
  in the middle of commits: afterwards a read_committed consumer sees every transaction
  whole or not at all, and every one whose commit was acknowledged;
- consume-transform-produce (KIP-447: send_offsets_to_transaction with the consumer's
  group metadata) by worker processes of one consumer group, while workers join, leave
  and are SIGKILLed and the broker is SIGKILLed mid-commit: every input record's output
  appears exactly once.

The workers are this file run as `worker` (a child process each, so that one can be
killed like a real application). Nothing waits on time: the test waits for records,
delivery reports and the server's ready line."""

import os
import random
import signal
import subprocess
import sys
import threading
import time
import unittest

from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer,
                             TopicPartition)

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import BrookServer, unique, wait_until  # noqa: E402

DEADLINE_S = 120
PARTITIONS = 4


def read_committed(bootstrap, topic, partitions, pump_until):
    """The values of `topic` a read_committed consumer reads from the beginning, polled
    until `pump_until(values)` is true."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("kill-check"),
                  "enable.auto.commit": False, "isolation.level": "read_committed",
                  "auto.offset.reset": "earliest"})
    values = []
    try:
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])

        def pump():
            for m in c.consume(num_messages=1000, timeout=0.3):
                if m.error():
                    if m.error().code() != KafkaError._PARTITION_EOF:
                        raise KafkaException(m.error())
                    continue
                values.append(m.value())

        wait_until(lambda: pump_until(values), lambda: f"{len(values)} records read",
                   pump=pump, timeout=DEADLINE_S)
        return values
    finally:
        c.close()


def high_watermarks(bootstrap, topic, partitions):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("kill-ends")})
    try:
        return [c.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1]
                for p in range(partitions)]
    finally:
        c.close()


def kill_after(brook, delay):
    """SIGKILLs `brook` after `delay` seconds (fault injection, not synchronisation)."""
    time.sleep(delay)
    brook.kill()


class TransactionKillTest(unittest.TestCase):

    def start_server(self):
        brook = BrookServer(extra_args=("--default-partitions", str(PARTITIONS),
                                        "--transaction-abort-check-interval-ms", "200"))
        brook.start()
        self.addCleanup(brook.__exit__, None, None, None)
        return brook

    def test_a_kill_mid_commit_leaves_every_transaction_whole_or_absent(self):
        brook = self.start_server()
        topic = unique("txn-kill")
        tid = unique("tid")
        per_txn = 40
        transactions = 40
        kill_at = set(range(3, transactions, 5))  # transactions whose commit meets a SIGKILL
        conf = {"bootstrap.servers": brook.bootstrap, "transactional.id": tid, "linger.ms": 2,
                "transaction.timeout.ms": 60000, "message.timeout.ms": 60000,
                "reconnect.backoff.ms": 20, "reconnect.backoff.max.ms": 200}
        p = Producer(conf)
        p.init_transactions(DEADLINE_S)
        acknowledged = []
        for k in range(transactions):
            while True:  # a transaction that failed whole is sent again as a new one
                try:
                    p.begin_transaction()
                    for i in range(per_txn):
                        p.produce(topic, value=b"%d-%d" % (k, i), partition=i % PARTITIONS)
                    if k in kill_at:
                        p.flush(DEADLINE_S)
                        # The server dies while the commit is on its way: a thread kills it
                        # a few milliseconds into commit_transaction(), which then times
                        # out (retriable: the next call resumes the commit) unless it
                        # finished first. The restart is this thread's (the server dies
                        # with the thread that started it).
                        kill_at.discard(k)
                        killer = threading.Thread(target=kill_after,
                                                  args=(brook, random.uniform(0, 0.02)))
                        port = brook.port
                        killer.start()
                        try:
                            p.commit_transaction(3)
                            committed = True
                        except KafkaException as e:
                            if not e.args[0].retriable():
                                raise
                            committed = False
                        killer.join()
                        brook.start(port=port)
                        if not committed:
                            p.commit_transaction(DEADLINE_S)
                    else:
                        p.commit_transaction(DEADLINE_S)
                    acknowledged.append(k)
                    break
                except KafkaException as e:
                    err = e.args[0]
                    if err.txn_requires_abort():
                        p.abort_transaction(DEADLINE_S)
                    elif err.fatal():
                        p = Producer(conf)
                        p.init_transactions(DEADLINE_S)
                    elif not err.retriable():
                        raise
        self.assertEqual(acknowledged, list(range(transactions)))
        recovered = sum("decided before the restart" in line for line in brook.log_lines)
        print(f"{recovered} of 8 kills came between a commit's decision and its markers",
              file=sys.stderr)
        values = read_committed(brook.bootstrap, topic, PARTITIONS,
                                lambda v: len(v) >= transactions * per_txn)
        by_txn = {}
        for v in values:
            k, i = v.split(b"-")
            by_txn.setdefault(int(k), []).append(int(i))
        for k, records in by_txn.items():
            self.assertEqual(sorted(records), list(range(per_txn)),
                             f"transaction {k}: whole, each record once")
        self.assertEqual(sorted(by_txn), list(range(transactions)))
        # Settled: nothing more arrives (a partly visible transaction would show here).
        ends = high_watermarks(brook.bootstrap, topic, PARTITIONS)
        self.assertGreaterEqual(sum(ends), transactions * per_txn + transactions)

    def test_consume_transform_produce_is_exactly_once_through_kills_and_rebalances(self):
        brook = self.start_server()
        source, sink, group = unique("ctp-in"), unique("ctp-out"), unique("ctp")
        records = 3000
        plain = Producer({"bootstrap.servers": brook.bootstrap, "enable.idempotence": True})
        for i in range(records):
            plain.produce(source, value=b"%d" % i, partition=i % PARTITIONS)
            if i % 500 == 0:
                plain.poll(0)
        self.assertEqual(plain.flush(DEADLINE_S), 0)
        # The output topic exists before the workers produce to it.
        plain.produce(sink, value=b"start", partition=0)
        self.assertEqual(plain.flush(DEADLINE_S), 0)

        workers = {}

        def start_worker(name):
            env = dict(os.environ)
            workers[name] = subprocess.Popen(
                [sys.executable, __file__, "worker", brook.bootstrap, source, sink, group,
                 f"{group}-{name}"], env=env, stdout=subprocess.DEVNULL)

        def output_count():
            return sum(high_watermarks(brook.bootstrap, sink, PARTITIONS))

        start_worker("a")
        start_worker("b")
        wait_until(lambda: output_count() > 400, "the workers' first output")
        start_worker("c")  # a rebalance
        wait_until(lambda: output_count() > 900, "more output")
        workers.pop("a").send_signal(signal.SIGKILL)  # a member dies mid-stream
        wait_until(lambda: output_count() > 1400, "output after a worker died")
        port = brook.port
        brook.kill()  # the broker dies with commits in flight
        brook.start(port=port)
        start_worker("d")
        wait_until(lambda: output_count() > 2100, "output after the broker restarted")
        workers.pop("b").terminate()  # a member leaves
        brook.kill()
        brook.start(port=port)

        def restart_dead_workers():
            for name, proc in list(workers.items()):
                if proc.poll() is not None:  # a fatal error (fenced): run it again
                    workers.pop(name)
                    start_worker(name + "x")

        def all_output(values):
            restart_dead_workers()
            return len(set(values) - {b"start"}) >= records

        try:
            values = read_committed(brook.bootstrap, sink, PARTITIONS, all_output)
        finally:
            for proc in workers.values():
                proc.terminate()
            for proc in workers.values():
                proc.wait(timeout=DEADLINE_S)
        out = [v for v in values if v != b"start"]
        counts = {}
        for v in out:
            counts[v] = counts.get(v, 0) + 1
        duplicated = {v: n for v, n in counts.items() if n > 1}
        self.assertEqual(duplicated, {}, "outputs written more than once")
        self.assertEqual(sorted(counts), sorted(b"out-%d" % i for i in range(records)))


def worker(bootstrap, source, sink, group, tid):
    """One consume-transform-produce application: read `source` in `group`, write
    "out-<value>" to `sink` and commit the consumer's offsets in the same transaction.
    Exits 3 on a fatal error (fenced), for the test to start another."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                         "enable.auto.commit": False, "isolation.level": "read_committed",
                         "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
                         "reconnect.backoff.ms": 20, "reconnect.backoff.max.ms": 200})
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": tid,
                         "linger.ms": 5, "transaction.timeout.ms": 10000,
                         "reconnect.backoff.ms": 20, "reconnect.backoff.max.ms": 200})
    producer.init_transactions(DEADLINE_S)
    consumer.subscribe([source])

    def rewind():
        # Back to the group's committed offsets: what the aborted transaction read is
        # read again.
        assignment = consumer.assignment()
        if not assignment:
            return
        for tp in consumer.committed(assignment, timeout=DEADLINE_S):
            offset = tp.offset if tp.offset >= 0 else OFFSET_BEGINNING
            consumer.seek(TopicPartition(tp.topic, tp.partition, offset))

    while True:
        batch = consumer.consume(num_messages=100, timeout=0.5)
        batch = [m for m in batch if not m.error()]
        if not batch:
            continue
        try:
            producer.begin_transaction()
            for m in batch:
                producer.produce(sink, value=b"out-" + m.value(), partition=m.partition())
            positions = consumer.position(consumer.assignment())
            producer.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(),
                                                 DEADLINE_S)
            producer.commit_transaction(DEADLINE_S)
        except KafkaException as e:
            err = e.args[0]
            if err.fatal():
                sys.exit(3)
            try:
                producer.abort_transaction(DEADLINE_S)
            except KafkaException as abort_error:
                if abort_error.args[0].fatal():
                    sys.exit(3)
            try:
                rewind()
            except KafkaException:
                sys.exit(3)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(*sys.argv[2:7])
    else:
        unittest.main()
