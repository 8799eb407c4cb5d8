"""GET /metrics scraped by a real Prometheus server (Debian's prometheus 2.42, started here
on 127.0.0.1 with its data in a temp directory), which asks for OpenMetrics: after known
traffic its query API returns the records produced per partition, the consumer group's lag
in records and in seconds as the test arranged it (records with timestamps an hour old,
offsets committed part way), Kafka API and HTTP counts. The classic text format passes
`promtool check metrics`. GET /v1/groups/{group}/lag answers the same lag as JSON. With HTTP
logins required, /metrics asks for them and for DESCRIBE on the cluster, on the HTTP
listener and on a metrics listener of its own (--metrics-port)."""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import requests
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import NewTopic

from fixtures import DEADLINE_S, AdminServerTestCase, ServerTestCase, unique, wait_until

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
HOUR_MS = 3600 * 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session():
    s = requests.Session()
    s.trust_env = False  # no proxy, no CA bundle from the environment
    return s


class PrometheusServer:
    """A prometheus process scraping `target` (host:port) every second."""

    def __init__(self, target, auth=None):
        self.dir = tempfile.mkdtemp(prefix="brook-prometheus-")
        self.port = free_port()
        auth_lines = ""
        if auth:
            auth_lines = (f"    basic_auth:\n      username: {auth[0]}\n"
                          f"      password: {auth[1]}\n")
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: brook\n" + auth_lines +
                    f"    static_configs:\n      - targets: ['{target}']\n")
        self.log = open(os.path.join(self.dir, "prometheus.log"), "w")
        self.proc = subprocess.Popen(
            ["setpriv", "--pdeathsig", "KILL", "--", PROMETHEUS, f"--config.file={config}",
             f"--storage.tsdb.path={os.path.join(self.dir, 'data')}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.http = session()
        wait_until(self.ready, "prometheus to be ready")

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"prometheus exited: {self.log_text()}")
        try:
            return self.http.get(f"http://127.0.0.1:{self.port}/-/ready", timeout=5).ok
        except requests.ConnectionError:
            return False

    def log_text(self):
        self.log.flush()
        with open(os.path.join(self.dir, "prometheus.log")) as f:
            return f.read()[-4000:]

    def query(self, promql):
        """The instant vector of `promql`: {frozenset(labels.items()): value}."""
        r = self.http.get(f"http://127.0.0.1:{self.port}/api/v1/query",
                          params={"query": promql}, timeout=10)
        r.raise_for_status()
        body = r.json()
        assert body["status"] == "success", body
        return {frozenset(s["metric"].items()): float(s["value"][1])
                for s in body["data"]["result"]}

    def targets(self):
        r = self.http.get(f"http://127.0.0.1:{self.port}/api/v1/targets", timeout=10)
        return r.json()["data"]["activeTargets"]

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def by(series, label):
    return {dict(k)[label]: v for k, v in series.items()}


class MetricsTest(AdminServerTestCase):

    def produce_one_per_batch(self, topic, partition, count, first_ts):
        p = Producer({"bootstrap.servers": self.brook.bootstrap, "linger.ms": 0, "acks": "all"})
        for i in range(count):
            p.produce(topic, value=f"r{i}".encode(), partition=partition,
                      timestamp=first_ts + i * 1000)
            self.assertEqual(p.flush(DEADLINE_S), 0)

    def commit(self, group, offsets):
        c = Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": group,
                      "enable.auto.commit": False})
        try:
            c.commit(offsets=offsets, asynchronous=False)
        finally:
            c.close()

    def test_prometheus_scrapes_traffic_and_lag_the_test_arranged(self):
        topic, group = unique("metrics"), unique("lagging")
        self.admin.create_topics([NewTopic(topic, 2, 1)])[topic].result(DEADLINE_S)
        # One record per batch, timestamps an hour old one second apart: the record at
        # offset 3 of partition 0 was written at first_ts + 3 s.
        first_ts = int(time.time() * 1000) - HOUR_MS
        self.produce_one_per_batch(topic, 0, 7, first_ts)
        self.produce_one_per_batch(topic, 1, 5, first_ts)
        self.commit(group, [TopicPartition(topic, 0, 3), TopicPartition(topic, 1, 5)])
        # A refused creation: TOPIC_ALREADY_EXISTS counted for create_topics.
        exists = self.admin.create_topics([NewTopic(topic, 2, 1)])[topic].exception(DEADLINE_S)
        self.assertIsNotNone(exists)

        # The broker's own lag, as JSON.
        r = session().get(f"{self.brook.http_url}/v1/groups/{group}/lag", timeout=DEADLINE_S)
        self.assertEqual(r.status_code, 200, r.text)
        lag = r.json()
        self.assertEqual(lag["group"], group)
        self.assertEqual(lag["total_lag"], 4)
        parts = {p["partition"]: p for p in lag["partitions"]}
        self.assertEqual((parts[0]["committed_offset"], parts[0]["log_end_offset"],
                          parts[0]["lag"]), (3, 7, 4))
        self.assertEqual((parts[1]["lag"], parts[1]["lag_seconds"]), (0, 0))
        expected_s = (time.time() * 1000 - (first_ts + 3000)) / 1000
        self.assertAlmostEqual(parts[0]["lag_seconds"], expected_s, delta=5)
        self.assertAlmostEqual(lag["max_lag_seconds"], parts[0]["lag_seconds"], delta=0.001)
        missing = session().get(f"{self.brook.http_url}/v1/groups/{unique('none')}/lag",
                                timeout=DEADLINE_S)
        self.assertEqual(missing.status_code, 404, missing.text)

        prom = PrometheusServer(f"127.0.0.1:{self.brook.http_port}")
        self.addCleanup(prom.close)
        records_in = wait_until(
            lambda: by(prom.query(f'brook_partition_records_in_total{{topic="{topic}"}}'),
                       "partition") or None,
            "prometheus to have scraped brook")
        self.assertEqual(records_in, {"0": 7.0, "1": 5.0})
        target = prom.targets()[0]
        self.assertEqual(target["health"], "up", target)
        self.assertEqual(by(prom.query(f'brook_partition_log_end_offset{{topic="{topic}"}}'),
                            "partition"), {"0": 7.0, "1": 5.0})
        self.assertEqual(by(prom.query(f'brook_consumer_group_lag_records{{group="{group}"}}'),
                            "partition"), {"0": 4.0, "1": 0.0})
        seconds = by(prom.query(f'brook_consumer_group_lag_seconds{{group="{group}"}}'),
                     "partition")
        expected_s = (time.time() * 1000 - (first_ts + 3000)) / 1000
        self.assertAlmostEqual(seconds["0"], expected_s, delta=5)
        self.assertEqual(seconds["1"], 0.0)
        produced = prom.query('brook_kafka_requests_total{api="produce"}')
        self.assertGreaterEqual(sum(produced.values()), 12)
        errors = prom.query('brook_kafka_request_errors_total{api="create_topics",'
                            'error="TOPIC_ALREADY_EXISTS"}')
        self.assertEqual(sum(errors.values()), 1.0)
        scrapes = prom.query('brook_http_requests_total{route="/metrics",status="200"}')
        self.assertGreaterEqual(sum(scrapes.values()), 1)
        self.assertTrue(prom.query('brook_connections_open{listener="PLAINTEXT"}'))
        self.assertTrue(prom.query('process_resident_memory_bytes > 0'))

    def test_promtool_accepts_the_text_format(self):
        s = session()
        r = s.get(f"{self.brook.http_url}/metrics", timeout=DEADLINE_S)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        check = subprocess.run([PROMTOOL, "check", "metrics"], input=r.text, text=True,
                               capture_output=True, timeout=DEADLINE_S)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        om = s.get(f"{self.brook.http_url}/metrics",
                   headers={"Accept": "application/openmetrics-text;version=1.0.0"},
                   timeout=DEADLINE_S)
        self.assertTrue(om.headers["Content-Type"].startswith("application/openmetrics-text"))
        self.assertTrue(om.text.endswith("# EOF\n"))
        self.assertIn("# TYPE brook_kafka_requests counter", om.text)

    def test_the_shipped_scrape_config_and_dashboard_match_what_is_served(self):
        docs = os.path.join(os.path.dirname(__file__), "..", "..", "doc", "monitoring")
        check = subprocess.run([PROMTOOL, "check", "config", os.path.join(docs, "prometheus.yml")],
                               text=True, capture_output=True, timeout=DEADLINE_S)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        # Every family a dashboard query names is one the server shows.
        served = set(re.findall(r"^# TYPE (\S+)", session().get(
            f"{self.brook.http_url}/metrics", timeout=DEADLINE_S).text, re.M))
        with open(os.path.join(docs, "brook-dashboard.json")) as f:
            dashboard = json.load(f)
        named = set()
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                named |= set(re.findall(r"\b((?:brook|process)_[a-z_]+)", target["expr"]))
        self.assertTrue(named)
        for name in named:
            family = re.sub(r"_(bucket|sum|count)$", "", name)
            self.assertIn(family, served, f"{name} in the dashboard is not served")

    def test_label_values_with_quotes_and_backslashes_are_escaped(self):
        # Topic names cannot hold quotes, group ids can: a group is a label value.
        group = 'odd"group\\' + unique("g")
        topic, _ = self.create_topic("esc")
        self.commit(group, [TopicPartition(topic, 0, 0)])
        text = session().get(f"{self.brook.http_url}/metrics", timeout=DEADLINE_S).text
        escaped = group.replace("\\", "\\\\").replace('"', '\\"')
        self.assertIn(f'brook_consumer_group_lag_records{{group="{escaped}"', text)
        check = subprocess.run([PROMTOOL, "check", "metrics"], input=text, text=True,
                               capture_output=True, timeout=DEADLINE_S)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)


ADMIN_PASSWORD = "admin-" + os.urandom(6).hex()


class MetricsBehindLoginsTest(ServerTestCase):
    server_args = ("--listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                   "--http-authentication", "basic", "--metrics-port", "0")
    server_env = dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD)

    def brook_as_admin(self, *args, stdin=None):
        env = dict(os.environ, BROOK_SASL_PASSWORD=ADMIN_PASSWORD)
        p = subprocess.run(
            [os.environ["BROOK_BIN"], *args, "--bootstrap",
             f"127.0.0.1:{self.brook.listeners['SASL_PLAINTEXT']}", "--sasl-mechanism",
             "SCRAM-SHA-512", "--sasl-username", "admin"],
            input=stdin, capture_output=True, text=True, timeout=DEADLINE_S, env=env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_metrics_ask_for_a_login_and_describe_on_the_cluster(self):
        url = f"{self.brook.http_url}/metrics"
        s = session()
        r = s.get(url, timeout=DEADLINE_S)
        self.assertEqual(r.status_code, 401)
        self.assertIn("Basic", r.headers.get("WWW-Authenticate", ""))
        self.assertEqual(s.get(url, auth=("admin", "wrong"), timeout=DEADLINE_S).status_code, 401)
        user, password = unique("scraper"), "pw-" + os.urandom(6).hex()
        self.brook_as_admin("user", "add", user, "--password-stdin", stdin=password + "\n")
        refused = s.get(url, auth=(user, password), timeout=DEADLINE_S)
        self.assertEqual(refused.status_code, 403, refused.text)
        self.brook_as_admin("acl", "add", "--allow", f"User:{user}", "--operation", "DESCRIBE",
                            "--cluster")
        allowed = s.get(url, auth=(user, password), timeout=DEADLINE_S)
        self.assertEqual(allowed.status_code, 200, allowed.text)
        self.assertIn("brook_kafka_requests_total", allowed.text)
        # The metrics listener of its own: the same logins and check, nothing but /metrics.
        port = next(int(m.group(1)) for m in (re.search(r"metrics listener on [0-9.]+:(\d+)", x)
                                              for x in self.brook.log_lines) if m)
        own = f"http://127.0.0.1:{port}"
        self.assertEqual(s.get(own + "/metrics", timeout=DEADLINE_S).status_code, 401)
        alone = s.get(own + "/metrics", auth=(user, password), timeout=DEADLINE_S)
        self.assertEqual(alone.status_code, 200)
        self.assertIn("brook_partition_records_in_total", alone.text)
        self.assertEqual(s.get(own + "/topics", auth=(user, password),
                               timeout=DEADLINE_S).status_code, 404)
        # The probes stay open.
        self.assertEqual(s.get(f"{self.brook.http_url}/healthz", timeout=DEADLINE_S).status_code,
                         200)
        # A real Prometheus with the scraper's credentials.
        prom = PrometheusServer(f"127.0.0.1:{self.brook.http_port}", auth=(user, password))
        self.addCleanup(prom.close)
        wait_until(lambda: prom.query('brook_http_requests_total{route="/metrics"}'),
                   "an authenticated scrape")


if __name__ == "__main__":
    unittest.main()
