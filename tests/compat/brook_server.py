"""Starts a real `brook serve` for the compatibility tests: a fresh data directory, a
free port, and the address clients should use. The binary comes from $BROOK_BIN (set by
ctest to the build's brook).

    with BrookServer() as brook:
        producer = Producer({"bootstrap.servers": brook.bootstrap})
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

READY = re.compile(r"kafka listener on [0-9.]+:(\d+)")
HTTP = re.compile(r"http listener on [0-9.]+:(\d+)")


class BrookServer:
    def __init__(self, data_dir=None, extra_args=(), env=None):
        self.binary = os.environ.get("BROOK_BIN")
        if not self.binary:
            raise RuntimeError("BROOK_BIN is not set (run through ctest)")
        self._own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="brook-compat-")
        self.extra_args = list(extra_args)
        self.env = env
        self.proc = None
        self.port = None
        self.http_port = None
        self.log_lines = []
        self._ready = threading.Event()

    @property
    def http_url(self):
        """The REST Proxy's base URL (http://127.0.0.1:<port>)."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def start(self, port=0, timeout=30):
        """Starts the server; returns once it logs its listener (no sleeps)."""
        self._ready.clear()
        args = [self.binary, "serve", "--data-dir", os.path.join(self.data_dir, "data"),
                "--kafka-port", str(port)] + self.extra_args
        if not any(a.startswith("--http-port") for a in self.extra_args):
            args += ["--http-port", "0"]  # never the shared default 8082 in tests
        # setpriv --pdeathsig: the server dies with the test even if the test is killed.
        self.proc = subprocess.Popen(["setpriv", "--pdeathsig", "KILL", "--"] + args,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=self.env)
        self._reader = threading.Thread(target=self._read_log, args=(self.proc,), daemon=True)
        self._reader.start()
        if not self._ready.wait(timeout):
            self.kill()
            raise RuntimeError("brook did not become ready:\n" + "".join(self.log_lines[-50:]))
        return self

    def _read_log(self, proc):
        for line in proc.stdout:
            self.log_lines.append(line)
            h = HTTP.search(line)
            if h:
                self.http_port = int(h.group(1))
            m = READY.search(line)
            if m:
                self.port = int(m.group(1))
                self._ready.set()

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
        return [m for m in ("AddressSanitizer", "runtime error:", "LeakSanitizer") if m in text]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        return False
