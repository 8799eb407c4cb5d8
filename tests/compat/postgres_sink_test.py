#!/usr/bin/python3
"""The PostgreSQL sink (io.confluent.connect.jdbc.JdbcSinkConnector) against a real
PostgreSQL 15 server that the test starts in a temp directory (Debian's initdb and pg_ctl,
as the unprivileged user postgres when the test runs as root; 127.0.0.1, a free port,
SCRAM passwords), read back with psycopg2 (Debian python3-psycopg2): insert and upsert
modes, auto.create from the first records, kafka and record_value keys, a jsonb column for
schemaless records; SIGKILLs while it writes leave rows = records, no duplicates; wrong
credentials, a dead server, a table with the wrong columns and records that are not JSON
are reported (FAILED, or dead-lettered) while the broker keeps serving.

$BROOK_BIN is set by ctest."""

import json
import sys
import unittest

import psycopg2
import requests
from confluent_kafka import Producer

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from destinations import Postgres  # noqa: E402
from fixtures import DEADLINE_S, BrookServer, unique, wait_until  # noqa: E402

JDBC = "io.confluent.connect.jdbc.JdbcSinkConnector"


class PostgresSinkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = Postgres()
        cls.brook = BrookServer().start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.brook.check_clean_exit(cls.brook.stop())
        finally:
            cls.brook.__exit__(None, None, None)
            cls.pg.stop()

    def connector(self, name, **config):
        config.setdefault("connector.class", JDBC)
        config.setdefault("connection.url", "jdbc:" + self.pg.url)
        config.setdefault("connection.user", "brook")
        config.setdefault("connection.password", self.pg.password)
        r = requests.post(self.brook.http_url + "/connectors", json={"name": name, "config": config},
                          timeout=DEADLINE_S)
        self.assertEqual(r.status_code, 201, r.text)
        self.addCleanup(lambda: requests.delete(f"{self.brook.http_url}/connectors/{name}",
                                                timeout=DEADLINE_S))

    def status(self, name):
        return requests.get(f"{self.brook.http_url}/connectors/{name}/status",
                            timeout=DEADLINE_S).json()

    def committed(self, name, topic):
        r = requests.get(f"{self.brook.http_url}/v1/groups/connect-{name}/lag", timeout=DEADLINE_S)
        if r.status_code != 200:
            return 0
        return sum(p["committed_offset"] or 0 for p in r.json()["partitions"] if p["topic"] == topic)

    def produce(self, topic, values, keys=None):
        p = Producer({"bootstrap.servers": self.brook.bootstrap, "linger.ms": 5})
        for i, v in enumerate(values):
            p.produce(topic, value=v.encode(), key=keys[i].encode() if keys else None)
        self.assertEqual(p.flush(DEADLINE_S), 0)

    def test_insert_with_auto_create_and_kafka_keys(self):
        t, name = unique("jobs"), unique("jobs")
        rows = [{"id": i, "repo": f"git@example.com:r{i}.git", "ok": i % 2 == 0, "size": i * 1.5,
                 "meta": {"tags": ["a", "b"]}} for i in range(20)]
        self.produce(t, [json.dumps(r) for r in rows])
        self.connector(name, topics=t, **{"auto.create": "true", "pk.mode": "kafka"})
        wait_until(lambda: self.committed(name, t) == 20, "20 rows")
        got = self.pg.query(f'SELECT id, repo, ok, size, meta, __connect_offset FROM "{t}" '
                            "ORDER BY __connect_offset")
        self.assertEqual([(g[0], g[1], g[2], g[3], g[4]) for g in got],
                         [(r["id"], r["repo"], r["ok"], r["size"], r["meta"]) for r in rows])
        self.assertEqual([g[5] for g in got], list(range(20)))
        types = dict(self.pg.query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
            (t,)))
        self.assertEqual((types["id"], types["ok"], types["size"], types["meta"]),
                         ("bigint", "boolean", "double precision", "jsonb"))
        offsets = self.pg.query("SELECT next_offset FROM __brook_connect_offsets "
                                "WHERE connector = %s AND topic = %s", (name, t))
        self.assertEqual(offsets, [(20,)])

    def test_upsert_by_a_value_field_keeps_the_latest(self):
        t, name = unique("status"), unique("upsert")
        self.pg.query(f'CREATE TABLE "{t}" (job text PRIMARY KEY, state text, n bigint)')
        updates = [("j1", "queued"), ("j2", "queued"), ("j1", "running"), ("j1", "done"),
                   ("j2", "failed")]
        self.produce(t, [json.dumps({"job": j, "state": s, "n": i})
                         for i, (j, s) in enumerate(updates)])
        self.connector(name, topics=t, **{"insert.mode": "upsert", "pk.mode": "record_value",
                                          "pk.fields": "job"})
        wait_until(lambda: self.committed(name, t) == 5, "the updates")
        self.assertEqual(self.pg.query(f'SELECT job, state, n FROM "{t}" ORDER BY job'),
                         [("j1", "done", 3), ("j2", "failed", 4)])

    def test_jsonb_mode_for_schemaless_records(self):
        t, name = unique("events"), unique("jsonb")
        values = [{"a": 1}, [1, 2], "just a string", {"nested": {"x": None}}]
        self.produce(t, [json.dumps(v) for v in values])
        self.connector(name, topics=t, **{"value.mode": "jsonb", "auto.create": "true",
                                          "table.name.format": "raw_${topic}"})
        wait_until(lambda: self.committed(name, t) == 4, "4 rows")
        self.assertEqual([r[0] for r in self.pg.query(f'SELECT value FROM "raw_{t}"')], values)

    def test_bad_destinations_and_records(self):
        t = unique("bad")
        self.produce(t, ['{"a":1}', "not json", '{"a":2}'])
        fast = {"errors.retry.timeout": "1000", "errors.retry.delay.max.ms": "200", "topics": t}
        wrong_columns = unique("wrong")
        self.pg.query(f'CREATE TABLE "{wrong_columns}" (b text)')
        cases = [
            (unique("badpw"), {"connection.password": "wrong"}, "password authentication failed"),
            (unique("deadpg"), {"connection.url": "postgresql://127.0.0.1:1/postgres"},
             "cannot connect"),
            (unique("cols"), {"table.name.format": wrong_columns, "errors.tolerance": "all"},
             "column"),
            (unique("notable"), {"table.name.format": unique("missing"), "errors.tolerance": "all"},
             "does not exist"),
        ]
        for name, config, words in cases:
            self.connector(name, **dict(fast, **config))
        for name, config, words in cases:
            wait_until(lambda: self.status(name)["tasks"][0]["state"] == "FAILED", f"{name} FAILED")
            self.assertIn(words, self.status(name)["tasks"][0]["trace"])
            self.assertEqual(self.committed(name, t), 0)
        self.assertEqual(self.pg.query(f'SELECT count(*) FROM "{wrong_columns}"'), [(0,)])
        # The broker carries on; a tolerant sink skips the bad record.
        name, dlq = unique("tolerant"), unique("dlq")
        self.connector(name, **dict(fast, **{"auto.create": "true", "errors.tolerance": "all",
                                             "errors.deadletterqueue.topic.name": dlq,
                                             "table.name.format": "good_${topic}"}))
        wait_until(lambda: self.committed(name, t) == 3, "the good records")
        self.assertEqual(self.pg.query(f'SELECT a FROM "good_{t}" ORDER BY a'), [(1,), (2,)])
        self.assertEqual(self.status(name)["records_dead_lettered"], 1)
        r = requests.get(f"{self.brook.http_url}/connectors/{name}/config", timeout=DEADLINE_S)
        self.assertEqual(r.json()["connection.password"], "[hidden]")

    def test_a_bad_row_deep_in_a_large_batch_writes_nothing_of_it(self):
        """The rows go up pipelined, a thousand per round trip: a row the table refuses
        after the first thousand still leaves the whole batch out (one transaction), and
        its error is the one reported."""
        t, name = unique("deep"), unique("deep")
        self.pg.query(f'CREATE TABLE "{t}" (n bigint)')
        values = [json.dumps({"n": i}) for i in range(2500)]
        values[2100] = json.dumps({"n": "not a number"})
        self.produce(t, values)
        self.connector(name, topics=t, **{"errors.retry.timeout": "1500",
                                          "errors.retry.delay.max.ms": "200",
                                          "batch.size": "3000"})
        wait_until(lambda: self.status(name)["tasks"][0]["state"] == "FAILED", "FAILED")
        self.assertIn("invalid input syntax for type bigint", self.status(name)["tasks"][0]["trace"])
        self.assertEqual(self.pg.query(f'SELECT count(*) FROM "{t}"'), [(0,)])
        self.assertEqual(self.committed(name, t), 0)
        # Fixed in the table (the column takes text now), a restart writes all of it once.
        self.pg.query(f'ALTER TABLE "{t}" ALTER COLUMN n TYPE text')
        r = requests.post(f"{self.brook.http_url}/connectors/{name}/restart", timeout=DEADLINE_S)
        self.assertEqual(r.status_code, 204, r.text)
        wait_until(lambda: self.committed(name, t) == 2500, "all committed after the restart")
        self.assertEqual(self.pg.query(f'SELECT count(*), count(DISTINCT n) FROM "{t}"'),
                         [(2500, 2500)])


class PostgresSinkDurabilityTest(unittest.TestCase):
    """SIGKILLs of brook serve while the sink writes: rows = records, no duplicates (the
    table has no key: a duplicate would show)."""

    def test_sigkill_while_writing(self):
        pg = Postgres()
        self.addCleanup(pg.stop)
        brook = BrookServer().start()
        self.addCleanup(brook.__exit__, None, None, None)
        topic = unique("rows")
        r = requests.post(brook.http_url + "/connectors", timeout=DEADLINE_S, json={
            "name": "rows", "config": {
                "connector.class": JDBC, "topics": topic, "connection.url": pg.url,
                "connection.user": "brook", "connection.password": pg.password,
                "auto.create": "true", "batch.size": "50", "offset.flush.interval.ms": "50"}})
        self.assertEqual(r.status_code, 201, r.text)
        total, per_round = 0, 500
        for _ in range(4):
            p = Producer({"bootstrap.servers": brook.bootstrap, "linger.ms": 5})
            for i in range(total, total + per_round):
                p.produce(topic, value=json.dumps({"n": i}).encode())
            self.assertEqual(p.flush(DEADLINE_S), 0)
            del p
            target = total + 50

            def rows_now():
                try:
                    return pg.query(f'SELECT count(*) FROM "{topic}"')[0][0]
                except psycopg2.Error:
                    return 0
            wait_until(lambda: rows_now() >= target, "the sink to be writing this round")
            total += per_round
            brook.restart(kill=True)
        wait_until(lambda: pg.query(f'SELECT count(*) FROM "{topic}"')[0][0] == total,
                   "every row after the last restart")
        ns = [r[0] for r in pg.query(f'SELECT n FROM "{topic}" ORDER BY n')]
        self.assertEqual(ns, list(range(total)))
        brook.check_clean_exit(brook.stop())


if __name__ == "__main__":
    unittest.main()
