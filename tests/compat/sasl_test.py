#!/usr/bin/python3
"""SASL on the Kafka port (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) against a real `brook
serve` with two listeners: PLAINTEXT and SASL_PLAINTEXT on 127.0.0.1.

Real clients log in and round-trip records: confluent-kafka (librdkafka) with each
mechanism, kafka-python (its SaslHandshake v0 and raw tokens) with SCRAM and PLAIN, kcat
with SCRAM. Users are managed with `brook user` (AlterUserScramCredentials) and survive a
SIGKILL. Raw requests try what no client sends: requests before authentication, unknown
mechanisms, tokens out of order, garbage, a wrong proof, a replayed exchange; each gets
Kafka's answer and the connection closes, and other clients are not disturbed. A second
server with security.connections_max_reauth_ms checks KIP-368: the session lifetime, the
re-authentication on the same connection, and its refusals."""

import base64
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys
import unittest

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, ServerTestCase, unique, wait_until  # noqa: E402
from kafka_wire import Conn, Reader  # noqa: E402

ADMIN_PASSWORD = "admin-secret-" + os.urandom(6).hex()
LISTENERS = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0"

UNSUPPORTED_SASL_MECHANISM = 33
ILLEGAL_SASL_STATE = 34
SASL_AUTHENTICATION_FAILED = 58
METADATA_V1 = struct.pack(">i", -1)  # Metadata v1 body: all topics


def brook_cli(*args, stdin=None, env=None):
    p = subprocess.run([os.environ["BROOK_BIN"], *args], input=stdin, capture_output=True,
                       text=True, timeout=DEADLINE_S, env=env)
    return p.returncode, p.stdout, p.stderr


# --- raw SASL requests ------------------------------------------------------------------

def handshake(conn, mechanism, version=1):
    """SaslHandshake; (error code, mechanisms), or None when the connection was closed."""
    m = mechanism.encode()
    r = conn.exchange(17, version, struct.pack(">h", len(m)) + m)
    if r is None:
        return None
    error = r.i16()
    mechanisms = [r.take(r.i16()).decode() for _ in range(r.i32())]
    return error, mechanisms


def authenticate(conn, token, version=1):
    """SaslAuthenticate (v0-1, not flexible): (error, message, bytes, session lifetime ms),
    or None when the connection was closed before answering."""
    r = conn.exchange(36, version, struct.pack(">i", len(token)) + token)
    if r is None:
        return None
    error = r.i16()
    n = r.i16()
    message = None if n < 0 else r.take(n).decode()
    auth = r.take(r.i32())
    lifetime = struct.unpack(">q", r.take(8))[0] if version >= 1 else None
    return error, message, auth, lifetime


class Scram:
    """A SCRAM client written here from RFC 5802's formulas (independent of Brook's)."""

    def __init__(self, mechanism, user, password, nonce=None):
        self.hash = hashlib.sha256 if mechanism == "SCRAM-SHA-256" else hashlib.sha512
        self.user, self.password = user, password
        self.nonce = nonce or base64.b64encode(os.urandom(18)).decode()
        self.first_bare = f"n={user},r={self.nonce}"

    def first(self):
        return ("n,," + self.first_bare).encode()

    def final(self, server_first, tamper=False):
        attrs = dict(a.split("=", 1) for a in server_first.decode().split(","))
        salted = hashlib.pbkdf2_hmac(self.hash().name, self.password.encode(),
                                     base64.b64decode(attrs["s"]), int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", self.hash).digest()
        without_proof = "c=biws,r=" + attrs["r"]
        auth_message = f"{self.first_bare},{server_first.decode()},{without_proof}".encode()
        signature = hmac.new(self.hash(client_key).digest(), auth_message, self.hash).digest()
        proof = bytearray(a ^ b for a, b in zip(client_key, signature))
        if tamper:
            proof[0] ^= 1
        server_key = hmac.new(salted, b"Server Key", self.hash).digest()
        self.expected_server = base64.b64encode(
            hmac.new(server_key, auth_message, self.hash).digest()).decode()
        return (without_proof + ",p=" + base64.b64encode(bytes(proof)).decode()).encode()


# The mechanisms enabled by default (security.sasl_mechanisms), as SaslHandshake lists them.
DEFAULT_MECHANISMS = ["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN", "OAUTHBEARER"]


def scram_login(conn, mechanism, user, password, version=1):
    """A whole SCRAM exchange over SaslHandshake v1 + SaslAuthenticate; the last answer."""
    assert handshake(conn, mechanism) == (0, DEFAULT_MECHANISMS)
    s = Scram(mechanism, user, password)
    first = authenticate(conn, s.first(), version)
    if first is None or first[0] != 0:
        return first
    final = authenticate(conn, s.final(first[2]), version)
    if final is not None and final[0] == 0:
        assert final[2].decode() == "v=" + s.expected_server, final
    return final


class SaslServerTestCase(ServerTestCase):
    server_args = ("--listeners", LISTENERS)
    server_env = dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD)

    @property
    def sasl_port(self):
        return self.brook.listeners["SASL_PLAINTEXT"]

    @property
    def sasl_bootstrap(self):
        return f"127.0.0.1:{self.sasl_port}"

    def sasl_conn(self):
        c = Conn(self.sasl_port)
        self.addCleanup(c.close)
        return c

    @classmethod
    def as_admin(cls, command, *args, stdin=None):
        """`brook COMMAND ...` logged in as the admin on the SASL listener."""
        env = dict(os.environ, BROOK_SASL_PASSWORD=ADMIN_PASSWORD)
        return brook_cli(command, *args, "--bootstrap",
                         f"127.0.0.1:{cls.brook.listeners['SASL_PLAINTEXT']}",
                         "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", "admin",
                         stdin=stdin, env=env)

    def admin_cli(self, *args, stdin=None):
        return self.as_admin("user", *args, stdin=stdin)

    @classmethod
    def grant(cls, *args):
        """`brook acl add ...` as the admin; fails the set-up if refused."""
        rc, out, err = cls.as_admin("acl", "add", *args)
        assert rc == 0, out + err

    def add_user(self, name, password):
        rc, out, err = self.admin_cli("add", name, "--password-stdin", stdin=password + "\n")
        self.assertEqual(rc, 0, out + err)

    def assert_metadata_works(self, conn):
        r = conn.exchange(3, 1, METADATA_V1)
        self.assertIsNotNone(r, "the connection was closed")
        self.assertEqual(r.i32(), 1)  # one broker


class UserAdministrationTest(SaslServerTestCase):
    def test_the_admin_from_the_environment_can_log_in(self):
        c = self.sasl_conn()
        result = scram_login(c, "SCRAM-SHA-256", "admin", ADMIN_PASSWORD)
        self.assertEqual(result[0], 0, result)
        self.assert_metadata_works(c)

    def test_brook_user_add_list_passwd_delete(self):
        name = unique("carol")
        rc, out, err = self.admin_cli("add", name, "--password", "first-pw")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("Added user " + name, out)
        rc, out, err = self.admin_cli("add", name, "--password", "again")
        self.assertEqual(rc, 1)
        self.assertIn("exists", err)
        rc, out, err = self.admin_cli("list")
        self.assertEqual(rc, 0, err)
        line = next(l for l in out.splitlines() if l.startswith(name + " "))
        self.assertIn("SCRAM-SHA-256 (4096 iterations)", line)
        self.assertIn("SCRAM-SHA-512 (4096 iterations)", line)
        c = self.sasl_conn()
        self.assertEqual(scram_login(c, "SCRAM-SHA-512", name, "first-pw")[0], 0)

        rc, out, err = self.admin_cli("passwd", name, "--password-stdin", stdin="second-pw\n")
        self.assertEqual(rc, 0, out + err)
        old = scram_login(self.sasl_conn(), "SCRAM-SHA-512", name, "first-pw")
        self.assertEqual(old[0], SASL_AUTHENTICATION_FAILED)
        self.assertEqual(scram_login(self.sasl_conn(), "SCRAM-SHA-256", name, "second-pw")[0], 0)

        rc, out, err = self.admin_cli("list", "--json")
        self.assertEqual(rc, 0, err)
        self.assertIn('"name":"%s"' % name, out)

        rc, out, err = self.admin_cli("delete", name)
        self.assertEqual(rc, 0, out + err)
        gone = scram_login(self.sasl_conn(), "SCRAM-SHA-256", name, "second-pw")
        self.assertEqual(gone[0], SASL_AUTHENTICATION_FAILED)
        rc, out, err = self.admin_cli("delete", name)
        self.assertEqual(rc, 1)
        self.assertIn("no user", err)

    def test_the_cli_refuses_a_wrong_login_and_bad_arguments(self):
        env = dict(os.environ, BROOK_SASL_PASSWORD="wrong")
        rc, out, err = brook_cli("user", "list", "--bootstrap", self.sasl_bootstrap,
                                 "--sasl-mechanism", "SCRAM-SHA-256", "--sasl-username", "admin",
                                 env=env)
        self.assertEqual(rc, 1)
        self.assertIn("authentication failed", err)
        rc, out, err = brook_cli("user", "list", "--bootstrap", self.sasl_bootstrap)
        self.assertEqual(rc, 1)  # the listener closes the connection of an unauthenticated client
        rc, out, err = self.admin_cli("add", "dave", "--password", "x", "--iterations", "100")
        self.assertEqual(rc, 2)
        self.assertIn("--iterations", err)
        rc, out, err = self.admin_cli("add", "dave", "--password", "x", "--mechanism", "MD5")
        self.assertEqual(rc, 2)

    def test_alter_user_scram_credentials_errors(self):
        """KIP-554's per-user errors, in raw AlterUserScramCredentials v0 (flexible)."""
        from kafka_wire import Writer
        c = self.sasl_conn()
        self.assertEqual(scram_login(c, "SCRAM-SHA-512", "admin", ADMIN_PASSWORD)[0], 0)

        def upsertion(w, u):
            name, mechanism, iterations, salt, salted = u
            w.string(name).i8(mechanism).i32(iterations)
            w.uvarint(len(salt) + 1).raw(salt).uvarint(len(salted) + 1).raw(salted).tags()

        def deletion(w, d):
            w.string(d[0]).i8(d[1]).tags()

        body = (Writer()
                .array([("ghost", 1)], deletion)
                .array([("", 1, 4096, b"s", b"p"),
                        ("low", 1, 100, b"s", b"p"),
                        ("high", 2, 20000, b"s", b"p"),
                        ("mech", 7, 4096, b"s", b"p"),
                        ("twice", 1, 4096, b"s", b"p"),
                        ("twice", 1, 4096, b"s", b"p"),
                        ("nosalt", 1, 4096, b"", b"p")], upsertion)
                .tags().out)
        r = c.flexible(51, 0, body)
        r.i32()  # throttle
        results = {}
        for _ in range(r.uvarint() - 1):
            user = r.string()
            code = r.i16()
            message = r.string()
            r.tags()
            results[user] = (code, message)
        self.assertEqual(results["ghost"][0], 91)  # RESOURCE_NOT_FOUND
        self.assertEqual(results[""][0], 93)  # UNACCEPTABLE_CREDENTIAL
        self.assertEqual(results["low"], (93, "Too few iterations"))
        self.assertEqual(results["high"], (93, "Too many iterations"))
        self.assertEqual(results["mech"][0], UNSUPPORTED_SASL_MECHANISM)
        self.assertEqual(results["twice"][0], 92)  # DUPLICATE_RESOURCE
        self.assertEqual(results["nosalt"][0], 93)
        rc, out, err = self.admin_cli("list")
        for name in ("low", "high", "mech", "twice", "nosalt"):
            self.assertNotIn("\n" + name + " ", out)


class ClientsTest(SaslServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user, cls.password = "alice", "alice-pw-" + os.urandom(4).hex()
        env = dict(os.environ, BROOK_SASL_PASSWORD=ADMIN_PASSWORD)
        rc, out, err = brook_cli("user", "add", cls.user, "--password", cls.password,
                                 "--bootstrap", f"127.0.0.1:{cls.brook.listeners['SASL_PLAINTEXT']}",
                                 "--sasl-mechanism", "PLAIN", "--sasl-username", "admin", env=env)
        assert rc == 0, out + err
        # A SASL listener makes the default deny (no ACL applies: refused): alice may use
        # the topics this class makes (creating them included) and its groups.
        cls.grant("--allow", "User:alice", "--operation", "all", "--topic", "sasl-", "--prefixed")
        cls.grant("--allow", "User:alice", "--operation", "read", "--group", "g-", "--prefixed")

    def confluent_config(self, mechanism, password=None):
        return {"bootstrap.servers": self.sasl_bootstrap,
                "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": mechanism,
                "sasl.username": self.user, "sasl.password": password or self.password}

    def test_confluent_kafka_each_mechanism(self):
        for mechanism in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"):
            with self.subTest(mechanism=mechanism):
                topic = unique("sasl-confluent")
                p = Producer(self.confluent_config(mechanism))
                errors = []
                for i in range(5):
                    p.produce(topic, value=b"v%d" % i, key=b"k",
                              on_delivery=lambda err, msg: errors.append(err))
                self.assertEqual(p.flush(DEADLINE_S), 0)
                self.assertEqual(errors, [None] * 5)
                c = Consumer(dict(self.confluent_config(mechanism), **{
                    "group.id": unique("g"), "enable.auto.commit": False}))
                c.assign([TopicPartition(topic, 0, 0)])
                got = []
                wait_until(lambda: got.extend(m.value() for m in c.consume(5, 1) if not m.error())
                           or len(got) >= 5, "records read back")
                c.close()
                self.assertEqual(got, [b"v%d" % i for i in range(5)])

    def test_confluent_kafka_wrong_password(self):
        errors = []
        p = Producer(dict(self.confluent_config("SCRAM-SHA-256", "not-it"),
                          **{"error_cb": errors.append}))
        with self.assertRaises(KafkaException):
            p.list_topics(timeout=5)
        wait_until(lambda: p.poll(0.1) is not None and
                   any(e.code() == KafkaError._AUTHENTICATION for e in errors),
                   "librdkafka to report the authentication failure")
        failure = next(e for e in errors if e.code() == KafkaError._AUTHENTICATION)
        self.assertIn("Authentication failed during authentication due to invalid credentials "
                      "with SASL mechanism SCRAM-SHA-256", failure.str())

    def test_kafka_python_scram_and_plain(self):
        from kafka import KafkaConsumer, KafkaProducer, TopicPartition as KTP
        for mechanism in ("SCRAM-SHA-256", "PLAIN"):
            with self.subTest(mechanism=mechanism):
                topic = unique("sasl-kafka-python")
                common = dict(bootstrap_servers=self.sasl_bootstrap,
                              security_protocol="SASL_PLAINTEXT", sasl_mechanism=mechanism,
                              sasl_plain_username=self.user, sasl_plain_password=self.password)
                p = KafkaProducer(**common)
                for i in range(3):
                    p.send(topic, b"kp%d" % i).get(timeout=DEADLINE_S)
                p.close()
                c = KafkaConsumer(**common, consumer_timeout_ms=10000)
                c.assign([KTP(topic, 0)])
                c.seek_to_beginning()
                got = [m.value for _, m in zip(range(3), c)]
                c.close()
                self.assertEqual(got, [b"kp0", b"kp1", b"kp2"])

    def test_kafka_python_wrong_password(self):
        from kafka import KafkaProducer
        from kafka.errors import KafkaError as KPError
        with self.assertRaises(KPError):
            KafkaProducer(bootstrap_servers=self.sasl_bootstrap,
                          security_protocol="SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-512",
                          sasl_plain_username=self.user, sasl_plain_password="nope",
                          max_block_ms=5000, api_version_auto_timeout_ms=5000)

    def test_kcat_scram(self):
        topic = unique("sasl-kcat")
        common = ["-b", self.sasl_bootstrap, "-X", "security.protocol=SASL_PLAINTEXT",
                  "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=" + self.user,
                  "-X", "sasl.password=" + self.password]
        p = subprocess.run(["kcat", *common, "-P", "-t", topic, "-p", "0"],
                           input="one\ntwo\n", capture_output=True, text=True, timeout=DEADLINE_S)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = subprocess.run(["kcat", *common, "-C", "-t", topic, "-p", "0", "-o", "beginning",
                            "-e", "-q"], capture_output=True, text=True, timeout=DEADLINE_S)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), ["one", "two"])
        p = subprocess.run(["kcat", *common[:-2], "-X", "sasl.password=bad", "-L", "-m", "5"],
                           capture_output=True, text=True, timeout=DEADLINE_S)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Authentication failed", p.stderr)

    def test_the_plaintext_listener_needs_no_login(self):
        c = self.connect()  # the first listener: PLAINTEXT
        self.assert_metadata_works(c)
        self.assertEqual(handshake(c, "PLAIN"), (ILLEGAL_SASL_STATE,
                                                 DEFAULT_MECHANISMS))
        self.assert_metadata_works(c)


class AuthorizationTest(SaslServerTestCase):
    """Every Kafka API asks the ACL authorizer (a SASL listener makes the default deny):
    bob, a user with a few bindings, is allowed exactly those, with Kafka's errors
    (TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED) for the rest, through real clients."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.password = "bob-pw-" + os.urandom(4).hex()
        rc, out, err = cls.as_admin("user", "add", "bob", "--password", cls.password)
        assert rc == 0, out + err

    def config(self, user="bob", password=None, **extra):
        return dict({"bootstrap.servers": self.sasl_bootstrap,
                     "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "SCRAM-SHA-256",
                     "sasl.username": user, "sasl.password": password or self.password}, **extra)

    def admin_config(self):
        return self.config("admin", ADMIN_PASSWORD)

    def produce(self, config, topic, n=1):
        """The delivery errors of n records (None for each delivered one)."""
        p = Producer(dict(config, **{"message.timeout.ms": 10000}))
        errors = []
        for i in range(n):
            p.produce(topic, value=b"r%d" % i, on_delivery=lambda err, msg: errors.append(err))
        p.flush(DEADLINE_S)
        return errors

    def make_topic(self, prefix):
        topic = unique(prefix)
        self.assertEqual(self.produce(self.admin_config(), topic), [None])
        return topic

    def test_produce_needs_write_and_creating_needs_create(self):
        mine, theirs = self.make_topic("orders"), self.make_topic("payments")
        self.grant("--allow", "User:bob", "--operation", "write", "--topic", "orders-",
                   "--prefixed")
        self.assertEqual(self.produce(self.config(), mine, 3), [None] * 3)
        errors = self.produce(self.config(), theirs)
        self.assertEqual([e.code() for e in errors], [KafkaError.TOPIC_AUTHORIZATION_FAILED])
        # Not there yet: auto-creation also needs CREATE on the cluster or the topic.
        new = unique("orders")
        errors = self.produce(self.config(), new)
        self.assertEqual([e.code() for e in errors], [KafkaError.TOPIC_AUTHORIZATION_FAILED])
        md = Producer(self.admin_config()).list_topics(timeout=DEADLINE_S)
        self.assertNotIn(new, md.topics)
        # A DENY wins over the prefixed ALLOW, at once, on the same connection's next request.
        self.grant("--deny", "User:bob", "--operation", "write", "--topic", mine)
        errors = self.produce(self.config(), mine)
        self.assertEqual([e.code() for e in errors], [KafkaError.TOPIC_AUTHORIZATION_FAILED])

    def test_metadata_shows_only_topics_the_user_may_describe(self):
        visible, hidden = self.make_topic("catalog"), self.make_topic("hidden")
        self.grant("--allow", "User:bob", "--operation", "read", "--topic", visible)
        md = Producer(self.config()).list_topics(timeout=DEADLINE_S)
        self.assertIn(visible, md.topics)
        self.assertNotIn(hidden, md.topics)
        md = Producer(self.config()).list_topics(hidden, timeout=DEADLINE_S)
        self.assertEqual(md.topics[hidden].error.code(), KafkaError.TOPIC_AUTHORIZATION_FAILED)

    def test_consuming_needs_read_on_the_topic_and_the_group(self):
        topic = self.make_topic("events")
        self.produce(self.admin_config(), topic, 4)
        self.grant("--allow", "User:bob", "--operation", "read", "--topic", topic)
        group = unique("bob-group")
        c = Consumer(self.config(**{"group.id": group, "auto.offset.reset": "earliest"}))
        c.subscribe([topic])
        failures = []
        wait_until(lambda: failures.extend(m.error().code() for m in c.consume(5, 0.5)
                                           if m.error()) or failures,
                   "the consumer to report the group refusal")
        c.close()
        self.assertIn(KafkaError.GROUP_AUTHORIZATION_FAILED, failures)
        self.grant("--allow", "User:bob", "--operation", "read", "--group", group)
        c = Consumer(self.config(**{"group.id": group, "auto.offset.reset": "earliest",
                                    "enable.auto.commit": False}))
        c.subscribe([topic])
        got = []
        wait_until(lambda: got.extend(m.value() for m in c.consume(5, 0.5) if not m.error())
                   or len(got) >= 5, "bob to read the records")
        c.commit(asynchronous=False)
        committed = c.committed([TopicPartition(topic, 0)], timeout=DEADLINE_S)
        c.close()
        self.assertEqual(got, [b"r0", b"r0", b"r1", b"r2", b"r3"])  # make_topic's, then 4
        self.assertEqual(committed[0].offset, 5)

    def test_administration_needs_its_operations(self):
        from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic
        topic = self.make_topic("admin")
        admin = AdminClient(self.config())

        def error_of(future):
            try:
                future.result(timeout=DEADLINE_S)
            except KafkaException as e:
                return e.args[0].code()
            return None

        fs = admin.create_topics([NewTopic(unique("bob-new"), 1)])
        self.assertEqual(error_of(next(iter(fs.values()))), KafkaError.TOPIC_AUTHORIZATION_FAILED)
        fs = admin.delete_topics([topic])
        self.assertEqual(error_of(fs[topic]), KafkaError.TOPIC_AUTHORIZATION_FAILED)
        fs = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)])
        self.assertEqual(error_of(next(iter(fs.values()))), KafkaError.TOPIC_AUTHORIZATION_FAILED)
        fs = admin.describe_configs([ConfigResource(ConfigResource.Type.BROKER, "0")])
        self.assertEqual(error_of(next(iter(fs.values()))),
                         KafkaError.CLUSTER_AUTHORIZATION_FAILED)
        # Granted, the same calls succeed.
        self.grant("--allow", "User:bob", "--operation", "delete", "--operation",
                   "describe-configs", "--topic", topic)
        self.grant("--allow", "User:bob", "--operation", "create", "--topic", "bob-new",
                   "--prefixed")
        fs = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)])
        self.assertIsNone(error_of(next(iter(fs.values()))))
        fs = admin.create_topics([NewTopic(unique("bob-new"), 1)])
        self.assertIsNone(error_of(next(iter(fs.values()))))
        fs = admin.delete_topics([topic])
        self.assertIsNone(error_of(fs[topic]))

    def test_partition_sizes_need_describe_on_the_cluster(self):
        # DescribeLogDirs needs DESCRIBE on the cluster, as in Kafka: without it `brook
        # topic describe` still shows the topic, with no sizes; granted, they appear.
        user, password = unique("carol"), "carol-pw-" + os.urandom(4).hex()
        self.add_user(user, password)
        topic = self.make_topic("sized")
        self.grant("--allow", f"User:{user}", "--operation", "describe", "--operation",
                   "describe-configs", "--topic", topic)
        env = dict(os.environ, BROOK_SASL_PASSWORD=password)

        def sizes():
            rc, out, err = brook_cli(
                "topic", "describe", topic, "--json", "--bootstrap", self.sasl_bootstrap,
                "--sasl-mechanism", "SCRAM-SHA-256", "--sasl-username", user, env=env)
            self.assertEqual(rc, 0, out + err)
            return [p["size_bytes"] for p in json.loads(out)["partitions"]]

        self.assertEqual(sizes(), [None])
        self.grant("--allow", f"User:{user}", "--operation", "describe", "--cluster")
        [size] = sizes()
        self.assertGreater(size, 0)

    def test_brook_acl_refuses_bad_arguments_and_non_super_users(self):
        rc, out, err = self.as_admin("acl", "add", "--allow", "bob", "--operation", "read",
                                     "--topic", "t")
        self.assertEqual(rc, 2)
        self.assertIn("is not a principal", err)
        rc, out, err = self.as_admin("acl", "add", "--allow", "User:bob", "--operation", "frob",
                                     "--topic", "t")
        self.assertEqual(rc, 2)
        rc, out, err = self.as_admin("acl", "add", "--allow", "User:bob", "--operation", "read")
        self.assertEqual(rc, 2)
        self.assertIn("name the resource", err)
        rc, out, err = self.as_admin("acl", "delete")
        self.assertEqual(rc, 2)
        env = dict(os.environ, BROOK_SASL_PASSWORD=self.password)
        rc, out, err = brook_cli("acl", "list", "--bootstrap", self.sasl_bootstrap,
                                 "--sasl-mechanism", "PLAIN", "--sasl-username", "bob", env=env)
        self.assertEqual(rc, 1)
        self.assertIn("CLUSTER_AUTHORIZATION_FAILED", err)
        rc, out, err = self.as_admin("acl", "list", "--principal", "User:bob", "--json")
        self.assertEqual(rc, 0, err)
        import json
        for binding in json.loads(out)["acls"]:
            self.assertEqual(binding["principal"], "User:bob")


class BadInputTest(SaslServerTestCase):
    def test_a_request_before_authentication_closes_the_connection(self):
        c = self.sasl_conn()
        self.assertIsNone(c.exchange(3, 1, METADATA_V1))
        c = self.sasl_conn()
        self.assertEqual(handshake(c, "SCRAM-SHA-256")[0], 0)
        self.assertIsNone(c.exchange(3, 1, METADATA_V1))

    def test_api_versions_is_served_before_authentication(self):
        c = self.sasl_conn()
        r = c.exchange(18, 0, b"")
        self.assertIsNotNone(r)
        self.assertEqual(r.i16(), 0)
        keys = {r.i16(): (r.i16(), r.i16()) for _ in range(r.i32())}
        self.assertEqual(keys[17], (0, 1))
        self.assertEqual(keys[36], (0, 2))
        self.assertEqual(keys[50], (0, 0))
        self.assertEqual(keys[51], (0, 0))

    def test_an_unknown_mechanism_is_refused_and_closes(self):
        c = self.sasl_conn()
        self.assertEqual(handshake(c, "GSSAPI"),
                         (UNSUPPORTED_SASL_MECHANISM, DEFAULT_MECHANISMS))
        self.assertTrue(c.closed_by_peer())

    def test_authenticate_without_handshake(self):
        c = self.sasl_conn()
        r = authenticate(c, b"n,,n=admin,r=abc")
        self.assertEqual(r[0], ILLEGAL_SASL_STATE)
        self.assertTrue(c.closed_by_peer())

    def test_a_second_handshake_during_an_exchange(self):
        c = self.sasl_conn()
        self.assertEqual(handshake(c, "PLAIN")[0], 0)
        self.assertEqual(handshake(c, "PLAIN")[0], ILLEGAL_SASL_STATE)
        self.assertTrue(c.closed_by_peer())

    def test_garbage_tokens(self):
        for mechanism, token in (("SCRAM-SHA-256", b"\x00\xff garbage"),
                                 ("SCRAM-SHA-512", b"n,,n=admin"),
                                 ("SCRAM-SHA-256", b"p=tls-server-end-point,,n=admin,r=x"),
                                 ("PLAIN", b"no separators"),
                                 ("PLAIN", b"\x00admin\x00" + b"x" * 100000),
                                 ("SCRAM-SHA-256", b"")):
            with self.subTest(mechanism=mechanism, token=token[:30]):
                c = self.sasl_conn()
                self.assertEqual(handshake(c, mechanism)[0], 0)
                r = authenticate(c, token)
                self.assertEqual(r[0], SASL_AUTHENTICATION_FAILED)
                self.assertEqual(r[1], "Authentication failed during authentication due to "
                                       "invalid credentials with SASL mechanism " + mechanism)
                self.assertTrue(c.closed_by_peer())
        self.assert_metadata_works(self.connect())  # the server is fine

    def test_wrong_proof_wrong_nonce_unknown_user_and_replay(self):
        # A tampered proof.
        c = self.sasl_conn()
        handshake(c, "SCRAM-SHA-256")
        s = Scram("SCRAM-SHA-256", "admin", ADMIN_PASSWORD)
        first = authenticate(c, s.first())
        self.assertEqual(first[0], 0)
        self.assertEqual(authenticate(c, s.final(first[2], tamper=True))[0],
                         SASL_AUTHENTICATION_FAILED)
        self.assertTrue(c.closed_by_peer())
        # A client-final with another nonce than the server's.
        c = self.sasl_conn()
        handshake(c, "SCRAM-SHA-256")
        s = Scram("SCRAM-SHA-256", "admin", ADMIN_PASSWORD)
        first = authenticate(c, s.first())
        forged = first[2].replace(b"r=" + s.nonce.encode(), b"r=" + s.nonce.encode() + b"x", 1)
        self.assertEqual(authenticate(c, s.final(forged))[0], SASL_AUTHENTICATION_FAILED)
        # An unknown user gets a salt and fails at the proof, like a wrong password.
        c = self.sasl_conn()
        handshake(c, "SCRAM-SHA-256")
        s = Scram("SCRAM-SHA-256", "nobody-" + os.urandom(3).hex(), "x")
        first = authenticate(c, s.first())
        self.assertEqual(first[0], 0)
        self.assertIn(b",s=", first[2])
        self.assertEqual(authenticate(c, s.final(first[2]))[0], SASL_AUTHENTICATION_FAILED)
        # Replaying a recorded successful client-final on a new connection.
        c = self.sasl_conn()
        handshake(c, "SCRAM-SHA-256")
        s = Scram("SCRAM-SHA-256", "admin", ADMIN_PASSWORD, nonce="fixednonce")
        first = authenticate(c, s.first())
        recorded = s.final(first[2])
        self.assertEqual(authenticate(c, recorded)[0], 0)
        c2 = self.sasl_conn()
        handshake(c2, "SCRAM-SHA-256")
        self.assertEqual(authenticate(c2, s.first())[0], 0)
        self.assertEqual(authenticate(c2, recorded)[0], SASL_AUTHENTICATION_FAILED)

    def test_kafka_python_style_raw_tokens_after_handshake_v0(self):
        c = self.sasl_conn()
        self.assertEqual(handshake(c, "PLAIN", version=0)[0], 0)
        token = b"\x00admin\x00" + ADMIN_PASSWORD.encode()
        c.send_raw(struct.pack(">i", len(token)) + token)
        self.assertEqual(c.read_exact(4), b"\x00\x00\x00\x00")
        self.assert_metadata_works(c)
        c = self.sasl_conn()
        self.assertEqual(handshake(c, "PLAIN", version=0)[0], 0)
        token = b"\x00admin\x00wrong"
        c.send_raw(struct.pack(">i", len(token)) + token)
        self.assertTrue(c.closed_by_peer())


class AclAdministrationTest(SaslServerTestCase):
    """CreateAcls, DescribeAcls and DeleteAcls through kafka-python's KafkaAdminClient
    (DescribeAcls/CreateAcls/DeleteAcls v1) logged in as the admin, a super user; a user
    without ALTER on the cluster is refused; bindings survive SIGKILL."""

    def admin_client(self, user="admin", password=ADMIN_PASSWORD):
        from kafka.admin import KafkaAdminClient
        client = KafkaAdminClient(bootstrap_servers=self.sasl_bootstrap,
                                  security_protocol="SASL_PLAINTEXT",
                                  sasl_mechanism="SCRAM-SHA-256", sasl_plain_username=user,
                                  sasl_plain_password=password)
        self.addCleanup(client.close)
        return client

    def test_create_describe_delete_and_survive_sigkill(self):
        from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType,
                                 ACLResourcePatternType, ResourcePattern,
                                 ResourcePatternFilter, ResourceType)
        admin = self.admin_client()
        prefixed = ACL("User:alice", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
                       ResourcePattern(ResourceType.TOPIC, "orders-",
                                       ACLResourcePatternType.PREFIXED))
        deny = ACL("User:mallory", "10.0.0.9", ACLOperation.WRITE, ACLPermissionType.DENY,
                   ResourcePattern(ResourceType.TOPIC, "orders-eu",
                                   ACLResourcePatternType.LITERAL))
        group = ACL("User:alice", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
                    ResourcePattern(ResourceType.GROUP, "billing",
                                    ACLResourcePatternType.LITERAL))
        result = admin.create_acls([prefixed, deny, group])
        self.assertEqual(result["failed"], [])
        self.assertEqual(len(result["succeeded"]), 3)

        def everything(pattern_type=ACLResourcePatternType.ANY, name=None,
                       resource_type=ResourceType.ANY, principal=None):
            return ACLFilter(principal, None, ACLOperation.ANY, ACLPermissionType.ANY,
                             ResourcePatternFilter(resource_type, name, pattern_type))

        acls, error = admin.describe_acls(everything())
        self.assertEqual(error.errno, 0)
        self.assertEqual(len(acls), 3)
        # MATCH: what applies to topic orders-eu: the prefix and the literal.
        acls, error = admin.describe_acls(everything(ACLResourcePatternType.MATCH, "orders-eu",
                                                     ResourceType.TOPIC))
        self.assertEqual(sorted(a.principal for a in acls), ["User:alice", "User:mallory"])

        self.brook.restart(kill=True)
        admin = self.admin_client()
        acls, error = admin.describe_acls(everything())
        self.assertEqual(len(acls), 3)
        deleted = admin.delete_acls([everything(principal="User:mallory")])
        self.assertEqual(len(deleted), 1)
        self.assertEqual([a.principal for a, _ in deleted[0][1]], ["User:mallory"])
        acls, error = admin.describe_acls(everything())
        self.assertEqual({(a.principal, a.resource_pattern.resource_type) for a in acls},
                         {("User:alice", ResourceType.GROUP), ("User:alice", ResourceType.TOPIC)})

    def test_invalid_bindings_and_unauthorized_principals(self):
        from kafka.admin import (ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType,
                                 ResourcePattern, ResourceType)
        self.add_user("ivan", "ivan-pw")
        c = self.sasl_conn()
        self.assertEqual(scram_login(c, "SCRAM-SHA-256", "admin", ADMIN_PASSWORD)[0], 0)

        def create(conn, resource_type, name, principal, host, operation, permission):
            body = struct.pack(">i", 1) + struct.pack(">b", resource_type)
            for text in (name,):
                body += struct.pack(">h", len(text)) + text.encode()
            body += struct.pack(">b", 3)  # LITERAL
            for text in (principal, host):
                body += struct.pack(">h", len(text)) + text.encode()
            body += struct.pack(">bb", operation, permission)
            r = conn.exchange(30, 1, body)
            r.i32()  # throttle
            self.assertEqual(r.i32(), 1)
            code = r.i16()
            n = r.i16()
            return code, (r.take(n).decode() if n >= 0 else None)

        self.assertEqual(create(c, 4, "other", "User:a", "*", 7, 3),
                         (42, "The only valid name for the CLUSTER resource is kafka-cluster"))
        self.assertEqual(create(c, 2, "t", "nobody", "*", 3, 3)[0], 42)
        self.assertEqual(create(c, 2, "t", "User:a", "*", 1, 3)[0], 42)  # ANY operation
        self.assertEqual(create(c, 2, "t", "User:a", "*", 3, 1)[0], 42)  # ANY permission
        # ivan is no super user and no binding grants him ALTER on the cluster.
        ivan = self.admin_client("ivan", "ivan-pw")
        result = ivan.create_acls([ACL("User:ivan", "*", ACLOperation.ALL,
                                       ACLPermissionType.ALLOW,
                                       ResourcePattern(ResourceType.TOPIC, "*",
                                                       ACLResourcePatternType.LITERAL))])
        self.assertEqual(result["succeeded"], [])
        self.assertEqual(result["failed"][0][1].errno, 31)  # CLUSTER_AUTHORIZATION_FAILED
        c2 = self.sasl_conn()
        self.assertEqual(scram_login(c2, "SCRAM-SHA-256", "ivan", "ivan-pw")[0], 0)
        self.assertEqual(create(c2, 2, "t", "User:ivan", "*", 3, 3)[0], 31)


class DurabilityTest(SaslServerTestCase):
    def test_users_survive_sigkill(self):
        self.add_user("erin", "erin-pw")
        self.brook.restart(kill=True)
        c = self.sasl_conn()
        self.assertEqual(scram_login(c, "SCRAM-SHA-512", "erin", "erin-pw")[0], 0)
        self.assert_metadata_works(c)


class ReauthenticationTest(SaslServerTestCase):
    REAUTH_MS = 3000
    server_args = SaslServerTestCase.server_args + (
        "--connections-max-reauth-ms", str(REAUTH_MS))

    def test_session_lifetime_and_reauthentication(self):
        self.add_user("frank", "frank-pw")
        self.add_user("grace", "grace-pw")
        c = self.sasl_conn()
        done = scram_login(c, "SCRAM-SHA-256", "frank", "frank-pw")
        self.assertEqual(done[0], 0)
        self.assertEqual(done[3], self.REAUTH_MS)
        # Again on the same connection, as the same user: a new session.
        done = scram_login(c, "SCRAM-SHA-256", "frank", "frank-pw")
        self.assertEqual((done[0], done[3]), (0, self.REAUTH_MS))
        self.assert_metadata_works(c)
        # Another mechanism is refused, and so is another user.
        c2 = self.sasl_conn()
        self.assertEqual(scram_login(c2, "SCRAM-SHA-256", "frank", "frank-pw")[0], 0)
        self.assertEqual(handshake(c2, "SCRAM-SHA-512")[0], ILLEGAL_SASL_STATE)
        self.assertTrue(c2.closed_by_peer())
        c3 = self.sasl_conn()
        self.assertEqual(scram_login(c3, "SCRAM-SHA-256", "frank", "frank-pw")[0], 0)
        self.assertEqual(scram_login(c3, "SCRAM-SHA-256", "grace", "grace-pw")[0],
                         SASL_AUTHENTICATION_FAILED)
        self.assertTrue(c3.closed_by_peer())
        # After a password change the old password no longer re-authenticates.
        c4 = self.sasl_conn()
        self.assertEqual(scram_login(c4, "SCRAM-SHA-256", "grace", "grace-pw")[0], 0)
        rc, out, err = self.admin_cli("passwd", "grace", "--password", "grace-new")
        self.assertEqual(rc, 0, err)
        self.assertEqual(scram_login(c4, "SCRAM-SHA-256", "grace", "grace-pw")[0],
                         SASL_AUTHENTICATION_FAILED)

    def test_a_request_after_the_session_ends_closes_the_connection(self):
        self.add_user("heidi", "heidi-pw")
        c = self.sasl_conn()
        self.assertEqual(scram_login(c, "SCRAM-SHA-512", "heidi", "heidi-pw")[0], 0)
        # Served until the lifetime is over, then the next request closes the connection.
        wait_until(lambda: c.exchange(3, 1, METADATA_V1) is None, "the session to end",
                   interval=0.2)

    def test_after_the_session_ends_only_a_reauthentication_is_taken(self):
        # As on Kafka: an expired session's connection closes on anything but SaslHandshake,
        # ApiVersions included (it is answered before the first login).
        self.add_user("ivan", "ivan-pw")
        c = self.sasl_conn()
        self.assertIsNotNone(c.exchange(18, 0, b""), "ApiVersions before the login")
        self.assertEqual(scram_login(c, "SCRAM-SHA-512", "ivan", "ivan-pw")[0], 0)
        wait_until(lambda: c.exchange(18, 0, b"") is None, "ApiVersions to close the connection",
                   interval=0.2)


if __name__ == "__main__":
    unittest.main()
