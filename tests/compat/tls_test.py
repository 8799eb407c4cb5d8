#!/usr/bin/python3
"""TLS on the Kafka port (SSL and SASL_SSL listeners) against a real `brook serve`, with a
CA, server and client certificates made by the test with the openssl command.

Real clients over TLS: confluent-kafka (librdkafka) with SASL_SSL and each SASL mechanism,
and with SSL and a client certificate whose subject is the principal the ACLs name; kcat
with a client certificate; kafka-python with SCRAM over SASL_SSL. A fetch larger than the
64 KiB copy buffer comes back whole. Bad input: garbage and a plaintext Kafka request sent
to a TLS port, a client certificate from another CA, a client that never finishes its
handshake; each costs only its own connection. SIGHUP reloads the certificate for new
connections while an open one keeps working. A TLS listener without a certificate, or
with a key that is not the certificate's, is refused at start."""

import os
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import unittest

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, ServerTestCase, unique, wait_until  # noqa: E402

ADMIN_PASSWORD = "admin-secret-" + os.urandom(6).hex()
LISTENERS = ("PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,"
             "SASL_SSL://127.0.0.1:0")
ALICE = "CN=alice,OU=eng,O=Acme"
KCAT = os.environ.get("KCAT", "/usr/bin/kcat")
CURL = os.environ.get("CURL", "/usr/bin/curl")
OPENSSL = "/usr/bin/openssl"
_API_VERSIONS_V0_BODY = struct.pack(">hhih", 18, 0, 7, 1) + b"t"  # header v1, client id "t"
API_VERSIONS_V0 = struct.pack(">i", len(_API_VERSIONS_V0_BODY)) + _API_VERSIONS_V0_BODY


def openssl(*args, cwd):
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_pki(d):
    """ca.pem/ca.key, server.pem/server.key (127.0.0.1 and localhost), server2.pem (the
    same key, another subject: for the reload), alice.pem/alice.key (client), and
    other-ca.pem with mallory.pem/mallory.key (a client of a CA Brook does not trust)."""
    def ca(name, subject):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
                "-subj", subject, cwd=d)

    def signed(name, subject, ca_name, key=None, ext=None):
        key = key or f"{name}.key"
        if not os.path.exists(os.path.join(d, key)):
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", key, cwd=d)
        openssl("req", "-new", "-key", key, "-out", f"{name}.csr", "-subj", subject, cwd=d)
        args = ["x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca_name}.pem", "-CAkey",
                f"{ca_name}.key", "-CAcreateserial", "-out", f"{name}.pem", "-days", "2"]
        if ext:
            with open(os.path.join(d, f"{name}.ext"), "w") as f:
                f.write(ext)
            args += ["-extfile", f"{name}.ext"]
        openssl(*args, cwd=d)

    server_ext = ("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                  "extendedKeyUsage=serverAuth\n")
    ca("ca", "/CN=Brook Test CA")
    signed("server", "/CN=brook-1", "ca", ext=server_ext)
    signed("server2", "/CN=brook-2", "ca", key="server.key", ext=server_ext)
    signed("alice", "/O=Acme/OU=eng/CN=alice", "ca", ext="extendedKeyUsage=clientAuth\n")
    ca("other-ca", "/CN=Someone Else")
    signed("mallory", "/CN=mallory", "other-ca", ext="extendedKeyUsage=clientAuth\n")


class TlsTestCase(ServerTestCase):
    server_extra = ()  # more flags of a subclass's server
    @classmethod
    def setUpClass(cls):
        cls.pki = tempfile.mkdtemp(prefix="brook-tls-")
        make_pki(cls.pki)
        # The server reads these paths; the reload test swaps what they hold.
        shutil.copy(cls.path("server.pem"), cls.path("live.pem"))
        cls.server_args = (
            "--listeners", LISTENERS, "--tls-cert-file", cls.path("live.pem"),
            "--tls-key-file", cls.path("server.key"), "--tls-ca-file", cls.path("ca.pem"),
            "--tls-client-auth", "requested", "--kafka-request-read-timeout-ms", "2000",
            *cls.server_extra)
        cls.server_env = dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            shutil.rmtree(cls.pki, ignore_errors=True)

    @classmethod
    def path(cls, name):
        return os.path.join(cls.pki, name)

    def port_of(self, listener):
        return self.brook.listeners[listener]

    def bootstrap_of(self, listener):
        return f"127.0.0.1:{self.port_of(listener)}"

    @classmethod
    def brook_as_admin(cls, *args):
        env = dict(os.environ, BROOK_SASL_PASSWORD=ADMIN_PASSWORD)
        p = subprocess.run(
            [os.environ["BROOK_BIN"], *args, "--bootstrap",
             f"127.0.0.1:{cls.brook.listeners['SASL_PLAINTEXT']}", "--sasl-mechanism",
             "SCRAM-SHA-512", "--sasl-username", "admin"],
            capture_output=True, text=True, timeout=DEADLINE_S, env=env)
        return p.returncode, p.stdout + p.stderr

    def grant(self, *args):
        rc, out = self.brook_as_admin("acl", "add", *args)
        self.assertEqual(rc, 0, out)

    def create_topic(self, name, partitions=1):
        """Created by the admin, over SASL_SSL."""
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient(self.admin_config())
        admin.create_topics([NewTopic(name, partitions, 1)])[name].result(timeout=DEADLINE_S)

    def admin_config(self, listener="SASL_SSL", mechanism="SCRAM-SHA-512"):
        c = {"bootstrap.servers": self.bootstrap_of(listener),
             "security.protocol": listener, "sasl.mechanisms": mechanism,
             "sasl.username": "admin", "sasl.password": ADMIN_PASSWORD}
        if listener.endswith("SSL"):
            c["ssl.ca.location"] = self.path("ca.pem")
        return c

    def round_trip(self, config, topic, n=5, size=100):
        """Produces n records and reads them back through `config`; returns the values."""
        p = Producer(dict(config, **{"acks": "all"}))
        sent = [os.urandom(size // 2).hex().encode() for _ in range(n)]
        errors = []
        for v in sent:
            p.produce(topic, v, on_delivery=lambda e, m: e and errors.append(e))
        self.assertEqual(p.flush(DEADLINE_S), 0)
        self.assertEqual(errors, [])
        c = Consumer(dict(config, **{"group.id": unique("g"), "auto.offset.reset": "earliest",
                                     "enable.auto.commit": False}))
        try:
            c.subscribe([topic])
            got = []

            def all_read():
                m = c.poll(0.5)
                if m is not None:
                    if m.error():
                        raise KafkaException(m.error())
                    got.append(m.value())
                return len(got) >= n

            wait_until(all_read, lambda: f"{n} records over TLS (have {len(got)})")
        finally:
            c.close()
        self.assertEqual(got, sent)
        return got

    def tls_socket(self, port, cert=None, key=None):
        ctx = ssl.create_default_context(cafile=self.path("ca.pem"))
        if cert:
            ctx.load_cert_chain(self.path(cert), self.path(key))
        raw = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S)
        s = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        self.addCleanup(s.close)
        return s


def api_versions(sock):
    """ApiVersions v0 over an open socket; the error code, or None when it was closed."""
    sock.sendall(API_VERSIONS_V0)
    head = b""
    while len(head) < 10:
        chunk = sock.recv(10 - len(head))
        if not chunk:
            return None
        head += chunk
    size, _, error = struct.unpack(">iih", head)
    left = size - 6
    while left > 0:
        chunk = sock.recv(min(left, 65536))
        if not chunk:
            return None
        left -= len(chunk)
    return error


class SaslSslTest(TlsTestCase):
    def test_each_mechanism_round_trips_over_sasl_ssl(self):
        for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"):
            with self.subTest(mechanism=mechanism):
                topic = unique("sasl-ssl")
                self.create_topic(topic)
                self.round_trip(self.admin_config("SASL_SSL", mechanism), topic)

    def test_a_fetch_larger_than_the_copy_buffer_comes_back_whole(self):
        topic = unique("big")
        self.create_topic(topic)
        # 40 records of 200 KiB: each fetch answer is megabytes, sent in 64 KiB pieces.
        self.round_trip(dict(self.admin_config(), **{"fetch.max.bytes": 8 << 20}), topic, n=40,
                        size=200 << 10)

    def test_kafka_python_scram_over_sasl_ssl(self):
        from kafka import KafkaConsumer, KafkaProducer
        topic = unique("kp")
        self.create_topic(topic)
        common = dict(bootstrap_servers=self.bootstrap_of("SASL_SSL"),
                      security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-256",
                      sasl_plain_username="admin", sasl_plain_password=ADMIN_PASSWORD,
                      ssl_cafile=self.path("ca.pem"))
        p = KafkaProducer(**common)
        for i in range(3):
            p.send(topic, f"kp-{i}".encode()).get(timeout=DEADLINE_S)
        p.close()
        c = KafkaConsumer(topic, auto_offset_reset="earliest", consumer_timeout_ms=10000,
                          **common)
        got = [m.value for _, m in zip(range(3), c)]
        c.close()
        self.assertEqual(got, [b"kp-0", b"kp-1", b"kp-2"])

    def test_a_wrong_password_over_sasl_ssl_is_refused(self):
        p = Producer(dict(self.admin_config("SASL_SSL", "SCRAM-SHA-256"),
                          **{"sasl.password": "wrong", "message.timeout.ms": 3000}))
        errors = []
        p.produce(unique("nope"), b"x", on_delivery=lambda e, m: errors.append(e))
        p.flush(10)
        self.assertEqual(len(errors), 1)
        self.assertIsNotNone(errors[0])


class SslClientCertificateTest(TlsTestCase):
    def ssl_config(self, cert="alice.pem", key="alice.key"):
        c = {"bootstrap.servers": self.bootstrap_of("SSL"), "security.protocol": "SSL",
             "ssl.ca.location": self.path("ca.pem")}
        if cert:
            c.update({"ssl.certificate.location": self.path(cert),
                      "ssl.key.location": self.path(key)})
        return c

    def test_the_certificate_subject_is_the_principal(self):
        topic = unique("mtls")
        self.create_topic(topic)
        # No binding for alice yet: refused as Kafka refuses (the topic is not described).
        p = Producer(dict(self.ssl_config(), **{"message.timeout.ms": 5000}))
        errors = []
        p.produce(topic, b"x", on_delivery=lambda e, m: errors.append(e))
        p.flush(15)
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0].code(), KafkaError.TOPIC_AUTHORIZATION_FAILED, errors[0])
        principal = f"User:{ALICE}"
        for op in ("WRITE", "READ"):
            self.grant("--allow", principal, "--operation", op, "--topic", topic)
        self.grant("--allow", principal, "--operation", "READ", "--group", "*")
        self.round_trip(self.ssl_config(), topic, n=3)

    def test_kcat_with_a_client_certificate(self):
        topic = unique("kcat-tls")
        self.create_topic(topic)
        principal = f"User:{ALICE}"
        self.grant("--allow", principal, "--operation", "ALL", "--topic", topic)
        args = [KCAT, "-b", self.bootstrap_of("SSL"), "-X", "security.protocol=SSL",
                "-X", f"ssl.ca.location={self.path('ca.pem')}",
                "-X", f"ssl.certificate.location={self.path('alice.pem')}",
                "-X", f"ssl.key.location={self.path('alice.key')}"]
        r = subprocess.run(args + ["-P", "-t", topic], input=b"one\ntwo\n", capture_output=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run(args + ["-C", "-t", topic, "-o", "beginning", "-c", "2", "-e"],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split(), [b"one", b"two"])

    def test_without_a_certificate_the_client_is_anonymous(self):
        s = self.tls_socket(self.port_of("SSL"))
        self.assertEqual(api_versions(s), 0)  # connected, served
        topic = unique("anon")
        self.create_topic(topic)
        p = Producer(dict(self.ssl_config(cert=None), **{"message.timeout.ms": 5000}))
        errors = []
        p.produce(topic, b"x", on_delivery=lambda e, m: errors.append(e))
        p.flush(15)
        self.assertEqual(errors[0].code(), KafkaError.TOPIC_AUTHORIZATION_FAILED, errors[0])

    def test_a_certificate_of_another_ca_is_refused(self):
        with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
            s = self.tls_socket(self.port_of("SSL"), "mallory.pem", "mallory.key")
            # TLS 1.3: the refusal of the client's certificate arrives after the handshake.
            if api_versions(s) is None:
                raise ConnectionError("closed")
        # The listener still serves a good client.
        self.assertEqual(api_versions(self.tls_socket(self.port_of("SSL"), "alice.pem",
                                                      "alice.key")), 0)


class BadInputTest(TlsTestCase):
    def assert_still_serves(self):
        self.assertEqual(api_versions(self.tls_socket(self.port_of("SSL"))), 0)
        self.assertEqual(api_versions(self.tls_socket(self.port_of("SASL_SSL"))), 0)

    def assert_closed_by_server(self, sock):
        """The server closes the connection (a timeout fails the test)."""
        sock.settimeout(DEADLINE_S)
        try:
            while sock.recv(65536):
                pass
        except (ConnectionResetError, ssl.SSLError):
            pass
        except socket.timeout:
            self.fail("the server kept the connection open")

    def test_garbage_and_plaintext_to_a_tls_port_close_that_connection_only(self):
        for listener in ("SSL", "SASL_SSL"):
            for payload in (os.urandom(512), API_VERSIONS_V0, b"\x16\x03\x01\x00\x05hello"):
                raw = socket.create_connection(("127.0.0.1", self.port_of(listener)),
                                               timeout=DEADLINE_S)
                self.addCleanup(raw.close)
                raw.sendall(payload)
                self.assert_closed_by_server(raw)
        self.assert_still_serves()

    def test_a_handshake_that_never_completes_is_cut_off(self):
        raw = socket.create_connection(("127.0.0.1", self.port_of("SSL")), timeout=DEADLINE_S)
        self.addCleanup(raw.close)
        # Nothing sent: kafka.request_read_timeout_ms (2 s here) later the server closes.
        self.assertEqual(raw.recv(1), b"")
        wait_until(lambda: any("TLS handshake did not complete" in l
                               for l in self.brook.log_lines),
                   "the server's log line about the handshake")
        self.assert_still_serves()

    def test_a_client_that_does_not_trust_the_certificate_fails_cleanly(self):
        ctx = ssl.create_default_context()  # the system's CAs: not ours
        raw = socket.create_connection(("127.0.0.1", self.port_of("SSL")), timeout=DEADLINE_S)
        with self.assertRaises(ssl.SSLCertVerificationError):
            ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        raw.close()
        self.assert_still_serves()


class ReloadTest(TlsTestCase):
    def subject_served(self):
        s = self.tls_socket(self.port_of("SSL"))
        return dict(x[0] for x in s.getpeercert()["subject"])["commonName"]

    def test_sighup_reloads_the_certificate_for_new_connections(self):
        self.assertEqual(self.subject_served(), "brook-1")
        held = self.tls_socket(self.port_of("SASL_SSL"))
        self.assertEqual(api_versions(held), 0)
        shutil.copy(self.path("server2.pem"), self.path("live.pem"))
        self.brook.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: self.subject_served() == "brook-2", "the new certificate served")
        self.assertEqual(api_versions(held), 0, "the open connection was dropped")
        # A broken file: the reload is refused and the certificate in use stays.
        with open(self.path("live.pem"), "w") as f:
            f.write("not a certificate\n")
        self.brook.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: any("was not reloaded" in l for l in self.brook.log_lines),
                   "the refused reload in the log")
        self.assertEqual(self.subject_served(), "brook-2")
        shutil.copy(self.path("server.pem"), self.path("live.pem"))


class HttpsTest(TlsTestCase):
    """http.tls: the REST Proxy over HTTPS, with HTTP Basic logins (a SASL listener turns
    them on)."""

    server_extra = ("--http-tls", "true")

    @property
    def https(self):
        return f"https://127.0.0.1:{self.brook.http_port}"

    def test_curl_and_requests_over_https_with_basic(self):
        ca = self.path("ca.pem")
        r = subprocess.run([CURL, "-s", "-S", "--cacert", ca, "-u", f"admin:{ADMIN_PASSWORD}",
                            "-o", "-", "-w", "\n%{http_code}", self.https + "/topics"],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.endswith(b"\n200"), r.stdout)
        r = subprocess.run([CURL, "-s", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}",
                            self.https + "/topics"], capture_output=True, timeout=60)
        self.assertEqual(r.stdout, b"401")
        import requests
        with requests.Session() as s:
            # trust_env off: REQUESTS_CA_BUNDLE in the environment would win over s.verify.
            s.auth = ("admin", ADMIN_PASSWORD)
            s.trust_env = False
            s.verify = ca
            topic = unique("https")
            out = s.post(self.https + f"/topics/{topic}",
                         json={"records": [{"value": {"over": "tls"}}]},
                         headers={"Content-Type": "application/vnd.kafka.json.v2+json"},
                         timeout=DEADLINE_S)
            self.assertEqual(out.status_code, 200, out.text)
            created = s.post(self.https + f"/consumers/{unique('g')}",
                             json={"name": "c", "format": "json"},
                             headers={"Content-Type": "application/vnd.kafka.v2+json"},
                             timeout=DEADLINE_S)
            self.assertEqual(created.status_code, 200, created.text)
            self.assertTrue(created.json()["base_uri"].startswith("https://"), created.text)
            s.delete(created.json()["base_uri"], timeout=DEADLINE_S)
            clusters = s.get(self.https + "/v3/clusters", timeout=DEADLINE_S).json()
            self.assertTrue(clusters["data"][0]["metadata"]["self"].startswith("https://"))

    def test_plain_http_and_garbage_to_the_https_port_cost_only_their_connection(self):
        for payload in (b"GET /topics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", os.urandom(300)):
            raw = socket.create_connection(("127.0.0.1", self.brook.http_port),
                                           timeout=DEADLINE_S)
            self.addCleanup(raw.close)
            raw.sendall(payload)
            try:
                while raw.recv(65536):
                    pass
            except ConnectionResetError:
                pass
        r = subprocess.run([CURL, "-s", "--cacert", self.path("ca.pem"), "-o", "/dev/null",
                            "-w", "%{http_code}", self.https + "/healthz"],
                           capture_output=True, timeout=60)
        self.assertEqual(r.stdout, b"200")


class StartupRefusalTest(unittest.TestCase):
    def run_brook(self, *args):
        data = tempfile.mkdtemp(prefix="brook-tls-start-")
        self.addCleanup(shutil.rmtree, data, True)
        p = subprocess.run([os.environ["BROOK_BIN"], "serve", "--data-dir", data,
                            "--kafka-port", "0", "--http-port", "0", *args],
                           capture_output=True, text=True, timeout=DEADLINE_S)
        return p.returncode, p.stdout + p.stderr

    def test_a_tls_listener_needs_a_certificate_that_matches_its_key(self):
        rc, out = self.run_brook("--listeners", "SSL://127.0.0.1:0")
        self.assertEqual(rc, 2, out)
        self.assertIn("tls.cert_file and tls.key_file", out)
        pki = tempfile.mkdtemp(prefix="brook-tls-pki-")
        self.addCleanup(shutil.rmtree, pki, True)
        make_pki(pki)
        rc, out = self.run_brook("--listeners", "SSL://127.0.0.1:0", "--tls-cert-file",
                                 os.path.join(pki, "server.pem"), "--tls-key-file",
                                 os.path.join(pki, "alice.key"))
        self.assertEqual(rc, 1, out)
        self.assertIn("is not the key of the certificate", out)
        rc, out = self.run_brook("--listeners", "SSL://127.0.0.1:0", "--tls-cert-file",
                                 os.path.join(pki, "missing.pem"), "--tls-key-file",
                                 os.path.join(pki, "server.key"))
        self.assertEqual(rc, 1, out)
        self.assertIn("missing.pem", out)
        rc, out = self.run_brook("--listeners", "SSL://127.0.0.1:0", "--tls-cert-file",
                                 os.path.join(pki, "server.pem"), "--tls-key-file",
                                 os.path.join(pki, "server.key"), "--tls-client-auth",
                                 "required")
        self.assertEqual(rc, 2, out)
        self.assertIn("tls.ca_file", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
