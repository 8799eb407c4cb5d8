#!/usr/bin/python3
"""End-to-end tests of the data directory lock: one `brook serve` per data directory.

A second server on a directory that a live server holds is refused at once, touches
nothing, and the first keeps serving with its data intact. After the holder is
SIGKILLed the kernel has dropped its flock, so a new server starts over the stale
`.lock` file. Uses kafka-python (a real client) for the produce and read-back.
"""

import os
import re
import signal
import time
import unittest

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from serve_test import BROOK, TIMEOUT_S, BrookTestCase

TOPIC = "locked"


class DataDirLockTest(BrookTestCase):

    def bootstrap(self, server):
        m = re.search(r"kafka listener on [0-9.]+:(\d+)", server.text())
        self.assertTrue(m, server.describe())
        return "127.0.0.1:" + m.group(1)

    def produce(self, server, values):
        """Sends `values` with acks=all; returns the acknowledged offsets."""
        p = KafkaProducer(bootstrap_servers=self.bootstrap(server), acks="all")
        try:
            futures = [p.send(TOPIC, value=v, partition=0) for v in values]
            p.flush(TIMEOUT_S)
            return [f.get(timeout=TIMEOUT_S).offset for f in futures]
        finally:
            p.close(TIMEOUT_S)

    def read_all(self, server, count):
        """The first `count` records of partition 0 as (offset, value) pairs."""
        c = KafkaConsumer(bootstrap_servers=self.bootstrap(server), group_id=None,
                          enable_auto_commit=False)
        try:
            tp = TopicPartition(TOPIC, 0)
            c.assign([tp])
            c.seek_to_beginning(tp)
            got = []
            deadline = time.monotonic() + TIMEOUT_S
            while len(got) < count and time.monotonic() < deadline:
                for records in c.poll(timeout_ms=500).values():
                    got.extend((r.offset, r.value) for r in records)
            return got
        finally:
            c.close()

    def test_second_serve_is_refused_and_first_keeps_its_data(self):
        data = self.path("data")
        first = self.start_serve(data)
        pid = first.proc.pid
        values = [b"before-%d" % i for i in range(5)]
        self.assertEqual(self.produce(first, values), list(range(5)))
        entries_before = sorted(os.listdir(data))

        rc, out, err = self.run_brook("serve", "--data-dir", data, "--kafka-port", "0",
                                      "--http-port", "0")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("data directory {} is in use by another brook serve (pid {}, holding {})"
                      .format(data, pid, os.path.join(data, ".lock")), err)
        self.assertNotIn("brook ready", err)
        self.assertNotIn("kafka listener", err)
        self.assertEqual(sorted(os.listdir(data)), entries_before,
                         "a refused server must not create anything in the directory")

        # The first still serves, and appends after the acknowledged records.
        more = [b"after-%d" % i for i in range(5)]
        self.assertEqual(self.produce(first, more), list(range(5, 10)))
        expected = list(enumerate(values + more))
        self.assertEqual(self.read_all(first, 10), expected)

        # SIGKILL leaves the lock file behind, but the kernel drops the flock.
        first.kill()
        self.assertEqual(first.proc.returncode, -signal.SIGKILL)
        self.assertTrue(os.path.exists(os.path.join(data, ".lock")))
        again = self.start_serve(data)
        self.assertEqual(self.read_all(again, 10), expected)
        with open(os.path.join(data, ".lock")) as f:
            self.assertEqual(f.read(), "{}\n".format(again.proc.pid))
        self.stop_serve(again)

    def test_lock_file_cannot_be_opened(self):
        data = self.path("data")
        os.makedirs(os.path.join(data, ".lock"))  # a directory where the lock file goes
        rc, out, err = self.run_brook("serve", "--data-dir", data, "--kafka-port", "0",
                                      "--http-port", "0")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("cannot open data directory {}: cannot lock {}".format(
            data, os.path.join(data, ".lock")), err)
        self.assertNotIn("brook ready", err)

    def test_data_dir_cannot_be_created(self):
        parent = self.path("a-file")
        with open(parent, "w") as f:
            f.write("not a directory\n")
        data = os.path.join(parent, "data")
        rc, out, err = self.run_brook("serve", "--data-dir", data, "--kafka-port", "0",
                                      "--http-port", "0")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("cannot open data directory {}".format(data), err)
        self.assertNotIn("brook ready", err)

    @unittest.skipIf(os.geteuid() == 0, "root writes into a read-only directory")
    def test_read_only_data_dir(self):
        data = self.path("data")
        os.makedirs(data)
        os.chmod(data, 0o555)
        try:
            rc, out, err = self.run_brook("serve", "--data-dir", data, "--kafka-port", "0",
                                          "--http-port", "0")
        finally:
            os.chmod(data, 0o755)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("cannot open data directory {}: cannot lock".format(data), err)
        self.assertIn("Permission denied", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
