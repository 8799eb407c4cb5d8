#!/usr/bin/python3
"""The agent registry under load and under SIGKILL, against a real `brook serve`:

- 10,000 registrations over HTTP from 16 concurrent clients give 10,000 distinct names, each
  three words of src/registry/agent_words.txt, none equal to a topic that existed before;
- with one-word names (registry.name_words 1, a prefix) and most of the 4,438 possible
  names pre-created as topics, every registration still gets a name no topic had;
- a SIGKILL while 16 clients register leaves, after the restart, whole agents or nothing:
  every agent answered 201 before the kill is there and logs in with its password; no topic,
  SCRAM login or ACL of an agent the registry does not list.

$BROOK_BIN is set by ctest."""

import json
import os
import random
import re
import subprocess
import sys
import threading
import unittest
from concurrent.futures import ThreadPoolExecutor

import requests
from confluent_kafka import KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, BrookServer, wait_until  # noqa: E402

ADMIN_PASSWORD = "admin-" + os.urandom(6).hex()
LISTENERS = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0"
WORDS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "src", "registry",
                          "agent_words.txt")
CLIENTS = 16


def list_words():
    with open(WORDS_FILE) as f:
        return [w.strip() for w in f if w.strip() and not w.startswith("#")]


class Registry:
    """A server with a SASL listener and HTTP logins, and what its clients need."""

    def __init__(self, *extra):
        env = dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD)
        self.brook = BrookServer(extra_args=("--listeners", LISTENERS, *extra), env=env)
        self.brook.start()
        self.local = threading.local()

    def sasl(self):
        return f"127.0.0.1:{self.brook.listeners['SASL_PLAINTEXT']}"

    def admin(self):
        return AdminClient({"bootstrap.servers": self.sasl(), "security.protocol": "SASL_PLAINTEXT",
                            "sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": "admin",
                            "sasl.password": ADMIN_PASSWORD})

    def session(self):
        if not hasattr(self.local, "s"):
            self.local.s = requests.Session()
            self.local.s.auth = ("admin", ADMIN_PASSWORD)
        return self.local.s

    def register(self, name):
        r = self.session().post(self.brook.http_url + "/v1/agents", json={"name": name},
                                timeout=DEADLINE_S)
        if r.status_code != 201:
            raise AssertionError(f"{r.status_code} {r.text}")
        return r.json()

    def agents(self):
        out, after = [], ""
        while True:
            r = self.session().get(self.brook.http_url + "/v1/agents",
                                   params={"limit": 1000, "after": after}, timeout=DEADLINE_S)
            assert r.status_code == 200, r.text
            body = r.json()
            out += body["agents"]
            if body["next"] is None:
                return out
            after = body["next"]

    def close(self):
        try:
            self.brook.check_clean_exit(self.brook.stop())
        finally:
            self.brook.__exit__(None, None, None)


def create_topics(admin, names):
    for i in range(0, len(names), 500):
        futures = admin.create_topics([NewTopic(n, 1, 1) for n in names[i:i + 500]])
        for f in futures.values():
            f.result(DEADLINE_S)


def logs_in(sasl, agent):
    """Whether the agent's password logs in (a produce to its own topic is acknowledged)."""
    errors = []
    p = Producer({"bootstrap.servers": sasl, "security.protocol": "SASL_PLAINTEXT",
                  "sasl.mechanisms": agent["sasl_mechanism"], "sasl.username": agent["username"],
                  "sasl.password": agent["password"], "message.timeout.ms": 10000})
    p.produce(agent["topic"], b"still here", on_delivery=lambda err, msg: errors.append(err))
    p.flush(DEADLINE_S)
    return errors == [None]


def brook_admin_command(reg, *args):
    """`brook ARGS --json` logged in as the admin (confluent-kafka 1.7 has no ACL or SCRAM
    admin calls); its JSON."""
    out = subprocess.run([os.environ["BROOK_BIN"], *args, "--json", "--bootstrap", reg.sasl(),
                          "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", "admin"],
                         capture_output=True, text=True, timeout=DEADLINE_S,
                         env=dict(os.environ, BROOK_SASL_PASSWORD=ADMIN_PASSWORD), check=True)
    return json.loads(out.stdout)


class ManyRegistrationsTest(unittest.TestCase):
    def test_ten_thousand_registrations_from_16_clients(self):
        reg = Registry()
        try:
            words = set(list_words())
            admin = reg.admin()
            # Topics that exist before: plain ones, and ones shaped like agent names.
            rng = random.Random(7)
            wl = sorted(words)
            before = [f"pre-{i}" for i in range(50)] + \
                ["-".join(rng.choice(wl) for _ in range(3)) for _ in range(500)]
            create_topics(admin, sorted(set(before)))
            with ThreadPoolExecutor(CLIENTS) as pool:
                agents = list(pool.map(reg.register, (f"agent {i}" for i in range(10_000))))
            topics = [a["topic"] for a in agents]
            self.assertEqual(len(set(topics)), 10_000)
            self.assertEqual(len({a["id"] for a in agents}), 10_000)
            for t in topics:
                parts = t.split("-")
                self.assertEqual(len(parts), 3, t)
                self.assertTrue(set(parts) <= words, t)
            self.assertFalse(set(topics) & set(before))
            listed = reg.agents()
            self.assertEqual(len(listed), 10_000)
            self.assertEqual({a["topic"] for a in listed}, set(topics))
        finally:
            reg.close()

    def test_one_word_names_among_pre_created_topics(self):
        reg = Registry("--registry-name-words", "1", "--registry-name-prefix", "ag",
                       "--registry-name-separator", ".")
        try:
            words = list_words()
            # About 70 % of the names there can be are topics already: most draws collide.
            taken = sorted(random.Random(11).sample(words, int(len(words) * 0.7)))
            create_topics(reg.admin(), ["ag." + w for w in taken])
            with ThreadPoolExecutor(CLIENTS) as pool:
                agents = list(pool.map(reg.register, (f"agent {i}" for i in range(400))))
            topics = [a["topic"] for a in agents]
            self.assertEqual(len(set(topics)), 400)
            for t in topics:
                self.assertRegex(t, r"^ag\.[a-z]{3,7}$")
                self.assertIn(t[3:], words)
            self.assertFalse({t[3:] for t in topics} & set(taken))
        finally:
            reg.close()


class KillDuringRegistrationTest(unittest.TestCase):
    def test_sigkill_leaves_whole_agents_or_nothing(self):
        reg = Registry()
        try:
            answered = []  # agents answered 201 (acknowledged: must survive)
            lock = threading.Lock()
            for round_ in range(4):
                stop = threading.Event()
                enough = threading.Event()
                target = len(answered) + random.randint(20, 60)

                def client(n):
                    i = 0
                    while not stop.is_set():
                        i += 1
                        try:
                            a = reg.register(f"round {round_} client {n} #{i}")
                        except (requests.RequestException, AssertionError):
                            continue  # the server went away mid-call: not acknowledged
                        with lock:
                            answered.append(a)
                            if len(answered) >= target:
                                enough.set()

                threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
                for t in threads:
                    t.start()
                self.assertTrue(enough.wait(120), "registrations are answered")
                reg.brook.kill()  # with registrations in flight
                stop.set()
                for t in threads:
                    t.join(DEADLINE_S)
                reg.brook.start(port=reg.brook.port)
                self.check_whole(reg, answered)
            # The kills caught registrations half-made, which the restarts undid (else this
            # test proved nothing about them).
            undone = [line for line in reg.brook.log_lines
                      if "finishing what a stop interrupted" in line]
            print(f"{len(undone)} half-made registrations undone in 4 restarts", file=sys.stderr)
            self.assertGreater(len(undone), 0)
        finally:
            reg.close()

    def check_whole(self, reg, answered):
        listed = {a["id"]: a for a in reg.agents()}
        for a in answered:
            self.assertIn(a["id"], listed, "an acknowledged registration is gone")
            self.assertEqual(listed[a["id"]]["state"], "active")
        for a in random.sample(answered, min(10, len(answered))):
            self.assertTrue(logs_in(reg.sasl(), a), f"agent {a['id']} cannot log in")
        admin = reg.admin()
        agent_topics = {a["topic"] for a in listed.values()}
        name = re.compile(r"^[a-z]{3,7}-[a-z]{3,7}-[a-z]{3,7}$")
        topics = {t for t in admin.list_topics(timeout=DEADLINE_S).topics if name.match(t)}
        self.assertEqual(topics, agent_topics, "an agent topic without an agent, or the reverse")
        logins = {u["name"] for u in brook_admin_command(reg, "user", "list")["users"]
                  if u["name"].startswith("agent-")}
        self.assertEqual(logins, {"agent-" + i for i in listed}, "a login without an agent")
        acls = [b for b in brook_admin_command(reg, "acl", "list")["acls"]
                if b["principal"].startswith("User:agent-")]
        self.assertEqual({b["principal"] for b in acls}, {"User:agent-" + i for i in listed},
                         "an ACL of an agent the registry does not list")
        self.assertEqual({b["resource_name"] for b in acls if b["resource_type"] == "topic"},
                         agent_topics)


if __name__ == "__main__":
    unittest.main()
