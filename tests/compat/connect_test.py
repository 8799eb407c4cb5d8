#!/usr/bin/python3
"""Connectors inside `brook serve`, through Kafka Connect's REST API (with `requests`, as
Connect's own scripts use curl) and `brook connector`, with records produced by a real
client (confluent-kafka-python): the file sink writes CSV and JSON lines exactly as the
records say (RFC 4180 quoting, non-ASCII), its progress is the group connect-<name>;
definitions survive a restart; SIGKILLs while the sink writes lose and duplicate no line;
a record that is not JSON fails the task or goes to the dead-letter topic, as
errors.tolerance says; a destination that cannot be written is retried, then FAILED, and
the broker keeps serving; bad requests get Connect's errors; credentials are never shown.

The server and the CLI are both $BROOK_BIN (set by ctest)."""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import requests
from confluent_kafka import Consumer, Producer

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, SANITIZER_MARKERS, BrookServer, ServerTestCase, unique, wait_until  # noqa: E402

FILE_SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector"


class ConnectApi:
    """Connect's REST API of one server."""

    def __init__(self, brook):
        self.brook = brook

    def url(self, path):
        return self.brook.http_url + path

    def get(self, path):
        return requests.get(self.url(path), timeout=DEADLINE_S)

    def post(self, path, body=None, raw=None):
        if raw is not None:
            return requests.post(self.url(path), data=raw, timeout=DEADLINE_S,
                                 headers={"Content-Type": "application/json"})
        return requests.post(self.url(path), json=body, timeout=DEADLINE_S)

    def put(self, path, body=None, raw=None):
        if raw is not None:
            return requests.put(self.url(path), data=raw, timeout=DEADLINE_S,
                                headers={"Content-Type": "application/json"})
        return requests.put(self.url(path), json=body, timeout=DEADLINE_S)

    def delete(self, path):
        return requests.delete(self.url(path), timeout=DEADLINE_S)

    def status(self, name):
        r = self.get(f"/connectors/{name}/status")
        assert r.status_code == 200, r.text
        return r.json()

    def task_state(self, name):
        return self.status(name)["tasks"][0]["state"]

    def lag(self, name):
        r = self.get(f"/v1/groups/connect-{name}/lag")
        return r.json() if r.status_code == 200 else None


def produce(bootstrap, topic, values, key=None):
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    errors = []
    for v in values:
        p.produce(topic, value=v.encode() if isinstance(v, str) else v, key=key,
                  on_delivery=lambda err, msg: err and errors.append(err))
    assert p.flush(DEADLINE_S) == 0
    assert errors == [], errors


def read_file(path):
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return ""


class ConnectTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api = ConnectApi(cls.brook)
        cls.out = tempfile.mkdtemp(prefix="brook-connect-out-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out, ignore_errors=True)
        super().tearDownClass()

    def create(self, name, **config):
        config.setdefault("connector.class", FILE_SINK)
        r = self.api.post("/connectors", {"name": name, "config": config})
        self.assertEqual(r.status_code, 201, r.text)
        self.addCleanup(lambda: self.api.delete(f"/connectors/{name}"))
        return r.json()

    def wait_caught_up(self, name, records):
        def done():
            lag = self.api.lag(name)
            return lag and lag["partitions"] and lag["total_lag"] == 0 and sum(
                p["committed_offset"] for p in lag["partitions"]) == records
        wait_until(done, f"connector {name} to commit {records} records")

    def cli(self, *args, env=None):
        p = subprocess.run([self.brook.binary, "connector", *args], capture_output=True, text=True,
                           timeout=120, env=env)
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, p.stderr)
        return p

    # ---- the file sink ---------------------------------------------------------------

    def test_csv_with_quoting_and_non_ascii(self):
        topic, name = unique("clicks"), unique("csv")
        path = os.path.join(self.out, f"{name}.csv")
        info = self.create(name, topics=topic, file=path, format="csv",
                           **{"csv.columns": "user.id,event,note,$key"})
        self.assertEqual(info["name"], name)
        self.assertEqual(info["type"], "sink")
        self.assertEqual(info["tasks"], [{"connector": name, "task": 0}])
        rows = [
            {"user": {"id": 1}, "event": "signup", "note": "plain"},
            {"user": {"id": 2}, "event": "click", "note": "a, b"},
            {"user": {"id": 3}, "event": "say", "note": "\"quoted\""},
            {"user": {"id": 4}, "event": "multi", "note": "line one\nline two"},
            {"user": {"id": 5}, "event": "café ☕ 東京", "note": " padded "},
            {"user": {"id": 6}, "event": "missing"},
        ]
        produce(self.brook.bootstrap, topic, [json.dumps(r, ensure_ascii=False) for r in rows],
                key=b"k")
        self.wait_caught_up(name, len(rows))
        parsed = list(csv.reader(io.StringIO(read_file(path), newline="")))
        self.assertEqual(parsed[0], ["user.id", "event", "note", "key"])
        self.assertEqual(parsed[1:], [[str(r["user"]["id"]), r["event"], r.get("note", ""), "k"]
                                      for r in rows])
        st = self.api.status(name)
        self.assertEqual(st["connector"]["state"], "RUNNING")
        self.assertEqual(st["tasks"][0]["state"], "RUNNING")
        self.assertEqual(st["records_written"], len(rows))
        metrics = requests.get(self.brook.http_url + "/metrics", timeout=DEADLINE_S).text
        self.assertIn(f'brook_connector_records_written_total{{connector="{name}"}} {len(rows)}',
                      metrics)
        self.assertIn(f'brook_connector_state{{connector="{name}",state="RUNNING"}} 1', metrics)

    def test_json_lines_and_topics_regex_and_per_topic_files(self):
        prefix = unique("feed")
        name = unique("jsonl")
        path = os.path.join(self.out, name, "${topic}.jsonl")
        self.create(name, **{"topics.regex": prefix + r"\..*"}, file=path, format="json")
        for t in ("a", "b"):
            produce(self.brook.bootstrap, f"{prefix}.{t}",
                    [json.dumps({"t": t, "i": i}, indent=2) for i in range(3)])
        wait_until(lambda: all(read_file(os.path.join(self.out, name, f"{prefix}.{t}.jsonl"))
                               .count("\n") == 3 for t in ("a", "b")),
                   "both topics' files")
        for t in ("a", "b"):
            lines = read_file(os.path.join(self.out, name, f"{prefix}.{t}.jsonl")).splitlines()
            self.assertEqual(lines, [json.dumps({"t": t, "i": i}, separators=(",", ":"))
                                     for i in range(3)])

    # ---- errors.tolerance --------------------------------------------------------------

    def test_a_record_that_is_not_json_fails_the_task_and_restart_meets_it_again(self):
        topic, name = unique("strict"), unique("strict")
        path = os.path.join(self.out, f"{name}.jsonl")
        self.create(name, topics=topic, file=path, format="json")
        produce(self.brook.bootstrap, topic, ['{"ok":1}', "not json", '{"ok":2}'])
        wait_until(lambda: self.api.task_state(name) == "FAILED", "the task to fail")
        st = self.api.status(name)
        self.assertIn("offset 1", st["tasks"][0]["trace"])
        self.assertIn("errors.tolerance", st["tasks"][0]["trace"])
        # Nothing past the bad record is committed; the good one before it is not lost.
        self.assertEqual(self.cli("restart", name, "--url", self.brook.http_url).returncode, 0)
        wait_until(lambda: self.api.task_state(name) == "FAILED", "the task to fail again")
        lag = self.api.lag(name)
        committed = sum(p["committed_offset"] or 0 for p in lag["partitions"])
        self.assertLessEqual(committed, 1)
        # Tolerating errors now: the rest flows, the bad record skipped.
        config = self.api.get(f"/connectors/{name}/config").json()
        config["errors.tolerance"] = "all"
        r = self.api.put(f"/connectors/{name}/config", config)
        self.assertEqual(r.status_code, 200, r.text)
        self.wait_caught_up(name, 3)
        self.assertEqual(read_file(path), '{"ok":1}\n{"ok":2}\n')
        self.assertEqual(self.api.status(name)["records_rejected"], 1)

    def test_dead_letter_topic_gets_the_bad_records_with_connects_headers(self):
        topic, name, dlq = unique("lenient"), unique("lenient"), unique("dlq")
        path = os.path.join(self.out, f"{name}.csv")
        self.create(name, topics=topic, file=path, format="csv",
                    **{"csv.columns": "a", "errors.tolerance": "all",
                       "errors.deadletterqueue.topic.name": dlq})
        produce(self.brook.bootstrap, topic, ['{"a":1}', "<xml/>", "[2]", '{"a":3}'])
        self.wait_caught_up(name, 4)
        self.assertEqual(read_file(path), "a\n1\n3\n")
        c = Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": unique("dlq-reader"),
                      "auto.offset.reset": "earliest"})
        c.subscribe([dlq])
        got = []
        wait_until(lambda: got.extend(m for m in c.consume(5, 0.5) if not m.error())
                   or len(got) >= 2, "the dead-letter records")
        c.close()
        self.assertEqual([m.value() for m in got], [b"<xml/>", b"[2]"])
        headers = dict((k, v.decode()) for k, v in got[0].headers())
        self.assertEqual(headers["__connect.errors.topic"], topic)
        self.assertEqual(headers["__connect.errors.partition"], "0")
        self.assertEqual(headers["__connect.errors.offset"], "1")
        self.assertEqual(headers["__connect.errors.connector.name"], name)
        self.assertIn("not JSON", headers["__connect.errors.exception.message"])
        st = self.api.status(name)
        self.assertEqual((st["records_rejected"], st["records_dead_lettered"]), (2, 2))

    def test_a_destination_that_cannot_be_written_is_retried_then_failed(self):
        topic, name = unique("blocked"), unique("blocked")
        blocker = os.path.join(self.out, name + ".not-a-dir")
        with open(blocker, "w") as f:
            f.write("x")
        self.create(name, topics=topic, file=os.path.join(blocker, "out.txt"),
                    **{"errors.retry.timeout": "1500", "errors.retry.delay.max.ms": "200"})
        produce(self.brook.bootstrap, topic, ["one", "two"])
        wait_until(lambda: self.api.task_state(name) == "FAILED", "the task to give up")
        st = self.api.status(name)
        self.assertIn(name + ".not-a-dir", st["tasks"][0]["trace"])
        self.assertGreaterEqual(st["retries"], 2)
        lag = self.api.lag(name)
        self.assertTrue(lag is None or all(p["committed_offset"] in (None, 0)
                                           for p in lag["partitions"]))
        # The broker and the other connectors carry on; a fixed configuration runs.
        produce(self.brook.bootstrap, topic, ["three"])
        good = os.path.join(self.out, name + ".txt")
        config = self.api.get(f"/connectors/{name}/config").json()
        config["file"] = good
        self.assertEqual(self.api.put(f"/connectors/{name}/config", config).status_code, 200)
        self.wait_caught_up(name, 3)
        self.assertEqual(read_file(good), "one\ntwo\nthree\n")
        self.assertEqual(self.api.task_state(name), "RUNNING")

    # ---- management ----------------------------------------------------------------------

    def test_the_rest_api_in_connects_shapes(self):
        plugins = self.api.get("/connector-plugins").json()
        self.assertIn({"class": FILE_SINK, "type": "sink", "version": plugins[0]["version"]},
                      plugins)
        name = unique("shape")
        path = os.path.join(self.out, name + ".txt")
        self.create(name, topics="t", file=path, **{"db.password": "s3cret"})
        again = self.api.post("/connectors", {"name": name, "config": {
            "connector.class": FILE_SINK, "topics": "t", "file": path}})
        self.assertEqual(again.status_code, 409)
        self.assertEqual(again.json()["error_code"], 409)
        self.assertIn(name, self.api.get("/connectors").json())
        expanded = self.api.get("/connectors?expand=status&expand=info").json()
        self.assertEqual(expanded[name]["info"]["config"]["topics"], "t")
        config = self.api.get(f"/connectors/{name}/config").json()
        self.assertEqual(config["db.password"], "[hidden]")
        self.assertNotIn("s3cret", self.api.get(f"/connectors/{name}").text)
        self.assertNotIn("s3cret", self.api.get(f"/connectors/{name}/tasks").text)
        # Sent back masked, the secret stays as it was.
        config["topics"] = "t,u"
        r = self.api.put(f"/connectors/{name}/config", config)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["config"]["topics"], "t,u")
        self.assertEqual(self.stored_definition(name)["config"]["db.password"], "s3cret")
        # pause, resume, restart
        self.assertEqual(self.api.put(f"/connectors/{name}/pause").status_code, 202)
        wait_until(lambda: self.api.task_state(name) == "PAUSED", "PAUSED")
        self.assertEqual(self.api.put(f"/connectors/{name}/resume").status_code, 202)
        wait_until(lambda: self.api.task_state(name) == "RUNNING", "RUNNING")
        self.assertEqual(self.api.post(f"/connectors/{name}/restart").status_code, 204)
        self.assertEqual(self.api.post(f"/connectors/{name}/tasks/0/restart").status_code, 204)
        self.assertEqual(self.api.delete(f"/connectors/{name}").status_code, 204)
        self.assertEqual(self.api.get(f"/connectors/{name}").status_code, 404)
        self.assertNotIn(name, self.api.get("/connectors").json())
        self.assertIsNone(self.stored_definition(name))

    def stored_definition(self, name):
        """The connector's latest record in _brook_connectors (None for a tombstone)."""
        c = Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": unique("peek"),
                      "auto.offset.reset": "earliest", "enable.partition.eof": True})
        c.subscribe(["_brook_connectors"])
        latest = {}
        eof = []
        wait_until(lambda: [latest.__setitem__(m.key().decode(), m.value()) if not m.error()
                            else eof.append(1) for m in c.consume(50, 0.5)] and eof,
                   "the end of _brook_connectors")
        c.close()
        value = latest.get(name)
        return json.loads(value) if value else None

    def test_bad_requests_get_connects_errors(self):
        cases = [
            (self.api.post("/connectors", raw="{not json"), 400, "JSON"),
            (self.api.post("/connectors", raw="[]"), 400, "name and config"),
            (self.api.post("/connectors", {"config": {"topics": "t"}}), 400, "name"),
            (self.api.post("/connectors", {"name": "x", "config": {"a": {"b": 1}}}), 400,
             "must be a string"),
            (self.api.post("/connectors", {"name": "bad name", "config": {
                "connector.class": FILE_SINK, "topics": "t", "file": "/tmp/x"}}), 400,
             "connector name"),
            (self.api.post("/connectors", {"name": "x", "config": {
                "connector.class": "com.example.Nope", "topics": "t"}}), 400, "com.example.Nope"),
            (self.api.post("/connectors", {"name": "x", "config": {
                "connector.class": FILE_SINK, "file": "relative.txt"}}), 400, "2 error(s)"),
            (self.api.put("/connectors/x/config", raw='"just a string"'), 400, "object"),
            (self.api.get("/connectors/nope/status"), 404, "nope"),
            (self.api.put("/connectors/nope/pause"), 404, "nope"),
            (self.api.delete("/connectors/nope"), 404, "nope"),
            (self.api.post("/connectors", raw="x" * 100000), 400, "JSON"),
        ]
        for r, status, words in cases:
            self.assertEqual(r.status_code, status, r.text)
            self.assertEqual(r.json()["error_code"], status, r.text)
            self.assertIn(words, r.json()["message"])
        self.assertNotIn("x", self.api.get("/connectors").json())

    def test_the_cli(self):
        name, topic = unique("cli"), unique("cli")
        path = os.path.join(self.out, name + ".txt")
        url = ("--url", self.brook.http_url)
        created = self.cli("create", name, *url, "--config", f"connector.class={FILE_SINK}",
                           "--config", f"topics={topic}", "--config", f"file={path}")
        self.assertEqual(created.returncode, 0, created.stderr)
        self.addCleanup(lambda: self.api.delete(f"/connectors/{name}"))
        self.assertIn("created", created.stdout)
        listed = self.cli("list", *url)
        self.assertIn(name, listed.stdout)
        produce(self.brook.bootstrap, topic, ["x"])
        self.wait_caught_up(name, 1)
        status = self.cli("status", name, *url)
        self.assertIn("RUNNING", status.stdout)
        self.assertIn("records written 1", status.stdout)
        as_json = json.loads(self.cli("status", name, *url, "--json").stdout)
        self.assertEqual(as_json["name"], name)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"name": name, "config": {"connector.class": FILE_SINK,
                                                "topics": topic, "file": path,
                                                "format": "text"}}, f)
        self.addCleanup(os.unlink, f.name)
        self.assertEqual(self.cli("update", name, *url, "--file", f.name).returncode, 0)
        self.assertIn("format", self.cli("config", name, *url).stdout)
        for action in ("pause", "resume", "restart"):
            self.assertEqual(self.cli(action, name, *url).returncode, 0, action)
        # Refusals exit 1 with the API's message; bad arguments exit 2.
        dup = self.cli("create", name, *url, "--config", "topics=t")
        self.assertEqual(dup.returncode, 1)
        self.assertIn("already exists", dup.stderr)
        gone = self.cli("status", unique("none"), *url)
        self.assertEqual(gone.returncode, 1)
        self.assertIn("not found", gone.stderr)
        self.assertEqual(self.cli("create", "x", *url).returncode, 2)
        self.assertEqual(self.cli("create", "x", *url, "--config", "novalue").returncode, 2)
        self.assertEqual(self.cli("list", "--url", "ftp://x").returncode, 2)
        unreachable = self.cli("list", "--url", "http://127.0.0.1:1")
        self.assertEqual(unreachable.returncode, 1)
        self.assertIn("127.0.0.1:1", unreachable.stderr)
        self.assertEqual(self.cli("delete", name, *url).returncode, 0)


class ConnectDurabilityTest(unittest.TestCase):
    """SIGKILL of brook serve while the file sink writes, repeatedly: after the last
    restart the file holds every record exactly once, in order."""

    def test_sigkill_while_writing_loses_and_duplicates_nothing(self):
        out = tempfile.mkdtemp(prefix="brook-connect-kill-")
        self.addCleanup(shutil.rmtree, out, True)
        path = os.path.join(out, "events.csv")
        brook = BrookServer().start()
        self.addCleanup(brook.__exit__, None, None, None)
        api = ConnectApi(brook)
        topic = unique("kill")
        r = api.post("/connectors", {"name": "killed", "config": {
            "connector.class": FILE_SINK, "topics": topic, "file": path, "format": "csv",
            "csv.columns": "n", "offset.flush.interval.ms": "50"}})
        self.assertEqual(r.status_code, 201, r.text)
        total = 0
        for round_ in range(5):
            produce(brook.bootstrap, topic, [json.dumps({"n": total + i}) for i in range(500)])
            total += 500
            # Killed once the sink is part-way through this round's records.
            wait_until(lambda: read_file(path).count("\n") > total - 450,
                       "the sink to be writing")
            brook.restart(kill=True)
        def complete():
            lag = api.lag("killed")
            return (lag and lag["partitions"] and lag["total_lag"] == 0
                    and lag["partitions"][0]["committed_offset"] == total)
        wait_until(complete, "the sink to catch up after the last restart")
        rows = list(csv.reader(io.StringIO(read_file(path), newline="")))
        self.assertEqual(rows[0], ["n"])
        self.assertEqual([int(r[0]) for r in rows[1:]], list(range(total)))
        # The definition came back with every restart.
        self.assertEqual(api.task_state("killed"), "RUNNING")
        brook.check_clean_exit(brook.stop())


class DeclaredConnectorTest(unittest.TestCase):
    """A connector declared in the configuration file runs at start; a bad one stops the
    server with a message naming it."""

    def test_declared_in_toml(self):
        out = tempfile.mkdtemp(prefix="brook-connect-toml-")
        self.addCleanup(shutil.rmtree, out, True)
        topic = unique("declared")
        path = os.path.join(out, "declared.jsonl")
        conf = os.path.join(out, "brook.toml")
        with open(conf, "w") as f:
            f.write(f'[connectors.feeder]\n"connector.class" = "FileStreamSink"\n'
                    f'topics = ["{topic}"]\nfile = "{path}"\nformat = "json"\n'
                    f'"offset.flush.interval.ms" = 100\n')
        with BrookServer(extra_args=("--config", conf)) as brook:
            produce(brook.bootstrap, topic, ['{"a": 1}'])
            wait_until(lambda: read_file(path) == '{"a":1}\n', "the declared sink's file")
            self.assertIn("feeder", ConnectApi(brook).get("/connectors").json())
        with open(conf, "a") as f:
            f.write('[connectors.broken]\n"connector.class" = "FileStreamSink"\n')
        p = subprocess.run([os.environ["BROOK_BIN"], "serve", "--config", conf, "--data-dir",
                            os.path.join(out, "data2"), "--kafka-port", "0", "--http-port", "0"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("connector broken", p.stdout + p.stderr)
        self.assertIn("topics", p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
