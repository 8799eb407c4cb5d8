"""The fixtures every compatibility test uses: a real `brook serve` (BrookServer), a test
case with one server per class that checks the server's clean exit and opens raw
connections to it (ServerTestCase), wait_until(), which polls a condition up to a deadline
instead of sleeping, and small helpers (unique names, the wall clock, group assignments).

    class MyTest(ServerTestCase):
        server_args = ("--default-partitions", "3")

        def test_something(self):
            producer = Producer({"bootstrap.servers": self.brook.bootstrap})

A BrookServer on its own, with its own data directory, removed at the end:

    with BrookServer() as brook:
        producer = Producer({"bootstrap.servers": brook.bootstrap})

The binary comes from $BROOK_BIN (set by ctest to the build's brook). Raw Kafka requests
are in kafka_wire.py, the REST Proxy's helpers in http_helpers.py; no test module imports
another."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

from kafka_wire import Conn

READY = re.compile(r"kafka listener on [0-9.]+:(\d+)")
LISTENER = re.compile(r"kafka listener on [0-9.]+:(\d+) \(advertised [^)]*\): ([A-Za-z0-9_-]+)")
HTTP = re.compile(r"http listener on [0-9.]+:(\d+)")
SANITIZER_MARKERS = ("AddressSanitizer", "runtime error:", "LeakSanitizer")
DEADLINE_S = 60  # of any one wait in a test


def wait_until(condition, what, timeout=DEADLINE_S, interval=0.05, pump=None):
    """Polls `condition` until it returns something true and returns that; fails the test
    once `timeout` seconds have passed. `what` (a string, or a function giving one) says
    what was awaited. With `pump` (a function that itself waits, e.g. polls consumers),
    pump() runs before each check instead of the pause of `interval` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if pump is not None:
            pump()
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            what = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        if pump is None:
            time.sleep(interval)


def unique(prefix):
    """`prefix` and 8 random hex digits: a topic or group name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def now_ms():
    return int(time.time() * 1000)


def disjoint_cover(assignments, everything):
    """True when the sets of partitions the members of a group own are pairwise disjoint,
    all non-empty, and together are `everything`."""
    sets = list(assignments)
    union = frozenset().union(*sets) if sets else frozenset()
    return all(sets) and sum(len(s) for s in sets) == len(union) and union == everything


class BrookServer:
    """One `brook serve` child: a fresh data directory (unless given), free ports (unless
    given), its log read line by line. start() returns once the server logged its Kafka
    listener (no sleeps); stop() is a SIGTERM and a clean exit, kill() a SIGKILL, restart()
    either and a start on the same port and data directory."""

    def __init__(self, data_dir=None, extra_args=(), env=None, wrapper=()):
        # A command that runs the server, its arguments following (prlimit, unshare).
        self.wrapper = list(wrapper)
        self.binary = os.environ.get("BROOK_BIN")
        if not self.binary:
            raise RuntimeError("BROOK_BIN is not set (run through ctest)")
        self._own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="brook-compat-")
        self.extra_args = list(extra_args)
        self.env = env
        self.proc = None
        self.port = None
        self.listeners = {}  # listener name -> bound port
        self.http_port = None
        self.log_lines = []
        self._ready = threading.Event()
        # Set once the last line of the log was read, so that a report printed at exit
        # (LeakSanitizer) is seen before the log is checked.
        self.log_done = threading.Event()

    @property
    def http_url(self):
        """The REST Proxy's base URL (http://127.0.0.1:<port>)."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def start(self, port=0, timeout=30):
        """Starts the server; returns once it logs its listeners (no sleeps)."""
        self._ready.clear()
        self.log_done.clear()
        self.port = None
        self.listeners = {}
        args = [self.binary, "serve", "--data-dir", os.path.join(self.data_dir, "data"),
                "--kafka-port", str(port)] + self.extra_args
        if not any(a.startswith("--http-port") for a in self.extra_args):
            args += ["--http-port", "0"]  # never the shared default 8082 in tests
        # Every test client comes from 127.0.0.1, and many try bad logins on purpose: the
        # failed-login limits are off unless a test (audit_test) sets them.
        for limit in ("--failed-login-limit-per-address", "--failed-login-limit-per-user"):
            if limit not in self.extra_args:
                args += [limit, "0"]
        # The tests read the log's human lines (a pipe would get JSON lines): text unless a
        # test asks for a format (log_format_test).
        if "--log-format" not in self.extra_args and "BROOK_LOG_FORMAT" not in (self.env or {}):
            args += ["--log-format", "text"]
        args = self.wrapper + args
        # setpriv --pdeathsig: the server dies with the test even if the test is killed.
        self.proc = subprocess.Popen(["setpriv", "--pdeathsig", "KILL", "--"] + args,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=self.env)
        self._reader = threading.Thread(target=self._read_log, args=(self.proc,), daemon=True)
        self._reader.start()
        if not self._ready.wait(timeout):
            self.kill()
            raise RuntimeError("brook did not become ready:\n" + "".join(self.log_lines[-50:]))
        # The HTTP listener is logged before the Kafka one.
        if self.http_port is None and "--http-enabled" not in self.extra_args:
            self.kill()
            raise RuntimeError("brook logged no http listener:\n" + "".join(self.log_lines))
        return self

    def _read_log(self, proc):
        try:
            for line in proc.stdout:
                self.log_lines.append(line)
                h = HTTP.search(line)
                if h:
                    self.http_port = int(h.group(1))
                m = LISTENER.search(line)
                if m:
                    self.listeners[m.group(2)] = int(m.group(1))
                    if self.port is None:
                        self.port = int(m.group(1))
                if "brook ready in" in line and self.port is not None:
                    self._ready.set()
        finally:
            self.log_done.set()

    def _finish(self):
        """After the exit: the whole log has been read (sanitizer reports come last)."""
        self._reader.join(timeout=60)
        self.proc.stdout.close()

    def kill(self):
        """SIGKILL: no clean shutdown."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self._finish()

    def stop(self):
        """SIGTERM and wait for a clean exit; returns the exit code."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=60)
            self._finish()
            return rc
        return self.proc.returncode if self.proc else None

    def restart(self, kill=False):
        """Stops (or kills) and starts again on the same port and data directory."""
        port = self.port
        if kill:
            self.kill()
        else:
            self.stop()
        return self.start(port=port)

    def sanitizer_reports(self):
        text = "".join(self.log_lines)
        return [m for m in SANITIZER_MARKERS if m in text]

    def check_clean_exit(self, code):
        """After stop(): the log is complete, has no sanitizer report, and the exit was 0."""
        if not self.log_done.wait(30):
            raise AssertionError("the server's output did not end after it exited")
        log_tail = "".join(self.log_lines[-80:])
        reports = self.sanitizer_reports()
        if reports:
            raise AssertionError(f"sanitizer reports {reports} in the server log:\n{log_tail}")
        if code != 0:
            raise AssertionError(f"brook exited with {code} on SIGTERM:\n{log_tail}")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        return False


class ServerTestCase(unittest.TestCase):
    """One server per class (flags in `server_args`, environment in `server_env`), as
    `brook`. Stopping it checks its clean exit and the sanitizer."""

    server_args = ()
    server_env = None

    @classmethod
    def setUpClass(cls):
        cls.brook = BrookServer(extra_args=cls.server_args, env=cls.server_env).start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.brook.check_clean_exit(cls.brook.stop())
        finally:
            cls.brook.__exit__(None, None, None)

    def connect(self):
        """A raw connection to the server's Kafka port (kafka_wire.Conn), closed at the
        end of the test."""
        c = Conn(self.brook.port)
        self.addCleanup(c.close)
        return c


class AdminServerTestCase(ServerTestCase):
    """A ServerTestCase with a confluent-kafka AdminClient for the class (`admin`),
    disconnected before the server stops."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from confluent_kafka.admin import AdminClient
        cls.admin = AdminClient({"bootstrap.servers": cls.brook.bootstrap})

    @classmethod
    def tearDownClass(cls):
        cls.admin = None  # disconnects before the server goes
        super().tearDownClass()

    def create_topic(self, prefix, config=None, partitions=1, timeout=30):
        """Creates a topic named after `prefix` (unique()) with CreateTopics; returns
        (name, the creation's exception or None)."""
        from confluent_kafka.admin import NewTopic
        name = unique(prefix)
        fs = self.admin.create_topics([NewTopic(name, partitions, 1, config=config or {})],
                                      request_timeout=timeout)
        return name, fs[name].exception(timeout)
