#!/usr/bin/python3
"""The audit topic (_brook_audit) and the failed-login limits, against a real `brook serve`
with SASL and HTTP Basic logins.

Every login on the Kafka port (SCRAM, PLAIN) and on HTTP (Basic), successful or not, and
every refused request (a produce without WRITE, an HTTP read without READ) is one JSON
record on the audit topic, read back with confluent-kafka by the admin and by a user
granted READ on it (another user is refused). What lists merely leave out (Metadata of all
topics) is not a denial. No password is ever in a record. Records survive SIGKILL. Past
security.failed_login_limit_per_address failures, further logins from the address are
refused unchecked, the right password too (SASL_AUTHENTICATION_FAILED, HTTP 429 with
Retry-After), once audited as rate_limited; the per-user limit refuses that user name from
any address."""

import json
import os
import struct
import subprocess
import sys
import time
import unittest

import requests
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import DEADLINE_S, ServerTestCase, unique, wait_until  # noqa: E402
from kafka_wire import Conn  # noqa: E402
from sasl_test import Scram, authenticate, handshake  # noqa: E402

ADMIN_PASSWORD = "admin-secret-" + os.urandom(6).hex()
LISTENERS = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0"
AUDIT = "_brook_audit"
SASL_AUTHENTICATION_FAILED = 58
MECHANISMS = ["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN", "OAUTHBEARER"]  # the default


def scram(conn, user, password, mechanism="SCRAM-SHA-512"):
    """A SCRAM exchange; the error code of its last step (0: logged in), None if closed."""
    assert handshake(conn, mechanism) == (0, MECHANISMS)
    s = Scram(mechanism, user, password)
    first = authenticate(conn, s.first())
    if first is None or first[0] != 0:
        return None if first is None else first[0]
    final = authenticate(conn, s.final(first[2]))
    return None if final is None else final[0]


class AuditTestCase(ServerTestCase):
    limits = ("--failed-login-limit-per-address", "1000", "--failed-login-limit-per-user",
              "1000")

    @classmethod
    def setUpClass(cls):
        cls.server_args = ("--listeners", LISTENERS, *cls.limits)
        cls.server_env = dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD)
        super().setUpClass()

    @property
    def sasl_port(self):
        return self.brook.listeners["SASL_PLAINTEXT"]

    def conn(self):
        c = Conn(self.sasl_port)
        self.addCleanup(c.close)
        return c

    @classmethod
    def brook_as_admin(cls, *args, stdin=None):
        env = dict(os.environ, BROOK_SASL_PASSWORD=ADMIN_PASSWORD)
        p = subprocess.run(
            [os.environ["BROOK_BIN"], *args, "--bootstrap",
             f"127.0.0.1:{cls.brook.listeners['SASL_PLAINTEXT']}", "--sasl-mechanism",
             "SCRAM-SHA-512", "--sasl-username", "admin"],
            input=stdin, capture_output=True, text=True, timeout=DEADLINE_S, env=env)
        assert p.returncode == 0, p.stdout + p.stderr
        return p.stdout

    def config(self, user="admin", password=ADMIN_PASSWORD):
        return {"bootstrap.servers": f"127.0.0.1:{self.sasl_port}",
                "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "SCRAM-SHA-512",
                "sasl.username": user, "sasl.password": password}

    def audit_records(self, user="admin", password=ADMIN_PASSWORD, config=None):
        """Every record of the audit topic now, read by `user` (or with `config`), as
        parsed JSON."""
        c = Consumer(dict(config or self.config(user, password),
                          **{"group.id": unique("audit"), "enable.auto.commit": False}))
        try:
            _, high = c.get_watermark_offsets(TopicPartition(AUDIT, 0), timeout=DEADLINE_S)
            c.assign([TopicPartition(AUDIT, 0, 0)])
            out = []
            deadline = time.monotonic() + DEADLINE_S
            while len(out) < high and time.monotonic() < deadline:
                m = c.poll(0.5)
                if m is None:
                    continue
                if m.error():
                    raise KafkaException(m.error())
                out.append(json.loads(m.value()))
            return out
        finally:
            c.close()

    def wait_for_record(self, matches, what):
        """The first audit record for which `matches` is true, waiting for it to arrive."""
        found = []

        def look():
            found[:] = [r for r in self.audit_records() if matches(r)]
            return bool(found)

        wait_until(look, what, interval=0.2)
        return found[0]

    def add_user(self, name, password):
        self.brook_as_admin("user", "add", name, "--password-stdin", stdin=password + "\n")


class AuditTopicTest(AuditTestCase):
    def test_sasl_logins_are_audited_without_their_passwords(self):
        user = unique("alice")
        password = "pw-" + os.urandom(6).hex()
        self.add_user(user, password)
        self.assertEqual(scram(self.conn(), user, "wrong-" + password), SASL_AUTHENTICATION_FAILED)
        self.assertEqual(scram(self.conn(), user, password), 0)
        failure = self.wait_for_record(
            lambda r: r.get("user") == user and r["outcome"] == "failure", "the failed login")
        self.assertEqual(failure["event"], "authentication")
        self.assertEqual(failure["listener"], "SASL_PLAINTEXT")
        self.assertEqual(failure["client"], "127.0.0.1")
        self.assertEqual(failure["mechanism"], "SCRAM-SHA-512")
        self.assertTrue(failure["reason"])
        self.assertRegex(failure["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        success = self.wait_for_record(
            lambda r: r.get("principal") == f"User:{user}" and r["outcome"] == "success",
            "the successful login")
        self.assertEqual(success["mechanism"], "SCRAM-SHA-512")
        everything = json.dumps(self.audit_records())
        self.assertNotIn(password, everything)
        self.assertNotIn(ADMIN_PASSWORD, everything)

    def test_http_basic_logins_are_audited_once_per_connection(self):
        user = unique("hugo")
        password = "pw-" + os.urandom(6).hex()
        self.add_user(user, password)
        url = f"http://127.0.0.1:{self.brook.http_port}"
        with requests.Session() as s:
            s.trust_env = False
            self.assertEqual(s.get(url + "/topics", auth=(user, "nope")).status_code, 401)
            for _ in range(3):  # one keep-alive connection
                self.assertEqual(s.get(url + "/topics", auth=(user, password)).status_code, 200)
        failure = self.wait_for_record(
            lambda r: r.get("user") == user and r["outcome"] == "failure", "the HTTP failure")
        self.assertEqual((failure["listener"], failure["mechanism"]), ("http", "basic"))
        self.wait_for_record(lambda r: r.get("principal") == f"User:{user}", "the HTTP login")
        logins = [r for r in self.audit_records() if r.get("principal") == f"User:{user}"
                  and r["outcome"] == "success"]
        self.assertEqual(len(logins), 1, logins)
        self.assertNotIn(password, json.dumps(self.audit_records()))

    def test_refused_requests_are_audited_and_left_out_topics_are_not(self):
        user = unique("bob")
        password = "pw-" + os.urandom(6).hex()
        self.add_user(user, password)
        topic = unique("secret")
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient(self.config())
        admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(timeout=DEADLINE_S)
        p = Producer(dict(self.config(user, password), **{"message.timeout.ms": 5000}))
        errors = []
        p.produce(topic, b"x", on_delivery=lambda e, m: errors.append(e))
        p.flush(DEADLINE_S)
        self.assertEqual(errors[0].code(), KafkaError.TOPIC_AUTHORIZATION_FAILED)
        denial = self.wait_for_record(
            lambda r: r["event"] == "authorization" and r.get("principal") == f"User:{user}"
            and r.get("resource", {}).get("name") == topic, "the produce denial")
        self.assertEqual(denial["outcome"], "denied")
        self.assertIn(denial["operation"], ("WRITE", "DESCRIBE"))
        self.assertEqual(denial["resource"]["type"], "TOPIC")
        self.assertEqual(denial["client"], "127.0.0.1")
        # HTTP: a read refused.
        r = requests.get(f"http://127.0.0.1:{self.brook.http_port}/topics/{topic}",
                         auth=(user, password), timeout=DEADLINE_S)
        self.assertEqual(r.status_code, 403)
        # Metadata of all topics leaves `topic` out: not a denial. The log keeps the order
        # events happen in, so once a failed login made after a request is stored, every
        # record of that request is stored too.
        def denials_after_a_marker():
            marker = unique("marker")
            r = requests.get(f"http://127.0.0.1:{self.brook.http_port}/topics",
                             auth=(marker, "nope"), timeout=DEADLINE_S)
            self.assertEqual(r.status_code, 401)
            self.wait_for_record(lambda x: x.get("user") == marker, "the marker")
            return len([x for x in self.audit_records() if x.get("principal") == f"User:{user}"
                        and x["event"] == "authorization"])
        before = denials_after_a_marker()
        listing = Producer(self.config(user, password))  # no group: Metadata alone
        self.assertNotIn(topic, listing.list_topics(timeout=DEADLINE_S).topics)
        listing.flush(DEADLINE_S)
        self.assertEqual(before, denials_after_a_marker())

    def test_a_user_granted_read_can_consume_the_audit_topic_and_others_cannot(self):
        reader, other = unique("auditor"), unique("carol")
        for u in (reader, other):
            self.add_user(u, "pw-" + u)
        self.brook_as_admin("acl", "add", "--allow", f"User:{reader}", "--operation", "READ",
                            "--topic", AUDIT)
        self.brook_as_admin("acl", "add", "--allow", f"User:{reader}", "--operation", "READ",
                            "--group", "*")
        self.assertTrue(any(r.get("principal") == "User:admin"
                            for r in self.audit_records(reader, "pw-" + reader)))
        # Without DESCRIBE the topic is not even shown to the client.
        with self.assertRaises(KafkaException) as refused:
            self.audit_records(other, "pw-" + other)
        self.assertIn(refused.exception.args[0].code(),
                      (KafkaError.TOPIC_AUTHORIZATION_FAILED, KafkaError._UNKNOWN_PARTITION))

    def test_audit_records_survive_sigkill(self):
        user = unique("kill")
        self.assertEqual(scram(self.conn(), user, "nope"), SASL_AUTHENTICATION_FAILED)
        self.wait_for_record(lambda r: r.get("user") == user, "the failure before the kill")
        self.brook.restart(kill=True)
        self.assertTrue(any(r.get("user") == user for r in self.audit_records()))


class FailedLoginLimitTest(AuditTestCase):
    limits = ("--failed-login-limit-per-address", "5", "--failed-login-limit-per-user", "0",
              "--failed-login-window-ms", "60000")

    def test_the_address_limit_refuses_even_the_right_password_and_is_audited_once(self):
        # The records are read over the PLAINTEXT listener, as User:ANONYMOUS: this address
        # may not log in once the limit holds.
        for args in (("--topic", AUDIT), ("--group", "*")):
            self.brook_as_admin("acl", "add", "--allow", "User:ANONYMOUS", "--operation",
                                "READ", *args)
        anonymous = {"bootstrap.servers": f"127.0.0.1:{self.brook.listeners['PLAINTEXT']}"}
        for _ in range(5):
            self.assertEqual(scram(self.conn(), "admin", "wrong"), SASL_AUTHENTICATION_FAILED)
        for _ in range(3):  # refused unchecked: the right password too
            self.assertEqual(scram(self.conn(), "admin", ADMIN_PASSWORD),
                             SASL_AUTHENTICATION_FAILED)
        r = requests.get(f"http://127.0.0.1:{self.brook.http_port}/topics",
                         auth=("admin", ADMIN_PASSWORD), timeout=DEADLINE_S)
        self.assertEqual(r.status_code, 429, r.text)
        self.assertEqual(r.json()["error_code"], 42901)
        self.assertEqual(r.headers["Retry-After"], "60")
        self.assertIn("too many failed logins from 127.0.0.1", r.json()["message"])

        def limited():
            return [x for x in self.audit_records(config=anonymous)
                    if x["outcome"] == "rate_limited"]

        wait_until(limited, "the rate_limited record", interval=0.2)
        records = limited()
        self.assertEqual(len(records), 1, records)  # once per window, not per attempt
        self.assertEqual(records[0]["client"], "127.0.0.1")
        self.assertIn("too many failed logins", records[0]["reason"])
        failures = [x for x in self.audit_records(config=anonymous)
                    if x["outcome"] == "failure" and x.get("user") == "admin"]
        self.assertEqual(len(failures), 5, failures)  # refused attempts are not failures


if __name__ == "__main__":
    unittest.main()
