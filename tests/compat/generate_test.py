#!/usr/bin/python3
"""`brook generate` against a real `brook serve`, read back by confluent-kafka-python: the
events follow the template (sequence, choices, ids within their cardinality, numbers in
range, timestamps), --count and --duration stop it, --seed repeats it, and bad templates
or arguments exit 2 with the reason. Then the analytics seed end to end: generated events
flow through a CSV file sink connector into the feeder's file, one row per event.

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
from confluent_kafka import Consumer

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, SANITIZER_MARKERS, ServerTestCase, unique, wait_until  # noqa: E402

TEMPLATE = {"event_id": "{{seq}}", "event_type": "{{choice:page_view,click,signup}}",
            "user_id": "{{user:50}}", "session_id": "{{session:10}}",
            "amount": "{{float:1:250}}", "items": "{{int:1:5}}", "ts": "{{now}}",
            "page": "/{{word}}", "note": "event {{seq}} by {{user:50}}"}


class GenerateTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dir = tempfile.mkdtemp(prefix="brook-generate-")
        cls.template = os.path.join(cls.dir, "events.json")
        with open(cls.template, "w") as f:
            json.dump(TEMPLATE, f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)
        super().tearDownClass()

    def generate(self, *args):
        p = subprocess.run([self.brook.binary, "generate", *args, "--bootstrap",
                            self.brook.bootstrap], capture_output=True, text=True, timeout=120)
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, p.stderr)
        return p

    def consume(self, topic, count):
        c = Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": unique("reader"),
                      "auto.offset.reset": "earliest"})
        c.subscribe([topic])
        got = []
        wait_until(lambda: got.extend(json.loads(m.value()) for m in c.consume(100, 0.5)
                                      if not m.error()) or len(got) >= count,
                   f"{count} events")
        c.close()
        return got

    def test_events_follow_the_template(self):
        topic = unique("events")
        p = self.generate(topic, "--template", self.template, "--count", "500", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["records"], 500)
        events = self.consume(topic, 500)
        self.assertEqual([e["event_id"] for e in events], list(range(500)))
        for e in events:
            self.assertIn(e["event_type"], ("page_view", "click", "signup"))
            self.assertRegex(e["user_id"], r"^user-([1-9]|[1-4][0-9]|50)$")
            self.assertRegex(e["session_id"], r"^session-([1-9]|10)$")
            self.assertTrue(1 <= e["amount"] < 250)
            self.assertIn(e["items"], range(1, 6))
            self.assertIsInstance(e["ts"], int)
            self.assertTrue(e["page"].startswith("/") and len(e["page"]) > 1)
            self.assertTrue(e["note"].startswith(f"event {e['event_id']} by user-"))
        self.assertEqual(len({e["user_id"] for e in events}), 50)  # every id of the cardinality

    def test_duration_rate_and_seed(self):
        topic = unique("paced")
        p = self.generate(topic, "--template", self.template, "--rate", "20", "--duration", "1",
                          "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        sent = json.loads(p.stdout)["records"]
        self.assertTrue(1 <= sent <= 21, sent)  # paced: never ahead of 20 per second
        a, b = unique("seeded"), unique("seeded")
        for t in (a, b):
            self.assertEqual(self.generate(t, "--template", self.template, "--count", "20",
                                           "--seed", "7").returncode, 0)
        strip = lambda evs: [{k: v for k, v in e.items() if k != "ts"} for e in evs]
        self.assertEqual(strip(self.consume(a, 20)), strip(self.consume(b, 20)))

    def test_bad_templates_and_arguments_exit_2(self):
        bad = os.path.join(self.dir, "bad.json")
        with open(bad, "w") as f:
            f.write('{"a": "{{nope}}"}')
        p = self.generate("t", "--template", bad, "--count", "1")
        self.assertEqual(p.returncode, 2)
        self.assertIn("{{nope}}", p.stderr)
        with open(bad, "w") as f:
            f.write("not json")
        self.assertIn("not JSON", self.generate("t", "--template", bad, "--count", "1").stderr)
        p = self.generate("t", "--template", self.template)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--count or --duration", p.stderr)
        p = self.generate("t", "--template", os.path.join(self.dir, "missing.json"), "--count", "1")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(self.generate("bad topic", "--template", self.template,
                                       "--count", "1").returncode, 2)

    def test_the_analytics_seed_generator_to_csv_feeder(self):
        topic, out = unique("analytics"), os.path.join(self.dir, "events.csv")
        r = requests.post(self.brook.http_url + "/connectors", timeout=DEADLINE_S, json={
            "name": unique("feeder"), "config": {
                "connector.class": "FileStreamSink", "topics": topic, "file": out,
                "format": "csv", "csv.columns": "event_id,event_type,user_id,amount"}})
        self.assertEqual(r.status_code, 201, r.text)
        self.assertEqual(self.generate(topic, "--template", self.template, "--count", "300",
                                       "--seed", "3").returncode, 0)

        def rows():
            try:
                with open(out, newline="") as f:
                    return list(csv.reader(f))
            except FileNotFoundError:
                return []
        wait_until(lambda: len(rows()) == 301, "300 rows and the header")
        got = rows()
        self.assertEqual(got[0], ["event_id", "event_type", "user_id", "amount"])
        self.assertEqual([int(r[0]) for r in got[1:]], list(range(300)))

    def test_the_datagen_source_connector(self):
        topic, name = unique("datagen"), unique("datagen")
        api = self.brook.http_url + "/connectors"
        bad = requests.post(api, timeout=DEADLINE_S, json={"name": name, "config": {
            "connector.class": "DatagenConnector", "kafka.topic": topic,
            "template": '{"a":"{{nope}}"}'}})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("{{nope}}", bad.json()["message"])
        r = requests.post(api, timeout=DEADLINE_S, json={"name": name, "config": {
            "connector.class": "io.confluent.kafka.connect.datagen.DatagenConnector",
            "kafka.topic": topic, "template": json.dumps(TEMPLATE), "max.interval": "5",
            "iterations": "40"}})
        self.assertEqual(r.status_code, 201, r.text)
        self.assertEqual(r.json()["type"], "source")
        self.addCleanup(lambda: requests.delete(f"{api}/{name}", timeout=DEADLINE_S))
        events = self.consume(topic, 40)
        self.assertEqual([e["event_id"] for e in events], list(range(40)))
        status = requests.get(f"{api}/{name}/status", timeout=DEADLINE_S).json()
        self.assertEqual((status["type"], status["records_written"]), ("source", 40))
        self.assertEqual(status["tasks"][0]["state"], "RUNNING")
        # Paused, it produces nothing more; a restart starts the sequence over.
        self.assertEqual(requests.put(f"{api}/{name}/pause", timeout=DEADLINE_S).status_code, 202)
        wait_until(lambda: requests.get(f"{api}/{name}/status", timeout=DEADLINE_S)
                   .json()["tasks"][0]["state"] == "PAUSED", "PAUSED")
        self.assertEqual(requests.put(f"{api}/{name}/resume", timeout=DEADLINE_S).status_code, 202)
        self.assertEqual(requests.post(f"{api}/{name}/restart", timeout=DEADLINE_S).status_code,
                         204)
        again = self.consume(topic, 80)
        self.assertEqual([e["event_id"] for e in again], list(range(40)) * 2)


if __name__ == "__main__":
    unittest.main()
