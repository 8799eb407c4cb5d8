#!/usr/bin/python3
"""The agent registry (doc/registry.md) against a real `brook serve` with a SASL listener
(so logins and ACLs apply): agents registered with curl, each connecting with
confluent-kafka and kcat using only what its answer gave it, producing to and consuming
from its own topic, refused on another agent's topic and on creating topics; the
registration event is each topic's first record; an Idempotency-Key's retry gives the same
agent (with new credentials, the old ones revoked); deletion revokes access; bad
registrations make nothing.

$BROOK_BIN is set by ctest."""

import base64
import json
import os
import re
import subprocess
import sys
import unittest

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, ServerTestCase, unique, wait_until  # noqa: E402

ADMIN_PASSWORD = "admin-" + os.urandom(6).hex()
LISTENERS = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0"
NAME = re.compile(r"^[a-z]{3,7}-[a-z]{3,7}-[a-z]{3,7}$")


def ec_public_pem():
    """A P-256 public key's PEM: a public key, but not an Ed25519 one."""
    return ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


class RegistryTest(ServerTestCase):
    server_args = ("--listeners", LISTENERS, "--group-initial-rebalance-delay-ms", "0")
    server_env = dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sasl = f"127.0.0.1:{cls.brook.listeners['SASL_PLAINTEXT']}"

    def curl(self, method, path, body=None, user="admin", password=ADMIN_PASSWORD, headers=()):
        """curl as a user would run it; (status, parsed body or None)."""
        args = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-X", method,
                "-u", f"{user}:{password}", self.brook.http_url + path]
        for h in headers:
            args += ["-H", h]
        if body is not None:
            args += ["-H", "Content-Type: application/json", "--data-binary",
                     body if isinstance(body, str) else json.dumps(body)]
        out = subprocess.run(args, capture_output=True, text=True, timeout=DEADLINE_S, check=True)
        text, _, status = out.stdout.rpartition("\n")
        return int(status), (json.loads(text) if text.strip() else None)

    def register(self, name, **fields):
        status, body = self.curl("POST", "/v1/agents", dict(name=name, **fields))
        self.assertEqual(status, 201, body)
        return body

    def client(self, agent, **extra):
        return dict({"bootstrap.servers": self.sasl, "security.protocol": "SASL_PLAINTEXT",
                     "sasl.mechanisms": agent["sasl_mechanism"],
                     "sasl.username": agent["username"], "sasl.password": agent["password"]},
                    **extra)

    def produce(self, agent, topic, values):
        """The delivery errors (None for each record written); a refused login gives up
        after 5 s."""
        errors = []
        p = Producer(self.client(agent, **{"linger.ms": 5, "message.timeout.ms": 5000}))
        for v in values:
            p.produce(topic, value=v.encode(), on_delivery=lambda err, msg: errors.append(err))
        p.flush(DEADLINE_S)
        return errors

    def consume(self, agent, topic, count):
        c = Consumer(self.client(agent, **{"group.id": agent["group_prefix"] + "readers",
                                           "auto.offset.reset": "earliest"}))
        c.subscribe([topic])
        out = []
        try:
            wait_until(lambda: len(out) >= count or bool(out.extend(
                m.value().decode() for m in c.consume(10, 0.2) if not m.error())),
                f"{count} records of {topic}")
        finally:
            c.close()
        return out

    def test_three_agents_each_on_its_own_topic_and_nothing_else(self):
        agents = [self.register(f"example agent {i}", metadata={"n": i}) for i in range(3)]
        topics = [a["topic"] for a in agents]
        self.assertEqual(len(set(topics)), 3)
        for a in agents:
            self.assertRegex(a["topic"], NAME)
            self.assertEqual(a["principal"], "User:" + a["username"])
            self.assertEqual(a["owner"], "User:admin")
            self.assertEqual(a["state"], "active")
        for i, a in enumerate(agents):
            self.assertEqual(self.produce(a, a["topic"], [f"hello {i}", f"bye {i}"]), [None, None])
            got = self.consume(a, a["topic"], 3)
            event = json.loads(got[0])
            self.assertEqual((event["type"], event["agent"], event["name"], event["topic"]),
                             ("agent_registered", a["id"], f"example agent {i}", a["topic"]))
            self.assertEqual(got[1:3], [f"hello {i}", f"bye {i}"])
            # Another agent's topic: refused.
            other = topics[(i + 1) % 3]
            errors = self.produce(a, other, ["intruder"])
            self.assertEqual(errors[0].code(), KafkaError.TOPIC_AUTHORIZATION_FAILED, errors)
            # Creating topics: refused.
            admin = AdminClient(self.client(a))
            futures = admin.create_topics([NewTopic(unique("mine"), 1, 1)])
            with self.assertRaises(KafkaException) as refused:
                list(futures.values())[0].result(DEADLINE_S)
            self.assertEqual(refused.exception.args[0].code(), KafkaError.TOPIC_AUTHORIZATION_FAILED)
        # kcat, with what the answer gave, reads its own topic from the start.
        a = agents[0]
        out = subprocess.run(
            ["kcat", "-C", "-b", self.sasl, "-t", a["topic"], "-e", "-q", "-f", "%s\\n",
             "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-512",
             "-X", f"sasl.username={a['username']}", "-X", f"sasl.password={a['password']}"],
            capture_output=True, text=True, timeout=DEADLINE_S)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertEqual(json.loads(lines[0])["type"], "agent_registered")
        self.assertEqual(lines[1:], ["hello 0", "bye 0"])
        # The owner lists them and reads each.
        status, listed = self.curl("GET", "/v1/agents?limit=1000")
        self.assertEqual(status, 200, listed)
        self.assertTrue({a["id"] for a in agents} <= {x["id"] for x in listed["agents"]})
        self.assertTrue(all("password" not in x for x in listed["agents"]))
        status, one = self.curl("GET", f"/v1/agents/{agents[1]['id']}")
        self.assertEqual((status, one["topic"], one["metadata"]), (200, topics[1], {"n": 1}))

    def test_a_retry_with_the_same_key_gives_the_same_agent(self):
        key = "Idempotency-Key: " + unique("key")
        status, first = self.curl("POST", "/v1/agents", {"name": "retried"}, headers=[key])
        self.assertEqual(status, 201, first)
        status, again = self.curl("POST", "/v1/agents", {"name": "retried"}, headers=[key])
        self.assertEqual(status, 200, again)
        self.assertEqual((again["id"], again["topic"]), (first["id"], first["topic"]))
        self.assertNotEqual(again["password"], first["password"])
        # The first password no longer logs in; the new one does.
        errors = self.produce(first, first["topic"], ["old password"])
        self.assertIsNotNone(errors[0])
        self.assertEqual(self.produce(again, first["topic"], ["new password"]), [None])

    def test_patch_rotate_disable_enable(self):
        a = self.register("changing", retention_ms=3600000)
        aid = a["id"]
        status, patched = self.curl("PATCH", f"/v1/agents/{aid}",
                                    {"name": "changed", "metadata": {"v": 2},
                                     "retention_ms": 7200000})
        self.assertEqual(status, 200, patched)
        self.assertEqual((patched["name"], patched["metadata"], patched["retention_ms"]),
                         ("changed", {"v": 2}, 7200000))
        admin = AdminClient({"bootstrap.servers": self.sasl, "security.protocol": "SASL_PLAINTEXT",
                             "sasl.mechanisms": "SCRAM-SHA-256", "sasl.username": "admin",
                             "sasl.password": ADMIN_PASSWORD})
        configs = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, a["topic"])])
        entries = list(configs.values())[0].result(DEADLINE_S)
        self.assertEqual(entries["retention.ms"].value, "7200000")
        for body, words in (({"colour": "x"}, "unknown field"), ({"name": ""}, "name must be"),
                            ({"retention_ms": 3}, "retention_ms")):
            status, answer = self.curl("PATCH", f"/v1/agents/{aid}", body)
            self.assertEqual(status, 400, answer)
            self.assertIn(words, answer["message"])
        # Rotation: the new password works, the old one no longer logs in.
        status, rotated = self.curl("POST", f"/v1/agents/{aid}/credentials:rotate")
        self.assertEqual(status, 200, rotated)
        self.assertIsNotNone(self.produce(a, a["topic"], ["old"])[0])
        self.assertEqual(self.produce(rotated, a["topic"], ["new"]), [None])
        # Disabled: no login; the topic and its records stay; rotation refused.
        status, disabled = self.curl("POST", f"/v1/agents/{aid}:disable")
        self.assertEqual((status, disabled["state"]), (200, "disabled"))
        self.assertIsNotNone(self.produce(rotated, a["topic"], ["while disabled"])[0])
        status, answer = self.curl("POST", f"/v1/agents/{aid}/credentials:rotate")
        self.assertEqual(status, 409, answer)
        # Enabled again, with new credentials, reading what was written before.
        status, enabled = self.curl("POST", f"/v1/agents/{aid}:enable")
        self.assertEqual((status, enabled["state"]), (200, "active"))
        got = self.consume(enabled, a["topic"], 2)
        self.assertEqual(got[1], "new")
        status, answer = self.curl("POST", "/v1/agents/nosuchagent:disable")
        self.assertEqual(status, 404, answer)

    def test_rotation_closes_a_connection_logged_in_with_the_old_password(self):
        a = self.register("long-lived")
        errors = []
        p = Producer(self.client(a, **{"linger.ms": 0, "message.timeout.ms": 5000}))
        p.produce(a["topic"], b"before", on_delivery=lambda err, msg: errors.append(err))
        p.flush(DEADLINE_S)
        self.assertEqual(errors, [None])
        status, rotated = self.curl("POST", f"/v1/agents/{a['id']}/credentials:rotate")
        self.assertEqual(status, 200, rotated)
        # The same producer, its connection open and logged in before the rotation: its next
        # request closes the connection, and logging in again with the old password fails.
        p.produce(a["topic"], b"after", on_delivery=lambda err, msg: errors.append(err))
        p.flush(DEADLINE_S)
        self.assertEqual(len(errors), 2)
        self.assertIsNotNone(errors[1])
        self.assertTrue(any(f"connection of {a['principal']}" in line and
                            "its credentials changed" in line for line in self.brook.log_lines))
        self.assertEqual(self.produce(rotated, a["topic"], ["new"]), [None])

    def test_deletion_revokes_access(self):
        a = self.register("short-lived")
        self.assertEqual(self.produce(a, a["topic"], ["before"]), [None])
        status, _ = self.curl("DELETE", f"/v1/agents/{a['id']}?delete_topic=true")
        self.assertEqual(status, 204)
        self.assertIsNotNone(self.produce(a, a["topic"], ["after"])[0])
        status, body = self.curl("GET", f"/v1/agents/{a['id']}")
        self.assertEqual(status, 404, body)

    def test_other_owners_agents_are_not_theirs(self):
        a = self.register("admin's")
        # A user of the Kafka port, added by the admin.
        user, password = unique("bob"), "pw-" + os.urandom(6).hex()
        subprocess.run([os.environ["BROOK_BIN"], "user", "add", user, "--password-stdin",
                        "--bootstrap", self.sasl, "--sasl-mechanism", "SCRAM-SHA-256",
                        "--sasl-username", "admin"], input=password + "\n", text=True,
                       env=dict(os.environ, BROOK_SASL_PASSWORD=ADMIN_PASSWORD), check=True,
                       capture_output=True, timeout=DEADLINE_S)
        status, body = self.curl("GET", f"/v1/agents/{a['id']}", user=user, password=password)
        self.assertEqual(status, 404, body)
        status, body = self.curl("DELETE", f"/v1/agents/{a['id']}", user=user, password=password)
        self.assertEqual(status, 404, body)
        status, body = self.curl("GET", "/v1/agents", user=user, password=password)
        self.assertEqual((status, body["agents"]), (200, []))
        status, mine = self.curl("POST", "/v1/agents", {"name": "bob's"}, user=user,
                                 password=password)
        self.assertEqual((status, mine["owner"]), (201, f"User:{user}"))

    def brook_agent(self, *args, expect=0, user="admin", password=ADMIN_PASSWORD):
        """`brook agent ...` as the owner; its stdout."""
        env = dict(os.environ, BROOK_URL=self.brook.http_url, BROOK_HTTP_USER=user,
                   BROOK_HTTP_PASSWORD=password, BROOK_BOOTSTRAP=self.sasl)
        out = subprocess.run([os.environ["BROOK_BIN"], "agent", *args], capture_output=True,
                             text=True, timeout=DEADLINE_S, env=env)
        self.assertEqual(out.returncode, expect, out.stdout + out.stderr)
        return out.stdout if expect == 0 else out.stderr

    def test_brook_agent_commands_and_the_settings_they_print(self):
        text = self.brook_agent("register", "cli agent", "--partitions", "2",
                                "--metadata", '{"team":"red"}', "--retention-ms", "3600000")
        agent_id = re.search(r"^agent ([0-9a-f]{16}) \"cli agent\" \(active\)$", text, re.M)[1]
        topic = re.search(r"^  topic +([a-z-]+) \(2 partitions, retention.ms 3600000\)$", text,
                          re.M)[1]
        self.assertRegex(topic, NAME)
        # The printed kcat command, run as printed, produces as the agent.
        kcat = re.search(r"^  (kcat .*\\\n.*-P)$", text, re.M)[1].replace("\\\n", " ")
        out = subprocess.run(kcat, shell=True, input="from kcat\n", capture_output=True,
                             text=True, timeout=DEADLINE_S)
        self.assertEqual(out.returncode, 0, out.stderr)
        # The printed confluent-kafka settings read it back.
        conf = json.loads(re.search(r"^  conf = (\{.*\})$", text, re.M)[1])
        self.assertEqual(conf["bootstrap.servers"], self.sasl)
        agent = {"sasl_mechanism": conf["sasl.mechanisms"], "username": conf["sasl.username"],
                 "password": conf["sasl.password"], "group_prefix": topic + "."}
        got = self.consume(agent, topic, 2)  # two partitions: in either order
        self.assertEqual(sorted(got, key=lambda v: v.startswith("{"))[0], "from kcat")
        self.assertEqual(json.loads(max(got, key=lambda v: v.startswith("{")))["agent"], agent_id)

        listed = self.brook_agent("list")
        self.assertRegex(listed, rf"(?m)^{agent_id} +cli agent +{topic} +active +User:admin$")
        self.assertIn(agent_id, [a["id"] for a in json.loads(self.brook_agent("list", "--json"))])
        shown = json.loads(self.brook_agent("show", agent_id, "--json"))
        self.assertEqual((shown["topic"], shown["metadata"]), (topic, {"team": "red"}))
        self.assertNotIn("password", shown)
        updated = self.brook_agent("update", agent_id, "--name", "renamed", "--retention-ms",
                                   "default")
        self.assertIn(f'agent {agent_id} "renamed" (active)', updated)
        self.assertIn("retention.ms the broker's default", updated)

        rotated = self.brook_agent("rotate", agent_id)
        new_password = re.search(r"^password: (\S+)$", rotated, re.M)[1]
        self.assertNotEqual(new_password, agent["password"])
        self.assertIsNotNone(self.produce(agent, topic, ["old password"])[0])
        self.assertIn("(disabled)", self.brook_agent("disable", agent_id))
        self.assertIn("is disabled", self.brook_agent("rotate", agent_id, expect=1))
        enabled = self.brook_agent("enable", agent_id)
        agent["password"] = re.search(r"^password: (\S+)$", enabled, re.M)[1]
        self.assertEqual(self.produce(agent, topic, ["back"]), [None])
        self.assertIn("topic deleted", self.brook_agent("delete", agent_id, "--delete-topic"))
        self.assertIn("not found. (HTTP 404)", self.brook_agent("show", agent_id, expect=1))
        # Bad arguments: exit 2, nothing sent.
        self.assertIn("--metadata must be a JSON object",
                      self.brook_agent("register", "x", "--metadata", "[1]", expect=2))
        self.assertIn("--retention-ms", self.brook_agent("update", "abc", "--retention-ms",
                                                         "soon", expect=2))
        self.assertIn("say what changes", self.brook_agent("update", "abc", expect=2))
        self.assertIn("401", self.brook_agent("list", password="wrong", expect=1))

    def test_registry_actions_and_agent_logins_are_audited(self):
        a = self.register("audited agent")
        self.assertEqual(self.produce(a, a["topic"], ["hi"]), [None])
        wrong = dict(a, password="not-" + a["password"])
        self.assertIsNotNone(self.produce(wrong, a["topic"], ["no"])[0])
        status, _ = self.curl("POST", f"/v1/agents/{a['id']}/credentials:rotate")
        self.assertEqual(status, 200)

        def logins():
            status, body = self.curl("GET", f"/v1/agents/{a['id']}/logins?since=0")
            self.assertEqual(status, 200, body)
            return body["logins"]
        wait_until(lambda: {r["outcome"] for r in logins()} >= {"success", "failure"},
                   "a login and a failed login of the agent")
        for r in logins():
            self.assertEqual(r["event"], "authentication")
            self.assertIn(a["username"], (r.get("user"), r.get("principal", "")[5:]))
            self.assertEqual(r["mechanism"], "SCRAM-SHA-512")
        status, body = self.curl("GET", f"/v1/agents/{a['id']}/logins?since=2999-01-01T00:00:00Z")
        self.assertEqual((status, body), (200, {"logins": []}))
        status, body = self.curl("GET", f"/v1/agents/{a['id']}/logins?limit=0")
        self.assertEqual(status, 400, body)
        # The registry's own records, on the audit topic as the admin reads it.
        admin = {"sasl_mechanism": "SCRAM-SHA-512", "username": "admin",
                 "password": ADMIN_PASSWORD, "group_prefix": unique("audit-reader") + "."}

        def registry_records():
            c = Consumer(self.client(admin, **{"group.id": admin["group_prefix"],
                                               "auto.offset.reset": "earliest"}))
            c.subscribe(["_brook_audit"])
            out = []
            try:
                while True:
                    batch = c.consume(100, 1.0)
                    if not batch:
                        return out
                    for m in batch:
                        if not m.error():
                            r = json.loads(m.value())
                            if r["event"] == "registry" and r["resource"]["name"] == a["id"]:
                                out.append((r["operation"], r["outcome"], r["principal"]))
            finally:
                c.close()
        wait_until(lambda: registry_records() == [("REGISTER", "success", "User:admin"),
                                                  ("ROTATE_CREDENTIALS", "success", "User:admin")],
                   "the registration and the rotation on the audit topic")

    def test_an_ed25519_public_key_is_taken_as_pem_or_base64(self):
        key = ed25519.Ed25519PrivateKey.generate().public_key()
        pem = key.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        raw = base64.b64encode(key.public_bytes(serialization.Encoding.Raw,
                                                serialization.PublicFormat.Raw)).decode()
        for given in (pem, raw):
            a = self.register("keyed agent", public_key=given)
            self.assertEqual(a["public_key"], given)

    def test_bad_registrations_make_nothing(self):
        status, before = self.curl("GET", "/v1/agents?limit=1000")
        cases = [
            ({}, "name is required"),
            ({"name": ""}, "name must be 1 to 200"),
            ({"name": "x" * 201}, "name must be 1 to 200"),
            ({"name": "ok", "partitions": 0}, "partitions must be 1 to 1000"),
            ({"name": "ok", "partitions": "2"}, "partitions must be an integer"),
            ({"name": "ok", "retention_ms": 5}, "retention_ms"),
            ({"name": "ok", "metadata": [1]}, "metadata must be a JSON object"),
            ({"name": "ok", "colour": "blue"}, "unknown field"),
            ({"name": "ok", "public_key": "not a key"}, "public_key: not an Ed25519 public key"),
            ({"name": "ok", "public_key": base64.b64encode(b"k" * 31).decode()}, "32 bytes"),
            ({"name": "ok", "public_key": ec_public_pem()}, "not an Ed25519 one"),
            ("[1, 2]", "JSON object"),
            ("{not json", "JSON object"),
        ]
        for body, words in cases:
            status, answer = self.curl("POST", "/v1/agents", body)
            self.assertEqual(status, 400, (body, answer))
            self.assertEqual(answer["error_code"], 400, answer)
            self.assertIn(words, answer["message"], body)
        status, after = self.curl("GET", "/v1/agents?limit=1000")
        self.assertEqual(len(after["agents"]), len(before["agents"]))
        status, answer = self.curl("POST", "/v1/agents", {"name": "ok"},
                                   headers=["Idempotency-Key: has space"])
        self.assertEqual(status, 400, answer)
        status, answer = self.curl("GET", "/v1/agents?limit=0")
        self.assertEqual(status, 400, answer)


if __name__ == "__main__":
    unittest.main(verbosity=2)
