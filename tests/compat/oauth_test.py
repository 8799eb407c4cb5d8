#!/usr/bin/python3
"""OAUTHBEARER (SASL, RFC 7628) and HTTP Bearer tokens against a real `brook serve` and a
real OpenID Connect provider: the npm package oidc-provider, started by the test on
127.0.0.1 (tests/compat/oidc/issuer.mjs) with keys it makes at start. Brook finds the
issuer's keys by OIDC discovery and validates the JWT access tokens the provider issues
with the client credentials grant.

Real clients: confluent-kafka (librdkafka) with an oauth_cb that fetches tokens from the
provider, over SASL_SSL; kafka-python with a token provider over SASL_PLAINTEXT; kcat with
librdkafka's unsecured (alg none) token, which is refused; curl with a Bearer token over
HTTPS. (Debian's librdkafka is built without sasl.oauthbearer.method=oidc, so kcat cannot
fetch a real token itself.) Bad tokens signed by the test with the provider's own keys
(PyJWT): expired, not yet valid, another audience, another issuer, alg none, HS256 made
with the public key, a tampered signature, an unknown key, garbage; each is refused with
SASL_AUTHENTICATION_FAILED and logged with its reason, and a SCRAM client is not disturbed.
Unknown kids fetch the keys again at most once per oidc.jwks_min_refetch_ms; a slow key
endpoint holds up only the login that waits for it; an issuer that is down lets Brook
start and refuses tokens with a clear reason."""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

import jwt
import requests
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

sys.dont_write_bytecode = True  # the imports below leave no __pycache__ in the source tree
from fixtures import DEADLINE_S, BrookServer, ServerTestCase, unique, wait_until  # noqa: E402
from kafka_wire import Conn  # noqa: E402
from sasl_test import Scram, authenticate, handshake  # noqa: E402
from tls_test import make_pki  # noqa: E402

ADMIN_PASSWORD = "admin-secret-" + os.urandom(6).hex()
LISTENERS = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0"
NODE = os.environ.get("NODE", "/usr/bin/node")
KCAT = os.environ.get("KCAT", "/usr/bin/kcat")
CURL = os.environ.get("CURL", "/usr/bin/curl")
ISSUER_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "oidc")
CLIENT = ("brook-test", "brook-test-secret")  # the provider's client; tokens name it as sub
SASL_AUTHENTICATION_FAILED = 58
MECHANISMS = ["SCRAM-SHA-512", "OAUTHBEARER"]
METADATA_V1 = struct.pack(">i", -1)


class Issuer:
    """The oidc-provider process: its URL, its private keys, tokens from its token
    endpoint, and the test hooks of issuer.mjs (a slow or failing key endpoint)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="brook-oidc-")
        self.proc = subprocess.Popen(
            ["setpriv", "--pdeathsig", "KILL", "--", NODE, "issuer.mjs", self.dir],
            cwd=ISSUER_DIR, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()  # printed once it serves
        if not line.startswith("issuer "):
            self.proc.kill()
            raise RuntimeError(f"the OIDC provider did not start: {line!r}")
        self.url = line.split()[1]
        with open(os.path.join(self.dir, "keys.json")) as f:
            self.keys = json.load(f)["keys"]
        self.http = requests.Session()
        self.http.trust_env = False

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        self.http.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def token(self):
        """A real access token of the provider (client credentials grant): (token, expiry)."""
        r = self.http.post(self.url + "/token", data={"grant_type": "client_credentials"},
                           auth=CLIENT, timeout=DEADLINE_S)
        r.raise_for_status()
        body = r.json()
        return body["access_token"], time.time() + body["expires_in"]

    def sign(self, claims=None, alg="ES256", kid=None, key=None, headers=None, **changes):
        """A token signed by the test with the provider's own key of `alg` (or `key`):
        valid claims for Brook unless `claims`/`changes` say otherwise (None drops one)."""
        now = int(time.time())
        body = {"iss": self.url, "aud": "brook", "sub": CLIENT[0], "iat": now,
                "exp": now + 300}
        body.update(claims or {})
        body.update(changes)
        body = {k: v for k, v in body.items() if v is not None}
        jwk = next(k for k in self.keys if k["alg"] == alg) if key is None else key
        algorithm = jwt.algorithms.RSAAlgorithm if alg.startswith("RS") else \
            jwt.algorithms.ECAlgorithm
        private = algorithm.from_jwk(json.dumps(jwk))
        h = {"kid": kid if kid is not None else jwk["kid"]}
        h.update(headers or {})
        return jwt.encode(body, private, algorithm=alg, headers=h)

    def steer(self, **settings):
        """Sets issuer.mjs's hooks; returns its counters."""
        return self.http.post(self.url + "/__test", data=json.dumps(settings),
                              timeout=DEADLINE_S).json()

    def counters(self):
        return self.http.get(self.url + "/__test", timeout=DEADLINE_S).json()


def oauth_message(token, authzid=""):
    return f"n,{'a=' + authzid if authzid else ''},\x01auth=Bearer {token}\x01\x01".encode()


def oauth_login(conn, token, version=1):
    """SaslHandshake + one SaslAuthenticate with `token`: (error, message, bytes, lifetime)
    or None when closed."""
    hs = handshake(conn, "OAUTHBEARER")
    assert hs == (0, MECHANISMS), hs
    return authenticate(conn, oauth_message(token), version)


def scram_login(conn, user, password):
    assert handshake(conn, "SCRAM-SHA-512") == (0, MECHANISMS)
    s = Scram("SCRAM-SHA-512", user, password)
    first = authenticate(conn, s.first())
    assert first and first[0] == 0, first
    final = authenticate(conn, s.final(first[2]))
    assert final and final[0] == 0, final


class OauthTestCase(ServerTestCase):
    """The issuer, certificates, and a server that takes its tokens on SASL listeners and
    on HTTPS, beside SCRAM."""

    server_extra = ()
    min_refetch_ms = 60_000

    @classmethod
    def setUpClass(cls):
        cls.issuer = Issuer()
        cls.pki = tempfile.mkdtemp(prefix="brook-oauth-pki-")
        try:
            make_pki(cls.pki)
            cls.server_args = (
                "--listeners", LISTENERS, "--sasl-mechanisms", ",".join(MECHANISMS),
                "--oidc-issuer", cls.issuer.url, "--oidc-audience", "brook",
                "--tls-cert-file", os.path.join(cls.pki, "server.pem"),
                "--tls-key-file", os.path.join(cls.pki, "server.key"), "--http-tls", "true",
                "--oidc-jwks-min-refetch-ms", str(cls.min_refetch_ms), *cls.server_extra)
            cls.server_env = dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD)
            super().setUpClass()
        except BaseException:
            cls.issuer.close()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.issuer.close()
            shutil.rmtree(cls.pki, ignore_errors=True)

    @property
    def ca(self):
        return os.path.join(self.pki, "ca.pem")

    def port_of(self, listener):
        return self.brook.listeners[listener]

    def conn(self):
        c = Conn(self.port_of("SASL_PLAINTEXT"))
        self.addCleanup(c.close)
        return c

    @classmethod
    def grant(cls, *args):
        env = dict(os.environ, BROOK_SASL_PASSWORD=ADMIN_PASSWORD)
        p = subprocess.run(
            [os.environ["BROOK_BIN"], "acl", "add", *args, "--bootstrap",
             f"127.0.0.1:{cls.brook.listeners['SASL_PLAINTEXT']}", "--sasl-mechanism",
             "SCRAM-SHA-512", "--sasl-username", "admin"],
            capture_output=True, text=True, timeout=DEADLINE_S, env=env)
        assert p.returncode == 0, p.stdout + p.stderr

    def log_has(self, text):
        return any(text in line for line in self.brook.log_lines)


class ClientsTest(OauthTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.topic = unique("oauth")
        principal = "User:" + CLIENT[0]
        for op in ("CREATE", "WRITE", "READ"):
            cls.grant("--allow", principal, "--operation", op, "--topic", cls.topic)
        cls.grant("--allow", principal, "--operation", "READ", "--group", "*")

    def test_confluent_kafka_with_tokens_from_the_issuer_over_sasl_ssl(self):
        before = self.issuer.counters()["token_requests"]
        fetched = []

        def oauth_cb(_config):
            token, expiry = self.issuer.token()
            fetched.append(token)
            return token, expiry

        config = {"bootstrap.servers": f"127.0.0.1:{self.port_of('SASL_SSL')}",
                  "security.protocol": "SASL_SSL", "sasl.mechanisms": "OAUTHBEARER",
                  "oauth_cb": oauth_cb, "ssl.ca.location": self.ca}
        p = Producer(dict(config, acks="all"))
        sent = [f"record-{i}".encode() for i in range(5)]
        errors = []
        for v in sent:
            p.produce(self.topic, v, on_delivery=lambda e, m: e and errors.append(e))
        self.assertEqual(p.flush(DEADLINE_S), 0)
        self.assertEqual(errors, [])
        c = Consumer(dict(config, **{"group.id": unique("g"), "auto.offset.reset": "earliest"}))
        got = []
        try:
            c.subscribe([self.topic])

            def all_read():
                m = c.poll(0.5)
                if m is not None:
                    if m.error():
                        raise KafkaException(m.error())
                    got.append(m.value())
                return len(got) >= len(sent)

            wait_until(all_read, lambda: f"records read with a token (have {len(got)})")
        finally:
            c.close()
        self.assertEqual(got[:len(sent)], sent)
        self.assertTrue(fetched)
        self.assertGreater(self.issuer.counters()["token_requests"], before)
        claims = jwt.decode(fetched[0], options={"verify_signature": False})
        self.assertEqual(claims["iss"], self.issuer.url)  # a real token of the provider

    def test_kafka_python_with_a_token_provider(self):
        from kafka import KafkaConsumer, KafkaProducer
        from kafka.oauth.abstract import AbstractTokenProvider
        issuer = self.issuer

        class Provider(AbstractTokenProvider):
            def token(self):
                return issuer.token()[0]

        common = dict(bootstrap_servers=f"127.0.0.1:{self.port_of('SASL_PLAINTEXT')}",
                      security_protocol="SASL_PLAINTEXT", sasl_mechanism="OAUTHBEARER",
                      sasl_oauth_token_provider=Provider(), api_version=(2, 5, 0))
        p = KafkaProducer(acks="all", **common)
        p.send(self.topic, b"from kafka-python").get(timeout=DEADLINE_S)
        p.close()
        c = KafkaConsumer(self.topic, group_id=unique("g"), auto_offset_reset="earliest",
                          consumer_timeout_ms=int(DEADLINE_S * 1000), **common)
        try:
            for m in c:
                if m.value == b"from kafka-python":
                    break
            else:
                self.fail("the record was not read back")
        finally:
            c.close()

    def test_kcat_with_an_unsecured_token_is_refused(self):
        r = subprocess.run(
            [KCAT, "-L", "-b", f"127.0.0.1:{self.port_of('SASL_PLAINTEXT')}",
             "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=OAUTHBEARER",
             "-X", "enable.sasl.oauthbearer.unsecure.jwt=true",
             "-X", "sasl.oauthbearer.config=principal=admin", "-m", "5"],
            capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("Authentication failed", r.stderr)
        wait_until(lambda: self.log_has("alg 'none' is not accepted"),
                   "the refusal of alg none in the log")

    def curl(self, *args):
        r = subprocess.run([CURL, "-s", "-S", "--cacert", self.ca, "-o", "-", "-D", "-", *args],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        head, _, body = r.stdout.partition("\n\n")  # text mode: \r\n read as \n
        return int(head.split()[1]), head, body

    def test_curl_with_a_bearer_token_over_https(self):
        url = f"https://127.0.0.1:{self.brook.http_port}"
        token, _ = self.issuer.token()
        status, _, body = self.curl("-H", f"Authorization: Bearer {token}", url + "/v3/clusters")
        self.assertEqual(status, 200, body)
        status, _, body = self.curl(
            "-H", f"Authorization: Bearer {token}", "-H",
            "Content-Type: application/vnd.kafka.json.v2+json",
            "--data", json.dumps({"records": [{"value": {"via": "bearer"}}]}),
            url + f"/topics/{self.topic}")
        self.assertEqual(status, 200, body)
        self.assertIsNone(json.loads(body)["offsets"][0]["error_code"], body)
        # Another topic: the principal is the token's, and it has no ACL there.
        status, _, body = self.curl(
            "-H", f"Authorization: Bearer {token}", "-H",
            "Content-Type: application/vnd.kafka.json.v2+json",
            "--data", json.dumps({"records": [{"value": 1}]}), url + "/topics/" + unique("no"))
        self.assertEqual(status, 403, body)
        self.assertEqual(json.loads(body)["error_code"], 40301)
        # A refused token: 401, Confluent's 40101, and RFC 6750's challenge.
        expired = self.issuer.sign(exp=int(time.time()) - 600)
        status, head, body = self.curl("-H", f"Authorization: Bearer {expired}",
                                       url + "/v3/clusters")
        self.assertEqual(status, 401, body)
        self.assertEqual(json.loads(body)["error_code"], 40101)
        self.assertIn("expired", json.loads(body)["message"])
        self.assertIn('Bearer realm="brook", error="invalid_token"', head)
        self.assertNotIn(expired, head + body)
        status, head, _ = self.curl(url + "/v3/clusters")
        self.assertEqual(status, 401)
        self.assertIn('WWW-Authenticate: Basic realm="brook"', head)
        self.assertIn('WWW-Authenticate: Bearer realm="brook"', head)

    def test_a_token_session_lasts_as_long_as_the_token(self):
        token = self.issuer.sign(exp=int(time.time()) + 120)
        error, _, _, lifetime = oauth_login(self.conn(), token)
        self.assertEqual(error, 0)
        # Until exp (with the 30 s clock skew): never past it, and not much shorter.
        self.assertGreater(lifetime, 100_000)
        self.assertLessEqual(lifetime, 151_000)


class BadTokensTest(OauthTestCase):
    def assert_refused(self, token, reason):
        """Refused on the Kafka port (SASL_AUTHENTICATION_FAILED, then the connection is
        closed, as Kafka does) and on HTTP (401 whose message gives `reason`)."""
        c = self.conn()
        answer = oauth_login(c, token)
        self.assertIsNotNone(answer)
        self.assertEqual(answer[0], SASL_AUTHENTICATION_FAILED, answer)
        self.assertNotIn("eyJ", answer[1] or "")  # the token is not echoed
        self.assertIsNone(c.exchange(3, 1, METADATA_V1))
        with requests.Session() as http:
            http.trust_env = False
            r = http.get(f"https://127.0.0.1:{self.brook.http_port}/v3/clusters",
                         headers={"Authorization": f"Bearer {token}"}, verify=self.ca,
                         timeout=DEADLINE_S)
        self.assertEqual(r.status_code, 401, r.text)
        self.assertEqual(r.json()["error_code"], 40101)
        self.assertIn(reason, r.json()["message"])
        if token.count(".") == 2 and len(token.split(".")[2]) > 8:
            self.assertNotIn(token.split(".")[2], r.text)  # no part of the token echoed

    def test_each_bad_token_is_refused_with_its_reason(self):
        now = int(time.time())
        good = self.issuer.sign()
        header, claims, signature = good.split(".")
        flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
        rsa_public = {k: v for k, v in next(k for k in self.issuer.keys
                                             if k["kty"] == "RSA").items()
                      if k in ("kty", "n", "e")}
        hs256 = jwt.encode({"iss": self.issuer.url, "aud": "brook", "sub": "admin",
                            "exp": now + 300}, json.dumps(rsa_public), algorithm="HS256")
        from cryptography.hazmat.primitives.asymmetric import ec
        other_key = ec.generate_private_key(ec.SECP256R1())  # claims the provider's kid
        cases = [
            (self.issuer.sign(exp=now - 600), "the token expired"),
            (self.issuer.sign(nbf=now + 600), "not valid for another"),
            (self.issuer.sign(aud="someone-else"), "does not name this server"),
            (self.issuer.sign(iss="http://127.0.0.1:1"), "is not a trusted issuer"),
            (self.issuer.sign(exp=None), "has no exp"),
            (self.issuer.sign(sub=None), "has no sub claim"),
            (self.issuer.sign(alg="RS256"), None),  # the RSA key works too: not refused
            (jwt.encode({"iss": self.issuer.url, "aud": "brook", "sub": "admin",
                         "exp": now + 300}, None, algorithm="none"),
             "alg 'none' is not accepted"),
            (hs256, "alg 'HS256' is not accepted"),
            (f"{header}.{claims}.{flipped}", "bad signature"),
            (jwt.encode({"iss": self.issuer.url, "aud": "brook", "sub": "admin",
                         "exp": now + 300}, other_key, algorithm="ES256",
                        headers={"kid": self.issuer.keys[1]["kid"]}), "bad signature"),
            ("not-a-token", "malformed token"),
            (header + "." + claims, "malformed token"),
        ]
        for token, reason in cases:
            with self.subTest(reason=reason):
                if reason is None:
                    error, _, _, _ = oauth_login(self.conn(), token)
                    self.assertEqual(error, 0)
                else:
                    self.assert_refused(token, reason)

    def test_refused_tokens_land_in_the_audit_topic(self):
        self.assert_refused(self.issuer.sign(exp=int(time.time()) - 600), "the token expired")
        admin = {"bootstrap.servers": f"127.0.0.1:{self.port_of('SASL_PLAINTEXT')}",
                 "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "SCRAM-SHA-512",
                 "sasl.username": "admin", "sasl.password": ADMIN_PASSWORD,
                 "group.id": unique("audit"), "auto.offset.reset": "earliest"}
        records = []

        def audited():
            c = Consumer(admin)
            try:
                c.assign([TopicPartition("_brook_audit", 0, 0)])
                _, high = c.get_watermark_offsets(TopicPartition("_brook_audit", 0),
                                                  timeout=DEADLINE_S)
                records.clear()
                while len(records) < high:
                    m = c.poll(1.0)
                    if m is None:
                        break
                    if not m.error():
                        records.append(json.loads(m.value()))
            finally:
                c.close()
            return [r for r in records if r.get("mechanism") in ("OAUTHBEARER", "bearer")
                    and "expired" in r.get("reason", "")]

        wait_until(audited, "the refused tokens in the audit topic", interval=0.2)
        found = audited()
        self.assertEqual({r["mechanism"] for r in found}, {"OAUTHBEARER", "bearer"})
        self.assertTrue(all(r["user"] == CLIENT[0] for r in found), found)  # the claimed sub
        self.assertNotIn("eyJ", json.dumps(records))  # no token in any record

    def test_garbage_oauthbearer_messages_are_refused(self):
        for message in (b"", b"\x00" * 40, b"n,,auth=Bearer x", b"p=tls-unique,,\x01\x01",
                        b"n,,\x01auth=Basic YWRtaW46eA==\x01\x01", os.urandom(300)):
            with self.subTest(message=message[:20]):
                c = self.conn()
                self.assertEqual(handshake(c, "OAUTHBEARER"), (0, MECHANISMS))
                answer = authenticate(c, message)
                self.assertEqual(answer[0], SASL_AUTHENTICATION_FAILED, answer)
                self.assertIsNone(c.exchange(3, 1, METADATA_V1))

    def test_a_scram_client_is_not_disturbed_by_refused_tokens(self):
        c = self.conn()
        scram_login(c, "admin", ADMIN_PASSWORD)
        for _ in range(20):
            oauth_login(self.conn(), self.issuer.sign(exp=int(time.time()) - 600))
            r = c.exchange(3, 1, METADATA_V1)
            self.assertIsNotNone(r)
            self.assertEqual(r.i32(), 1)

    def test_unknown_kids_fetch_the_keys_again_at_most_once_per_interval(self):
        before = self.issuer.counters()["jwks_requests"]
        for _ in range(15):
            self.assert_refused(self.issuer.sign(kid="rotated-" + uuid.uuid4().hex),
                                "no key with kid")
        after = self.issuer.counters()["jwks_requests"]
        # oidc.jwks_min_refetch_ms is 60 s here: one fetch at most for all fifteen.
        self.assertLessEqual(after - before, 1)
        # Known keys keep working.
        self.assertEqual(oauth_login(self.conn(), self.issuer.sign())[0], 0)


class SlowIssuerTest(OauthTestCase):
    min_refetch_ms = 0
    server_extra = ("--oidc-fetch-timeout-ms", "4000")

    def setUp(self):
        # The keys fetched at start, before a test makes the endpoint slow or failing.
        wait_until(lambda: self.log_has("signing keys from"), "the first key fetch")

    def tearDown(self):
        self.issuer.steer(jwks_delay_ms=0, jwks_status=200)

    def test_a_slow_key_endpoint_holds_up_only_the_login_waiting_for_it(self):
        self.issuer.steer(jwks_delay_ms=2500)
        answer = {}

        def slow_login():
            c = Conn(self.port_of("SASL_PLAINTEXT"))
            try:
                answer["refused"] = oauth_login(c, self.issuer.sign(kid="new-" + uuid.uuid4().hex))
                answer["at"] = time.monotonic()
            finally:
                c.close()

        fetches = self.issuer.counters()["jwks_requests"]
        started = time.monotonic()
        t = threading.Thread(target=slow_login)
        t.start()
        wait_until(lambda: self.issuer.counters()["jwks_requests"] > fetches,
                   "the key fetch for the unknown kid")
        # Meanwhile other clients log in and are served at once.
        c = self.conn()
        scram_login(c, "admin", ADMIN_PASSWORD)
        self.assertEqual(oauth_login(self.conn(), self.issuer.sign())[0], 0)
        served = time.monotonic()
        t.join(DEADLINE_S)
        self.assertIn("at", answer)
        self.assertEqual(answer["refused"][0], SASL_AUTHENTICATION_FAILED)
        self.assertLess(served, answer["at"], "the other logins waited for the slow fetch")
        self.assertGreaterEqual(answer["at"] - started, 2.0)

    def test_a_failing_key_endpoint_refuses_new_kids_with_the_reason(self):
        self.issuer.steer(jwks_status=503)
        c = self.conn()
        answer = oauth_login(c, self.issuer.sign(kid="new-" + uuid.uuid4().hex))
        self.assertEqual(answer[0], SASL_AUTHENTICATION_FAILED)
        wait_until(lambda: self.log_has("answered HTTP 503"), "the fetch failure in the log")
        # The keys held before still serve.
        self.assertEqual(oauth_login(self.conn(), self.issuer.sign())[0], 0)


class IssuerDownTest(unittest.TestCase):
    def test_brook_starts_and_refuses_tokens_while_the_issuer_is_down(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            dead = f"http://127.0.0.1:{s.getsockname()[1]}"  # bound, never listening
            brook = BrookServer(extra_args=(
                "--listeners", "SASL_PLAINTEXT://127.0.0.1:0", "--sasl-mechanisms",
                "OAUTHBEARER", "--oidc-issuer", dead, "--oidc-jwks-min-refetch-ms", "0"),
                env=dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD))
            with brook:
                c = Conn(brook.port)
                try:
                    self.assertEqual(handshake(c, "OAUTHBEARER"), (0, ["OAUTHBEARER"]))
                    token = jwt.encode({"iss": dead, "sub": "x", "exp": int(time.time()) + 60},
                                       _rsa_key(), algorithm="RS256", headers={"kid": "k"})
                    self.assertEqual(authenticate(c, oauth_message(token))[0],
                                     SASL_AUTHENTICATION_FAILED)
                finally:
                    c.close()
                wait_until(lambda: any("cannot read the discovery document" in line
                                       for line in brook.log_lines),
                           "the issuer's failure in the log")
            brook.check_clean_exit(brook.proc.returncode)

    def test_without_an_issuer_only_brooks_own_tokens_are_taken(self):
        # OAUTHBEARER needs no oidc.issuer: Brook takes the tokens it gives itself (an
        # agent's key login, registry_key_login_test.py) and refuses any other issuer's.
        brook = BrookServer(extra_args=(
            "--listeners", "SASL_PLAINTEXT://127.0.0.1:0", "--sasl-mechanisms", "OAUTHBEARER"),
            env=dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD))
        with brook:
            c = Conn(brook.port)
            try:
                self.assertEqual(handshake(c, "OAUTHBEARER"), (0, ["OAUTHBEARER"]))
                token = jwt.encode({"iss": "https://idp.example", "sub": "x",
                                    "exp": int(time.time()) + 60},
                                   _rsa_key(), algorithm="RS256", headers={"kid": "k"})
                self.assertEqual(authenticate(c, oauth_message(token))[0],
                                 SASL_AUTHENTICATION_FAILED)
            finally:
                c.close()
            wait_until(lambda: any("is not a trusted issuer" in line for line in brook.log_lines),
                       "the refusal's reason in the log")
        brook.check_clean_exit(brook.proc.returncode)


def _rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


if __name__ == "__main__":
    unittest.main()
