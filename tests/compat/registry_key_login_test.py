#!/usr/bin/python3
"""An agent's key login (doc/registry.md, "Key login") against a real `brook serve` with a
SASL listener and HTTP logins: the agent registers an Ed25519 public key, asks for a
challenge (no other login needed), signs it with python3-cryptography and trades it for a
token that confluent-kafka uses as SASL OAUTHBEARER and curl as HTTP Bearer, on its own
topic only. A signature by the wrong key, an expired challenge, a replayed one and another
agent's are refused, and every answer is in the agent's logins (the audit topic). Rotating
the agent's credentials voids its tokens at once and ends the Kafka sessions they opened;
disabling it too. Bad input gets a clear error.

$BROOK_BIN is set by ctest."""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from confluent_kafka import Consumer, KafkaError, Producer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, ServerTestCase, wait_until  # noqa: E402

ADMIN_PASSWORD = "admin-" + os.urandom(6).hex()
LISTENERS = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0"
CHALLENGE_LIFETIME_MS = 8000  # long enough for a loaded CI machine to answer in time


def new_key():
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return key, pem


def sign(key, challenge):
    return base64.b64encode(key.sign(challenge.encode())).decode()


class KeyLoginTest(ServerTestCase):
    server_args = ("--listeners", LISTENERS, "--group-initial-rebalance-delay-ms", "0",
                   "--registry-challenge-lifetime-ms", str(CHALLENGE_LIFETIME_MS))
    server_env = dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sasl = f"127.0.0.1:{cls.brook.listeners['SASL_PLAINTEXT']}"

    def curl(self, method, path, body=None, auth=("admin", ADMIN_PASSWORD), bearer=None,
             raw=None):
        """curl as a user would run it; (status, parsed body or None). auth None: no login."""
        args = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-X", method,
                self.brook.http_url + path]
        if bearer is not None:
            args += ["-H", f"Authorization: Bearer {bearer}"]
        elif auth is not None:
            args += ["-u", f"{auth[0]}:{auth[1]}"]
        if body is not None or raw is not None:
            data = raw if raw is not None else json.dumps(body)
            args += ["-H", "Content-Type: application/json", "--data-binary", data]
        out = subprocess.run(args, capture_output=True, text=True, timeout=DEADLINE_S, check=True)
        text, _, status = out.stdout.rpartition("\n")
        return int(status), (json.loads(text) if text.strip() else None)

    def register(self, name, public_key=None):
        body = {"name": name}
        if public_key is not None:
            body["public_key"] = public_key
        status, agent = self.curl("POST", "/v1/agents", body)
        self.assertEqual(status, 201, agent)
        return agent

    def challenge(self, agent_id):
        status, body = self.curl("POST", f"/v1/agents/{agent_id}/challenge", auth=None)
        self.assertEqual(status, 200, body)
        return body["challenge"]

    def login(self, agent_id, key):
        """The whole key login, without any other credential: (status, body)."""
        c = self.challenge(agent_id)
        return self.curl("POST", f"/v1/agents/{agent_id}/token",
                         {"challenge": c, "signature": sign(key, c)}, auth=None)

    def token_client(self, token, **extra):
        return dict({"bootstrap.servers": self.sasl, "security.protocol": "SASL_PLAINTEXT",
                     "sasl.mechanisms": "OAUTHBEARER",
                     "oauth_cb": lambda _config: (token["access_token"],
                                                  time.time() + token["expires_in"])}, **extra)

    def produce(self, producer, topic, value):
        errors = []
        producer.produce(topic, value=value.encode(),
                         on_delivery=lambda err, msg: errors.append(err))
        producer.flush(DEADLINE_S)
        return errors

    def logins(self, agent, count):
        def enough():
            status, body = self.curl("GET", f"/v1/agents/{agent['id']}/logins")
            self.assertEqual(status, 200, body)
            mine = [e for e in body["logins"] if e["mechanism"] == "AGENT-KEY"]
            return mine if len(mine) >= count else None
        return wait_until(enough, f"{count} key logins of agent {agent['id']} in the audit")

    def test_a_token_from_the_key_works_as_oauthbearer_and_bearer_on_its_own_topic_only(self):
        key, pem = new_key()
        agent = self.register("key agent", pem)
        other = self.register("other agent")
        status, token = self.login(agent["id"], key)
        self.assertEqual(status, 200, token)
        self.assertEqual(token["token_type"], "Bearer")
        self.assertEqual(token["principal"], agent["principal"])
        self.assertEqual(token["sasl_mechanism"], "OAUTHBEARER")
        self.assertGreater(token["expires_in"], 60)

        p = Producer(self.token_client(token, **{"message.timeout.ms": 10000}))
        self.assertEqual(self.produce(p, agent["topic"], "signed in with my key"), [None])
        refused = self.produce(p, other["topic"], "intruder")
        self.assertEqual(refused[0].code(), KafkaError.TOPIC_AUTHORIZATION_FAILED)
        c = Consumer(self.token_client(token, **{"group.id": agent["group_prefix"] + "r",
                                                 "auto.offset.reset": "earliest"}))
        c.subscribe([agent["topic"]])
        got = []
        try:
            wait_until(lambda: len(got) >= 2 or bool(got.extend(
                m.value().decode() for m in c.consume(10, 0.2) if not m.error())),
                "the agent's records")
        finally:
            c.close()
        self.assertEqual(json.loads(got[0])["type"], "agent_registered")
        self.assertEqual(got[1], "signed in with my key")

        # The same token over HTTP: the REST Proxy, on its own topic and no other.
        status, body = self.curl("POST", f"/topics/{agent['topic']}",
                                 {"records": [{"value": {"over": "http"}}]},
                                 bearer=token["access_token"])
        self.assertEqual(status, 200, body)
        status, body = self.curl("POST", f"/topics/{other['topic']}",
                                 {"records": [{"value": {"over": "http"}}]},
                                 bearer=token["access_token"])
        self.assertEqual(status, 403, body)
        # A token with one byte changed is no token.
        forged = token["access_token"][:-2] + ("A" if token["access_token"][-2] != "A" else "B") \
            + token["access_token"][-1]
        status, _ = self.curl("GET", "/topics", bearer=forged)
        self.assertEqual(status, 401)
        [success] = self.logins(agent, 1)
        self.assertEqual((success["outcome"], success["principal"]), ("success", agent["principal"]))

    def test_wrong_key_expired_replayed_and_foreign_challenges_are_refused_and_audited(self):
        key, pem = new_key()
        agent = self.register("careful agent", pem)
        other_key, other_pem = new_key()
        other = self.register("another keyed agent", other_pem)

        c = self.challenge(agent["id"])
        status, body = self.curl("POST", f"/v1/agents/{agent['id']}/token",
                                 {"challenge": c, "signature": sign(other_key, c)}, auth=None)
        self.assertEqual((status, body["error_code"]), (401, 40101), body)
        self.assertIn("not the agent's key", body["message"])
        # The challenge was used up by the wrong answer: the right one comes too late.
        status, body = self.curl("POST", f"/v1/agents/{agent['id']}/token",
                                 {"challenge": c, "signature": sign(key, c)}, auth=None)
        self.assertEqual(status, 401, body)
        self.assertIn("used already", body["message"])

        # Replayed: a good answer works once.
        c = self.challenge(agent["id"])
        answer = {"challenge": c, "signature": sign(key, c)}
        status, _ = self.curl("POST", f"/v1/agents/{agent['id']}/token", answer, auth=None)
        self.assertEqual(status, 200)
        status, body = self.curl("POST", f"/v1/agents/{agent['id']}/token", answer, auth=None)
        self.assertEqual(status, 401, body)

        # Expired: the challenge lifetime (8 s here) passes before the answer. (Waiting
        # for the clock is the point here, not a synchronisation.)
        c = self.challenge(agent["id"])
        time.sleep(CHALLENGE_LIFETIME_MS / 1000 + 0.5)
        status, body = self.curl("POST", f"/v1/agents/{agent['id']}/token",
                                 {"challenge": c, "signature": sign(key, c)}, auth=None)
        self.assertEqual(status, 401, body)
        self.assertIn("expired", body["message"])

        # Another agent's challenge, rightly signed by that agent, is not this agent's login.
        c = self.challenge(other["id"])
        status, body = self.curl("POST", f"/v1/agents/{agent['id']}/token",
                                 {"challenge": c, "signature": sign(other_key, c)}, auth=None)
        self.assertEqual(status, 401, body)
        self.assertIn("another agent's", body["message"])

        # (Another agent's challenge is not this agent's login: not in its logins.)
        logins = self.logins(agent, 5)
        self.assertEqual([(e["outcome"], e.get("reason", "")[:20]) for e in logins], [
            ("failure", "the signature is not"), ("failure", "the challenge was us"),
            ("success", ""), ("failure", "the challenge was us"),
            ("failure", "the challenge expire")])
        self.assertTrue(all(e.get("user") == agent["username"] or
                            e.get("principal") == agent["principal"] for e in logins))

    def test_rotation_and_disabling_void_tokens_and_end_their_sessions(self):
        key, pem = new_key()
        agent = self.register("rotating agent", pem)
        status, token = self.login(agent["id"], key)
        self.assertEqual(status, 200, token)
        p = Producer(self.token_client(token, **{"message.timeout.ms": 5000}))
        self.assertEqual(self.produce(p, agent["topic"], "before"), [None])

        status, _ = self.curl("POST", f"/v1/agents/{agent['id']}/credentials:rotate")
        self.assertEqual(status, 200)
        # The token is void at once, over HTTP and for a new Kafka login...
        status, _ = self.curl("GET", "/topics", bearer=token["access_token"])
        self.assertEqual(status, 401)
        fresh = Producer(self.token_client(token, **{"message.timeout.ms": 3000}))
        self.assertIsNotNone(self.produce(fresh, agent["topic"], "stale token")[0])
        # ...and the session it opened ends: the open producer's next record is refused.
        self.assertIsNotNone(self.produce(p, agent["topic"], "after rotation")[0])
        # The key logs in again, with a new token.
        status, token = self.login(agent["id"], key)
        self.assertEqual(status, 200, token)
        status, _ = self.curl("GET", "/topics", bearer=token["access_token"])
        self.assertEqual(status, 200)

        status, _ = self.curl("POST", f"/v1/agents/{agent['id']}:disable")
        self.assertEqual(status, 200)
        status, _ = self.curl("GET", "/topics", bearer=token["access_token"])
        self.assertEqual(status, 401)
        status, body = self.curl("POST", f"/v1/agents/{agent['id']}/challenge", auth=None)
        self.assertEqual(status, 409, body)

    def test_brook_agent_login_and_the_documented_openssl_commands(self):
        key, pem = new_key()
        agent = self.register("terminal agent", pem)
        workdir = tempfile.mkdtemp(prefix="brook-key-login-")
        key_file = os.path.join(workdir, "agent.key")
        with open(key_file, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))

        def brook_login(path, *extra):
            return subprocess.run([os.environ["BROOK_BIN"], "agent", "login", agent["id"],
                                   "--private-key", path, "--url", self.brook.http_url, *extra],
                                  capture_output=True, text=True, timeout=DEADLINE_S)

        out = brook_login(key_file, "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        token = json.loads(out.stdout)["access_token"]
        status, _ = self.curl("GET", "/topics", bearer=token)
        self.assertEqual(status, 200)
        out = brook_login(key_file)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(agent["principal"] + " logged in with its key", out.stdout)
        # Another agent's key: refused by the server (1); not a key: refused here (2).
        other_key, _ = new_key()
        other_file = os.path.join(workdir, "other.key")
        with open(other_file, "wb") as f:
            f.write(other_key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
        out = brook_login(other_file)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("not the agent's key", out.stderr)
        out = brook_login(os.path.join(workdir, "agent.pub-missing"))
        self.assertEqual(out.returncode, 2, out.stderr)

        # doc/registry.md's commands: openssl signs the challenge's bytes.
        c = self.challenge(agent["id"])
        with open(os.path.join(workdir, "challenge.txt"), "w") as f:
            f.write(c)
        signed = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key_file, "-rawin",
                                 "-in", os.path.join(workdir, "challenge.txt")],
                                capture_output=True, timeout=DEADLINE_S, check=True).stdout
        status, body = self.curl("POST", f"/v1/agents/{agent['id']}/token",
                                 {"challenge": c, "signature": base64.b64encode(signed).decode()},
                                 auth=None)
        self.assertEqual(status, 200, body)
        shutil.rmtree(workdir)

    def test_bad_input_gets_a_clear_error(self):
        key, pem = new_key()
        agent = self.register("picky agent", pem)
        plain = self.register("agent without a key")
        path = f"/v1/agents/{agent['id']}/token"
        status, body = self.curl("POST", "/v1/agents/0000000000000000/challenge", auth=None)
        self.assertEqual(status, 404, body)
        status, body = self.curl("POST", f"/v1/agents/{plain['id']}/challenge", auth=None)
        self.assertEqual(status, 409, body)
        self.assertIn("no public key", body["message"])
        c = self.challenge(agent["id"])
        cases = [
            ('{"challenge": "' + c + '"}', 400, "required"),
            ('{"challenge": 1, "signature": "x"}', 400, "must be a string"),
            ('{"challenge": "x", "signature": "x", "key": "y"}', 400, "unknown field"),
            ("not json", 400, "JSON object"),
            ("[]", 400, "JSON object"),
            (json.dumps({"challenge": "x" * 100000, "signature": "y"}), 401, "not one this server"),
            (json.dumps({"challenge": c[:-3] + "abc", "signature": "y"}), 401,
             "not one this server"),
        ]
        for raw, want, words in cases:
            status, body = self.curl("POST", path, raw=raw, auth=None)
            self.assertEqual(status, want, (raw[:80], body))
            self.assertIn(words, body["message"], raw[:80])
        # A signature that is not base64, or far too long: refused, the challenge used up.
        for signature in ("not base64 at all!", "A" * 5000):
            c = self.challenge(agent["id"])
            status, body = self.curl("POST", path, {"challenge": c, "signature": signature},
                                     auth=None)
            self.assertEqual(status, 401, body)
        # None of it made a token: the good key still logs in.
        status, token = self.login(agent["id"], key)
        self.assertEqual(status, 200, token)


if __name__ == "__main__":
    unittest.main()
