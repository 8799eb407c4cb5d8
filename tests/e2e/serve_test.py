#!/usr/bin/python3
"""End-to-end tests of the `brook` binary, run the way a user runs it.

Each case gets a fresh temporary directory, starts the real binary as a child process and
watches its stderr. A server counts as started when it logs "brook ready": the test waits
for that line (with a bounded timeout) and never sleeps. Every child process is killed in
tearDown, whatever happened.

ctest passes the binaries through the environment:
  E2E_BROOK         path of the brook binary
  E2E_CRASH_WRITER  path of the crash_writer test binary (tests/unit/storage)
"""

import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

BROOK = os.path.abspath(os.environ["E2E_BROOK"]) if os.environ.get("E2E_BROOK") else ""
CRASH_WRITER = (os.path.abspath(os.environ["E2E_CRASH_WRITER"])
                if os.environ.get("E2E_CRASH_WRITER") else "")

# Bound on any single wait for a child: a start, a line, an exit.
TIMEOUT_S = 20.0

SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error", "UndefinedBehaviorSanitizer")
FIRST_SEGMENT = "00000000000000000000.log"

_EOF = object()


def child_env(extra=None):
    """The test's environment without BROOK_* settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROOK_")}
    env.update(extra or {})
    return env


class Child:
    """A child process whose stdout and stderr are read line by line by two threads."""

    def __init__(self, args, cwd, env=None):
        self.args = [str(a) for a in args]
        self.proc = subprocess.Popen(
            self.args, cwd=cwd, env=child_env(env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
            start_new_session=True)
        self.lines = {"stdout": [], "stderr": []}
        self.queues = {"stdout": queue.Queue(), "stderr": queue.Queue()}
        self.threads = [
            threading.Thread(target=self._pump, args=(stream, name), daemon=True)
            for stream, name in ((self.proc.stdout, "stdout"), (self.proc.stderr, "stderr"))
        ]
        for t in self.threads:
            t.start()

    def _pump(self, stream, name):
        try:
            for line in stream:
                self.lines[name].append(line)
                self.queues[name].put(line)
        finally:
            self.queues[name].put(_EOF)

    def text(self, name="stderr"):
        return "".join(self.lines[name])

    def describe(self):
        return "command: {}\nexit: {}\n--- stdout ---\n{}--- stderr ---\n{}".format(
            " ".join(self.args), self.proc.returncode, self.text("stdout"), self.text("stderr"))

    def wait_line(self, pattern, name="stderr", deadline=None):
        """Returns the first line of `name` that matches `pattern` (a regex)."""
        deadline = deadline or time.monotonic() + TIMEOUT_S
        regex = re.compile(pattern)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no line matching {!r} within {:.0f} s\n{}".format(
                    pattern, TIMEOUT_S, self.describe()))
            try:
                line = self.queues[name].get(timeout=left)
            except queue.Empty:
                continue
            if line is _EOF:
                self.proc.wait(timeout=TIMEOUT_S)
                self.join()
                raise AssertionError("{} ended before a line matching {!r}\n{}".format(
                    name, pattern, self.describe()))
            if regex.search(line):
                return line

    def signal(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait(self):
        """Waits for the exit (bounded) and for both streams to end; returns the exit code."""
        try:
            rc = self.proc.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("still running {:.0f} s later\n{}".format(TIMEOUT_S, self.describe()))
        self.join()
        return rc

    def join(self):
        for t in self.threads:
            t.join(timeout=TIMEOUT_S)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pass
        self.join()
        for s in (self.proc.stdout, self.proc.stderr):
            try:
                s.close()
            except Exception:
                pass


class BrookTestCase(unittest.TestCase):
    def setUp(self):
        self.assertTrue(BROOK and os.access(BROOK, os.X_OK), "E2E_BROOK must name the brook binary")
        self.dir = tempfile.mkdtemp(prefix="brook-e2e-")
        self.children = []

    def tearDown(self):
        for c in self.children:
            c.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def occupied_port(self):
        """A port of 127.0.0.1 that a listening socket holds until the test ends."""
        blocker = socket.socket()
        self.addCleanup(blocker.close)
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        return blocker.getsockname()[1]

    def spawn(self, args, env=None):
        c = Child(args, cwd=self.dir, env=env)
        self.children.append(c)
        return c

    def run_brook(self, *args, env=None):
        """Runs brook to completion; returns (exit code, stdout, stderr)."""
        c = self.spawn([BROOK, *args], env=env)
        rc = c.wait()
        self.assert_no_sanitizer(c)
        return rc, c.text("stdout"), c.text("stderr")

    def assert_no_sanitizer(self, child):
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, child.text("stderr"), child.describe())

    def start_serve(self, data_dir, *args):
        """Starts `brook serve` and returns it once it has logged "brook ready"."""
        if "--kafka-port" not in args:
            args = (*args, "--kafka-port", "0")  # never the shared default 9092 in tests
        if "--http-port" not in args:
            args = (*args, "--http-port", "0")  # nor 8082
        c = self.spawn([BROOK, "serve", "--data-dir", data_dir, *args])
        c.wait_line(r"brook ready")
        return c

    def stop_serve(self, c, sig=signal.SIGTERM):
        """Sends `sig`, expects a clean shutdown with exit code 0."""
        c.signal(sig)
        rc = c.wait()
        self.assertEqual(rc, 0, c.describe())
        name = "SIGINT" if sig == signal.SIGINT else "SIGTERM"
        self.assertIn(name + " received, shutting down", c.text(), c.describe())
        self.assertIn("shut down cleanly", c.text(), c.describe())
        self.assert_no_sanitizer(c)

    def data_directory_line(self, c):
        """The recovery summary line of a started server."""
        for line in c.lines["stderr"]:
            if re.search(r"data directory .*: \d+ partitions", line):
                return line
        self.fail("no data directory summary line\n" + c.describe())

    def crash_writer_log(self, partition_dir, acknowledged=30):
        """Lets crash_writer append to `partition_dir` until `acknowledged` appends are
        acknowledged, then SIGKILLs it. Returns the acknowledged (offset, seq) pairs."""
        self.assertTrue(CRASH_WRITER and os.access(CRASH_WRITER, os.X_OK),
                        "E2E_CRASH_WRITER must name the crash_writer binary")
        w = self.spawn([CRASH_WRITER, partition_dir, 0])
        acks = []
        deadline = time.monotonic() + TIMEOUT_S
        for _ in range(acknowledged):
            line = w.wait_line(r"^\d+ \d+$", name="stdout", deadline=deadline)
            offset, seq = line.split()
            acks.append((int(offset), int(seq)))
        w.kill()
        self.assertEqual(w.proc.returncode, -signal.SIGKILL, w.describe())
        self.assertEqual([s for _, s in acks], list(range(acknowledged)))
        return acks

    def segments(self, partition_dir):
        return sorted(f for f in os.listdir(partition_dir) if f.endswith(".log"))


class ServeSignalTest(BrookTestCase):
    """brook serve on an empty data directory starts and stops on SIGTERM and SIGINT."""

    def check_signal(self, sig):
        data = self.path("data")
        c = self.start_serve(data)
        line = self.data_directory_line(c)
        self.assertIn("0 partitions", line)
        self.assertIn("durability sync", c.text())
        self.stop_serve(c, sig)
        self.assertTrue(os.path.isdir(data), "serve creates its data directory")

    def test_sigterm(self):
        self.check_signal(signal.SIGTERM)

    def test_sigint(self):
        self.check_signal(signal.SIGINT)

    def test_flags_are_applied(self):
        c = self.start_serve(self.path("data"), "--durability", "interval", "--flush-interval-ms", "5",
                             "--segment-bytes", "4096", "--log-level", "debug")
        self.assertIn("durability interval", c.text())
        self.stop_serve(c)


class RecoveryTest(BrookTestCase):
    """A log left by a killed writer is recovered, and a clean shutdown makes the next
    start clean."""

    def test_unclean_then_clean_then_killed(self):
        data = self.path("data")
        partition = os.path.join(data, "events-0")
        self.crash_writer_log(partition)

        c = self.start_serve(data)
        line = self.data_directory_line(c)
        self.assertIn("1 partitions", line)
        self.assertIn("(0 clean", line)
        self.assertRegex(line, r"\d+\.\d MiB checked")
        self.assertIn("0 segments scanned whole", line)
        self.assertIn("0 corrupt segments quarantined", line)
        self.stop_serve(c)
        self.assertTrue(os.path.exists(os.path.join(partition, FIRST_SEGMENT)))

        c = self.start_serve(data)
        line = self.data_directory_line(c)
        self.assertIn("1 partitions", line)
        self.assertIn("(1 clean", line)
        self.assertIn("0 segments scanned whole", line)

        # Killed without a chance to close: the next start is not clean but works.
        c.kill()
        self.assertEqual(c.proc.returncode, -signal.SIGKILL)
        c = self.start_serve(data)
        line = self.data_directory_line(c)
        self.assertIn("1 partitions", line)
        self.assertIn("(0 clean", line)
        self.assertIn("0 segments scanned whole", line)
        self.stop_serve(c)

        c = self.start_serve(data)
        self.assertIn("(1 clean", self.data_directory_line(c))
        self.stop_serve(c)


class DumpLogTest(BrookTestCase):
    """brook debug dump-log on a real segment, before and after a byte is flipped."""

    def last_batch(self, dump_output):
        """(position, size) of the last batch line of a dump."""
        batches = [l for l in dump_output.splitlines() if l.startswith("baseOffset:")]
        self.assertTrue(batches, dump_output)
        m = re.search(r"position: (\d+) .* size: (\d+) ", batches[-1])
        self.assertTrue(m, batches[-1])
        return int(m.group(1)), int(m.group(2))

    def test_dump_then_corrupt_then_serve(self):
        data = self.path("data")
        partition = os.path.join(data, "events-0")
        acks = self.crash_writer_log(partition)

        first = os.path.join(partition, FIRST_SEGMENT)
        rc, out, err = self.run_brook("debug", "dump-log", first)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("Starting offset: 0", out)
        self.assertIn("baseOffset: 0 ", out)
        self.assertIn("isvalid: true", out)
        self.assertNotIn("isvalid: false", out)
        self.assertRegex(out.splitlines()[-1], r"^\d+ batches, \d+ bytes, ok$")

        rc, out, err = self.run_brook("debug", "dump-log", first, "--print-data")
        self.assertEqual(rc, 0, out + err)
        payloads = [l for l in out.splitlines() if l.startswith("| offset: ")]
        self.assertTrue(payloads, out)
        self.assertTrue(all("payload: " in l for l in payloads), out)
        self.assertIn("| offset: 0 ", out)
        self.assertIn("payload: seq0-0", out)

        # Flip a byte inside the last batch of the newest segment (usually the only one;
        # crash_writer may have rolled if it ran far ahead of the reader).
        newest = os.path.join(partition, self.segments(partition)[-1])
        rc, out, err = self.run_brook("debug", "dump-log", newest)
        self.assertEqual(rc, 0, out + err)
        position, size = self.last_batch(out)
        self.assertEqual(position + size, os.path.getsize(newest), out)
        flip_at = position + size - 5  # inside the last record's value, covered by the CRC
        with open(newest, "r+b") as f:
            f.seek(flip_at)
            b = f.read(1)
            f.seek(flip_at)
            f.write(bytes([b[0] ^ 0xFF]))

        rc, out, err = self.run_brook("debug", "dump-log", newest)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("isvalid: false", out)
        self.assertEqual(sum("isvalid: false" in l for l in out.splitlines()), 1, out)
        self.assertRegex(out.splitlines()[-1], r"problems?$")

        # The server cuts the bad batch off and starts.
        c = self.start_serve(data)
        self.assertRegex(c.text(), r"torn tail|corrupt", c.describe())
        line = self.data_directory_line(c)
        self.assertIn("1 partitions", line)
        self.assertRegex(line, r"(1 torn tails cut|1 corrupt segments quarantined)")
        self.stop_serve(c)

        rc, out, err = self.run_brook("debug", "dump-log", newest)
        self.assertEqual(rc, 0, out + err)
        self.assertNotIn("isvalid: false", out)
        self.assertLess(os.path.getsize(newest), position + size)

        c = self.start_serve(data)
        self.assertIn("(1 clean", self.data_directory_line(c))
        self.stop_serve(c)
        self.assertTrue(acks)

    def test_not_a_segment_name(self):
        p = self.path("notes.txt")
        with open(p, "w") as f:
            f.write("hello\n")
        rc, out, err = self.run_brook("debug", "dump-log", p)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("not a segment file", out + err)

    def test_missing_file(self):
        rc, out, err = self.run_brook("debug", "dump-log", self.path(FIRST_SEGMENT))
        self.assertEqual(rc, 1, out + err)


class DescriptorLimitTest(BrookTestCase):
    """`brook serve` raises its open-file limit to the hard limit and keeps at most half of
    it in open segment files (storage.max_open_segment_files): a data directory with more
    segments than the process may open files starts and serves."""

    PARTITIONS = 400

    def make_data_dir(self):
        data = self.path("data")
        for p in range(self.PARTITIONS):
            d = os.path.join(data, f"many-{p}")
            os.makedirs(d)
            open(os.path.join(d, "00000000000000000000.log"), "w").close()
        return data

    def serve_limited(self, data, nofile, *extra):
        return self.spawn(["prlimit", f"--nofile={nofile}", BROOK, "serve", "--data-dir", data,
                           "--kafka-port", "0", "--http-port", "0", *extra])

    def open_segment_files(self, pid):
        fd_dir = f"/proc/{pid}/fd"
        count = 0
        for fd in os.listdir(fd_dir):
            try:
                if os.readlink(os.path.join(fd_dir, fd)).endswith(".log"):
                    count += 1
            except OSError:
                pass  # closed meanwhile
        return count

    def test_more_segments_than_the_limit_allows_open_files_start(self):
        data = self.make_data_dir()
        c = self.serve_limited(data, "256:256")
        c.wait_line(r"brook ready")
        err = c.text("stderr")
        self.assertIn("segment files: up to 128 open at once (open-file limit 256)", err)
        self.assertIn(f"{self.PARTITIONS} partitions", self.data_directory_line(c))
        self.assertLessEqual(self.open_segment_files(c.proc.pid), 128)
        self.assertNotIn("Too many open files", err)
        self.stop_serve(c)
        self.assertNotIn("Too many open files", c.text("stderr"))

    def test_the_soft_limit_is_raised_to_the_hard_limit(self):
        data = self.make_data_dir()
        c = self.serve_limited(data, "256:2048")
        c.wait_line(r"brook ready")
        self.assertIn("open-file limit raised from 256 to 2048", c.text("stderr"))
        self.assertIn("segment files: up to 1024 open at once", c.text("stderr"))
        self.assertIn(f"{self.PARTITIONS} partitions", self.data_directory_line(c))
        self.assertEqual(self.open_segment_files(c.proc.pid), self.PARTITIONS)
        self.stop_serve(c)

    def test_a_setting_above_the_limit_is_refused_with_what_to_do(self):
        c = self.serve_limited(self.path("data"), "512:512", "--max-open-segment-files", "1000")
        rc = c.wait()
        self.assertEqual(rc, 1, c.describe())
        err = c.text("stderr")
        self.assertIn("storage.max_open_segment_files is 1000", err)
        self.assertIn("lower the setting to at most 256", err)
        self.assertNotIn("brook ready", err)
        self.assert_no_sanitizer(c)


class BadConfigurationTest(BrookTestCase):
    """A bad setting gets a clear message and exit code 2; nothing starts."""

    def check_rejected(self, args, expected, env=None):
        data = self.path("data")
        rc, out, err = self.run_brook("serve", "--data-dir", data, *args, env=env)
        self.assertEqual(rc, 2, out + err)
        for text in expected:
            self.assertIn(text, err)
        self.assertNotIn("brook ready", err)
        self.assertFalse(os.path.exists(data), "a rejected configuration must not create the data directory")

    def write(self, name, text):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def test_bad_durability(self):
        self.check_rejected(["--durability", "bogus"], ["--durability", "bogus"])

    def test_segment_bytes_too_small(self):
        self.check_rejected(["--segment-bytes", "10"], ["--segment-bytes", "1024"])
        self.check_rejected(["--http-port", "70000"], ["--http-port", "70000"])
        self.check_rejected(["--http-max-body-bytes", "10"], ["--http-max-body-bytes", "1024"])
        self.check_rejected(["--http-enabled", "maybe"], ["--http-enabled", "maybe"])

    def test_unknown_key_in_file(self):
        p = self.write("brook.toml", "log_level = \"info\"\n\n[storage]\nsegment_bytez = 4096\n")
        self.check_rejected(["--config", p], ["storage.segment_bytez", p])

    def test_malformed_file(self):
        p = self.write("brook.toml", "log_level = \"info\"\n[storage\nsegment_bytes = 4096\n")
        self.check_rejected(["--config", p], [p + ":2:"])

    def test_bad_environment_variable(self):
        self.check_rejected([], ["BROOK_STORAGE_RETENTION_MS", "soon"],
                            env={"BROOK_STORAGE_RETENTION_MS": "soon"})

    def test_missing_config_file(self):
        p = self.path("does-not-exist.toml")
        self.check_rejected(["--config", p], [p])

    def test_unknown_flag(self):
        # Usage errors exit 2, like bad settings.
        rc, out, err = self.run_brook("serve", "--data-dir", self.path("data"), "--bogus")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("--bogus", err)
        self.assertNotIn("brook ready", err)

    def test_config_path_is_a_directory(self):
        p = self.path("conf.d")
        os.mkdir(p)
        rc, out, err = self.run_brook("serve", "--data-dir", self.path("data"), "--config", p)
        self.assertEqual(rc, 2, out + err)
        self.assertIn(p + ": not a regular file", err)
        self.assertNotIn("brook ready", err)

    def test_bad_kafka_port(self):
        self.check_rejected(["--kafka-port", "70000"], ["--kafka-port", "70000"])

    def test_bad_auto_create_flag(self):
        self.check_rejected(["--auto-create-topics", "maybe"], ["--auto-create-topics", "true or false"])

    def test_kafka_port_in_use(self):
        # A listener that cannot bind is reported and the server exits 1, cleanly.
        port = self.occupied_port()
        rc, out, err = self.run_brook("serve", "--data-dir", self.path("data"),
                                      "--kafka-port", str(port))
        self.assertEqual(rc, 1, out + err)
        self.assertIn("cannot listen on 127.0.0.1:{}".format(port), err)
        self.assertNotIn("brook ready", err)

    def test_http_port_in_use(self):
        # The REST Proxy listener that cannot bind: reported, exit 1, everything closed.
        port = self.occupied_port()
        rc, out, err = self.run_brook("serve", "--data-dir", self.path("data"),
                                      "--kafka-port", "0", "--http-port", str(port))
        self.assertEqual(rc, 1, out + err)
        self.assertIn("cannot listen for HTTP on 127.0.0.1:{}".format(port), err)
        self.assertNotIn("brook ready", err)

    def test_http_section_in_file_and_disabled(self):
        p = self.write("brook.toml", "[http]\nport = 0\nmax_body_bytes = 4096\n")
        c = self.start_serve(self.path("data"), "--config", p)
        self.assertRegex(c.text(), r"http listener on 127\.0\.0\.1:\d+")
        self.stop_serve(c)
        c = self.start_serve(self.path("data2"), "--http-enabled", "false")
        self.assertNotIn("http listener", c.text())
        self.stop_serve(c)

    def test_kafka_section_in_file(self):
        p = self.write("brook.toml", "[kafka]\nport = 0\nauto_create_topics = false\ndefault_partitions = 3\n")
        c = self.start_serve(self.path("data"), "--config", p)
        self.assertRegex(c.text(), r"kafka listener on 127\.0\.0\.1:\d+")
        self.stop_serve(c)

    def test_good_config_file_is_used(self):
        p = self.write("brook.toml", "[storage]\ndurability = \"interval\"\nflush_interval_ms = 10\n")
        c = self.start_serve(self.path("data"), "--config", p)
        self.assertIn("durability interval", c.text())
        self.stop_serve(c)


class BadDataDirectoryTest(BrookTestCase):
    """A data directory that cannot be opened is reported, without a crash."""

    def test_data_dir_is_a_regular_file(self):
        p = self.path("data")
        with open(p, "w") as f:
            f.write("not a directory\n")
        rc, out, err = self.run_brook("serve", "--data-dir", p)
        self.assertNotEqual(rc, 0, out + err)
        self.assertGreater(rc, 0, "killed by a signal\n" + out + err)
        self.assertIn("cannot open data directory", err)
        self.assertIn(p, err)
        self.assertNotIn("brook ready", err)

    def test_foreign_sqlite_files_are_refused_and_kept(self):
        """Another program's database as metadata.db, or a metadata.db copied over
        groups.db: serve refuses to start, says why, and leaves the file as it was."""
        for name in ("metadata.db", "groups.db"):
            data = self.path("data-" + name)
            os.makedirs(data)
            if name == "groups.db":
                # A real metadata.db from a first start, copied over groups.db.
                c = self.start_serve(data)
                self.stop_serve(c)
                for journal in ("groups.db-wal", "groups.db-shm"):
                    if os.path.exists(os.path.join(data, journal)):
                        os.remove(os.path.join(data, journal))
                shutil.copyfile(os.path.join(data, "metadata.db"), os.path.join(data, name))
            else:
                db = sqlite3.connect(os.path.join(data, name))
                db.execute("CREATE TABLE notes (body TEXT)")
                db.execute("INSERT INTO notes VALUES ('theirs')")
                db.commit()
                db.close()
            with open(os.path.join(data, name), "rb") as f:
                before = f.read()
            rc, out, err = self.run_brook("serve", "--data-dir", data,
                                          "--kafka-port", "0", "--http-port", "0")
            self.assertGreater(rc, 0, out + err)
            self.assertIn("belongs to another program or another Brook store", err)
            self.assertNotIn("brook ready", err)
            with open(os.path.join(data, name), "rb") as f:
                self.assertEqual(f.read(), before, name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
