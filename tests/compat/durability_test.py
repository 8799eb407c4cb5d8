#!/usr/bin/python3
"""Durability through the network: a librdkafka producer with acks=all sends numbered
records while `brook serve` is killed with SIGKILL mid-stream and started again on the
same port and data directory. Every record whose delivery report said success is read
back afterwards, at the offset the report gave, in the order it was sent; the offsets of
each partition run 0, 1, 2, ... with no gap; and with the idempotent producer no record
is written twice.

Nothing waits on time: the test waits on delivery reports, flush() and the server's
ready line."""

import os
import re
import sys
import time
import unittest

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import BrookServer, wait_until  # noqa: E402

RECORDS = 20_000
WINDOW = 2000
DEADLINE_S = 120


class Run:
    """One producer's numbered records and what their delivery reports said."""

    def __init__(self, n):
        self.n = n
        self.reports = [None] * n  # (error, partition, offset)
        self.reported = 0
        self.succeeded = 0
        self.errors = []  # from error_cb: transport errors while the server is down

    def on_delivery(self, index):
        def cb(err, msg):
            self.reports[index] = (err, msg.partition(), msg.offset())
            self.reported += 1
            if err is None:
                self.succeeded += 1
        return cb

    def on_error(self, err):
        self.errors.append(err)


def value_of(i):
    return b"record-%08d" % i


class DurabilityTest(unittest.TestCase):

    def start_server(self, partitions, extra_args=()):
        brook = BrookServer(extra_args=("--default-partitions", str(partitions))
                            + tuple(extra_args))
        brook.start()
        self.addCleanup(brook.__exit__, None, None, None)
        return brook

    def stop_server(self, brook):
        brook.check_clean_exit(brook.stop())

    def produce_through_kills(self, brook, topic, partitions, kill_after, idempotence=True):
        """Sends RECORDS numbered records (record i to partition i % partitions). Each
        time the successful delivery reports reach the next number in kill_after, the
        server is killed with SIGKILL while records are still on their way, 1000 more
        records are queued while it is down, and it is started again on the same port.
        Returns the Run once every record has its delivery report."""
        run = Run(RECORDS)
        conf = {"bootstrap.servers": brook.bootstrap, "acks": "all",
                "enable.idempotence": idempotence, "linger.ms": 5,
                "batch.num.messages": 200, "message.timeout.ms": DEADLINE_S * 1000,
                "reconnect.backoff.ms": 20, "reconnect.backoff.max.ms": 200,
                "retry.backoff.ms": 20, "error_cb": run.on_error}
        if not idempotence:
            conf.update({"retries": 1_000_000, "max.in.flight.requests.per.connection": 1})
        p = Producer(conf)
        kills = list(kill_after)
        killed_at = []   # (records produced, delivery reports) when each kill happened
        restart_at = None
        for i in range(RECORDS):
            while True:
                try:
                    p.produce(topic, key=b"%d" % (i % 97), value=value_of(i),
                              partition=i % partitions, on_delivery=run.on_delivery(i))
                    break
                except BufferError:
                    p.poll(0.05)
            p.poll(0)
            # Keep at most WINDOW records unreported while the server is up, so the kills
            # fall in the middle of the stream (poll waits for delivery reports).
            deadline = time.monotonic() + DEADLINE_S
            while restart_at is None and i + 1 - run.reported > WINDOW:
                self.assertLess(time.monotonic(), deadline, "no delivery reports")
                p.poll(1)
            if kills and run.succeeded >= kills[0]:
                kills.pop(0)
                killed_at.append((i + 1, run.reported))
                port = brook.port
                brook.kill()
                restart_at = i + 1000
            if restart_at is not None and i >= restart_at:
                restart_at = None
                brook.start(port=port)
        if restart_at is not None:
            brook.start(port=port)
        left = p.flush(DEADLINE_S)
        self.assertEqual(left, 0, f"{left} records without a delivery report")
        self.assertEqual(len(killed_at), len(kill_after), "the server was killed each time")
        for produced, reported in killed_at:
            self.assertGreater(produced, reported, "a kill happened with records in flight")
        fatal = [e for e in run.errors if e.fatal()]
        self.assertEqual(fatal, [], "the producer hit a fatal error")
        return run

    def read_everything(self, brook, topic, partitions):
        """Every record of every partition, from offset 0 to the high watermark."""
        c = Consumer({"bootstrap.servers": brook.bootstrap, "group.id": "durability-check",
                      "enable.auto.commit": False, "enable.auto.offset.store": False,
                      "auto.offset.reset": "error"})
        try:
            ends = {}
            for part in range(partitions):
                low, high = c.get_watermark_offsets(TopicPartition(topic, part), timeout=30)
                self.assertEqual(low, 0, f"log start of partition {part}")
                ends[part] = high
            c.assign([TopicPartition(topic, part, OFFSET_BEGINNING) for part in range(partitions)])
            got = {part: [] for part in range(partitions)}
            want = sum(ends.values())
            total = 0
            deadline = time.monotonic() + DEADLINE_S
            while total < want:
                self.assertLess(time.monotonic(), deadline, f"{total} of {want} records read")
                for m in c.consume(num_messages=1000, timeout=0.5):
                    if m.error():
                        self.assertEqual(m.error().code(), KafkaError._PARTITION_EOF,
                                         str(m.error()))
                        continue
                    got[m.partition()].append((m.offset(), m.value()))
                    total += 1
            return ends, got
        finally:
            c.close()

    def check(self, run, ends, got, idempotence):
        for part, records in got.items():
            # Contiguous offsets, each exactly once.
            self.assertEqual([o for o, _ in records], list(range(ends[part])),
                             f"offsets of partition {part}")
        log = {(part, o): v for part, records in got.items() for o, v in records}
        acked_per_partition = {}
        for i, (err, part, offset) in enumerate(run.reports):
            if err is not None:
                continue
            self.assertEqual(log.get((part, offset)), value_of(i),
                             f"acknowledged record {i} at partition {part} offset {offset}")
            acked_per_partition.setdefault(part, []).append(offset)
        for part, offsets in acked_per_partition.items():
            self.assertEqual(offsets, sorted(offsets), f"partition {part}: send order kept")
        failed = [(i, r[0]) for i, r in enumerate(run.reports) if r[0] is not None]
        # Retries cover the outage: nothing is given up on.
        self.assertEqual(failed[:5], [], f"{len(failed)} records failed")
        if idempotence:
            values = [v for records in got.values() for _, v in records]
            self.assertEqual(len(values), len(set(values)), "a record was written twice")
            self.assertEqual(len(values), RECORDS)
            for part, records in got.items():
                self.assertEqual([v for _, v in records],
                                 [value_of(i) for i in range(part, RECORDS, len(got))],
                                 f"partition {part}: every record once, in order")

    def kill_test(self, partitions, kill_after, idempotence=True, server_args=()):
        brook = self.start_server(partitions, server_args)
        topic = "numbered"
        run = self.produce_through_kills(brook, topic, partitions, kill_after, idempotence)
        ends, got = self.read_everything(brook, topic, partitions)
        self.check(run, ends, got, idempotence)
        # And once more after a clean restart: the same log.
        brook.restart()
        ends2, got2 = self.read_everything(brook, topic, partitions)
        self.assertEqual((ends2, got2), (ends, got), "the log changed over a clean restart")
        self.stop_server(brook)

    def test_idempotent_producer_through_one_kill(self):
        self.kill_test(partitions=1, kill_after=[5000])

    def test_idempotent_producer_through_two_kills_on_three_partitions(self):
        # A recovery checkpoint every 5 ms: the kills fall among them, and recovery reads
        # each partition from its last one.
        self.kill_test(partitions=3, kill_after=[3000, 12_000],
                       server_args=("--recovery-checkpoint-interval-ms", "5"))

    def test_idempotent_producer_through_kills_with_small_segments(self):
        # 64 KiB segments: the kills fall among segment rolls, producer snapshots and
        # recovery checkpoints (each roll racing one), and recovery rebuilds the producers'
        # sequences from several segments.
        self.kill_test(partitions=2, kill_after=[4000, 10_000],
                       server_args=("--segment-bytes", str(64 * 1024),
                                    "--recovery-checkpoint-interval-ms", "5"))

    def test_acks_all_without_idempotence(self):
        # Retries may write a record twice (Kafka allows that without idempotence), but
        # nothing acknowledged is lost and offsets stay contiguous.
        self.kill_test(partitions=1, kill_after=[4000], idempotence=False)


class RecoveryCheckpointTest(unittest.TestCase):
    """After SIGKILL, `brook serve` reads each partition only from its last recovery
    checkpoint on: 100,000 records (about 12 MiB) checkpointed, 200 more written, a kill;
    the restart checks a few KiB, not the segment, and every record is back."""

    def test_restart_after_a_kill_reads_only_what_followed_the_checkpoint(self):
        brook = BrookServer(extra_args=("--recovery-checkpoint-interval-ms", "50",
                                        "--default-partitions", "1")).start()
        self.addCleanup(brook.kill)
        # Batches of 16 KiB at most: recovery reads from the start of the batch holding the
        # last index entry, so the figure below depends on the batch size.
        producer = Producer({"bootstrap.servers": brook.bootstrap, "linger.ms": 5,
                             "acks": "all", "batch.size": 16384})

        def send(first, n):
            for i in range(first, first + n):
                producer.produce("checkpointed", value=b"%08d" % i + b"." * 92)
                if i % 10_000 == 0:
                    producer.poll(0)
            self.assertEqual(producer.flush(60), 0)

        send(0, 100_000)
        # The checkpoint covering all of it writes the producer snapshot named by the log
        # end offset.
        partition = os.path.join(brook.data_dir, "data", "checkpointed-0")
        snapshot = os.path.join(partition, "%020d.snapshot" % 100_000)
        wait_until(lambda: os.path.exists(snapshot), "the checkpoint at offset 100000")
        segment = os.path.join(partition, "%020d.log" % 0)
        size = os.path.getsize(segment)
        self.assertGreater(size, 10 << 20)
        send(100_000, 200)
        brook.kill()
        brook.log_lines.clear()
        brook.start(port=brook.port)
        line = next(ln for ln in brook.log_lines if "data directory" in ln)
        checked = float(re.search(r"([\d.]+) MiB checked", line).group(1))
        self.assertIn("(0 clean", line)
        self.assertLess(checked, 0.1, line)  # the 200 records and one index interval
        self.assertIn("0 segments scanned whole", line)

        consumer = Consumer({"bootstrap.servers": brook.bootstrap, "group.id": "checkpointed",
                             "enable.auto.commit": False})
        self.addCleanup(consumer.close)
        consumer.assign([TopicPartition("checkpointed", 0, OFFSET_BEGINNING)])
        values = []
        deadline = time.monotonic() + DEADLINE_S
        while len(values) < 100_200 and time.monotonic() < deadline:
            for m in consumer.consume(10_000, 1.0):
                self.assertIsNone(m.error())
                values.append(m.value()[:8])
        self.assertEqual(values, [b"%08d" % i for i in range(100_200)])
        self.assertEqual(brook.stop(), 0)


if __name__ == "__main__":
    unittest.main()
