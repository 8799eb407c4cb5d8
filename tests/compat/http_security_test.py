#!/usr/bin/python3
"""Logins and ACLs on the HTTP port, against a real `brook serve` with a SASL_PLAINTEXT
listener (so http.authentication "auto" means HTTP Basic) and an admin from the
environment.

What a user checks with curl and requests: a request without credentials, with wrong ones
or with a scheme Brook does not take is answered 401 with WWW-Authenticate and Confluent's
40101, and nothing is done; health probes and the API document stay open; the users are
those of the Kafka port (added, re-passworded and deleted with `brook user`, seen by HTTP
at once); each REST route obeys the same ACLs as the Kafka request that does the same
thing (403 and 40301 with Kafka's message, lists filtered, prefixed bindings, DENY over
ALLOW); a consumer instance acts as its creator and no other principal can use it; bad
logins do not disturb other clients; users and ACLs survive a SIGKILL."""

import base64
import os
import subprocess
import sys
import threading
import unittest

import requests

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import DEADLINE_S, unique, wait_until  # noqa: E402
from http_helpers import CURL, JSON, TIMEOUT_S, V2, V2_BINARY, V2_JSON, HttpTestCase  # noqa: E402

ADMIN_PASSWORD = "admin-secret-" + os.urandom(6).hex()
LISTENERS = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0"
FORBIDDEN = 40301
UNAUTHORIZED = 40101


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class HttpSecurityTestCase(HttpTestCase):
    server_args = ("--listeners", LISTENERS, "--group-initial-rebalance-delay-ms", "0")
    server_env = dict(os.environ, BROOK_SECURITY_ADMIN_PASSWORD=ADMIN_PASSWORD)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.session.auth = ("admin", ADMIN_PASSWORD)  # the helpers act as the admin

    @classmethod
    def brook_as_admin(cls, *args, stdin=None):
        """`brook ARGS...` logged in as the admin on the SASL listener."""
        env = dict(os.environ, BROOK_SASL_PASSWORD=ADMIN_PASSWORD)
        p = subprocess.run(
            [os.environ["BROOK_BIN"], *args, "--bootstrap",
             f"127.0.0.1:{cls.brook.listeners['SASL_PLAINTEXT']}", "--sasl-mechanism",
             "SCRAM-SHA-256", "--sasl-username", "admin"],
            input=stdin, capture_output=True, text=True, timeout=DEADLINE_S, env=env)
        return p.returncode, p.stdout + p.stderr

    def add_user(self, prefix):
        """A new user with a random password; (name, password)."""
        name, password = unique(prefix), "pw-" + os.urandom(6).hex()
        rc, out = self.brook_as_admin("user", "add", name, "--password-stdin",
                                      stdin=password + "\n")
        self.assertEqual(rc, 0, out)
        return name, password

    def grant(self, *args):
        rc, out = self.brook_as_admin("acl", "add", *args)
        self.assertEqual(rc, 0, out)

    def session_of(self, user, password):
        s = requests.Session()
        s.auth = (user, password)
        self.addCleanup(s.close)
        return s


class LoginTest(HttpSecurityTestCase):
    def test_no_credentials_is_401_with_a_challenge_and_does_nothing(self):
        topic = unique("login")
        anonymous = requests.Session()
        self.addCleanup(anonymous.close)
        r = self.http("POST", f"/topics/{topic}", {"records": [{"value": 1}]},
                      content_type=V2_JSON, session=anonymous)
        self.assert_error(r, 401, UNAUTHORIZED, "no credentials")
        self.assertTrue(r.headers["WWW-Authenticate"].startswith('Basic realm="brook"'),
                        r.headers)
        self.assertNotIn(topic, self.ok("GET", "/topics"), "a refused produce created the topic")
        for path in ("/topics", "/v3/clusters", "/consumers/g/instances/i/records"):
            r = anonymous.get(self.url + path, timeout=TIMEOUT_S)
            self.assert_error(r, 401, UNAUTHORIZED, path)

    def test_wrong_unknown_and_malformed_credentials_are_refused(self):
        name, password = self.add_user("dora")
        cases = {
            "wrong password": basic(name, password + "x"),
            "unknown user": basic(unique("nobody"), password),
            "empty password": basic(name, ""),
            "no colon": "Basic " + base64.b64encode(name.encode()).decode(),
            "not base64": "Basic !!!not-base64!!!",
            "no token": "Basic",
            "bearer": "Bearer eyJhbGciOiJub25lIn0.e30.",
            "other scheme": "Digest username=\"x\"",
            "signed for AWS": "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/s3/aws4_request",
            "binary junk": "Basic " + base64.b64encode(os.urandom(64)).decode(),
        }
        for what, header in cases.items():
            r = requests.get(self.url + "/topics", headers={"Authorization": header},
                             timeout=TIMEOUT_S)
            body = self.assert_error(r, 401, UNAUTHORIZED, what)
            self.assertNotIn(password, body["message"], what)
        ok = requests.get(self.url + "/topics", headers={"Authorization": basic(name, password)},
                          timeout=TIMEOUT_S)
        self.assertEqual(ok.status_code, 200, ok.text)
        # The scheme's name is case-insensitive (RFC 7617).
        lower = requests.get(self.url + "/topics",
                             headers={"Authorization": "basic " + basic(name, password)[6:]},
                             timeout=TIMEOUT_S)
        self.assertEqual(lower.status_code, 200, lower.text)

    def test_health_probes_and_the_api_document_need_no_login(self):
        for path in ("/healthz", "/readyz", "/openapi.json"):
            r = requests.get(self.url + path, timeout=TIMEOUT_S)
            self.assertEqual(r.status_code, 200, f"{path}: {r.text}")

    def test_curl_with_basic(self):
        name, password = self.add_user("curl")
        status, body = self.curl("-u", f"{name}:{password}", self.url + "/topics")
        self.assertEqual(status, 200, body)
        status, body = self.curl("-u", f"{name}:wrong", self.url + "/topics")
        self.assertEqual(status, 401, body)
        status, body = self.curl(self.url + "/v3/clusters")
        self.assertEqual(status, 401, body)
        self.assertIn(b'"error_code":40101', body)

    def test_one_user_on_both_ports_and_changes_apply_at_once(self):
        name, password = self.add_user("both")
        s = self.session_of(name, password)
        self.assertEqual(s.get(self.url + "/topics", timeout=TIMEOUT_S).status_code, 200)
        # A new password: the old one stops working on HTTP at once (the remembered login
        # is forgotten), the new one works.
        rc, out = self.brook_as_admin("user", "passwd", name, "--password-stdin",
                                      stdin="second-pw\n")
        self.assertEqual(rc, 0, out)
        self.assert_error(s.get(self.url + "/topics", timeout=TIMEOUT_S), 401, UNAUTHORIZED,
                          "old password")
        s.auth = (name, "second-pw")
        self.assertEqual(s.get(self.url + "/topics", timeout=TIMEOUT_S).status_code, 200)
        rc, out = self.brook_as_admin("user", "delete", name)
        self.assertEqual(rc, 0, out)
        self.assert_error(s.get(self.url + "/topics", timeout=TIMEOUT_S), 401, UNAUTHORIZED,
                          "deleted user")

    def test_a_storm_of_bad_logins_does_not_disturb_a_good_client(self):
        name, password = self.add_user("calm")
        topic = unique("calm")
        self.create_topic(topic)
        self.grant("--allow", f"User:{name}", "--operation", "ALL", "--topic", topic)
        good = self.session_of(name, password)
        stop = threading.Event()
        refused = []

        def attacker():
            with requests.Session() as s:
                while not stop.is_set():
                    r = s.get(self.url + "/topics", headers={"Authorization": basic(name, "guess")},
                              timeout=TIMEOUT_S)
                    refused.append(r.status_code)

        threads = [threading.Thread(target=attacker) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            for i in range(20):
                out = self.produce_v2(topic, [{"value": {"n": i}, "partition": 0}], session=good)
                self.assertEqual(out[0]["offset"], i)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertTrue(refused and set(refused) == {401}, set(refused))


class AuthorizationTest(HttpSecurityTestCase):
    """The ACL matrix of the HTTP routes: the same rules as the Kafka requests."""

    def setUp(self):
        self.user, password = self.add_user("bob")
        self.s = self.session_of(self.user, password)
        self.topic = unique("acl")
        self.create_topic(self.topic, partitions=2)
        self.produce_v2(self.topic, [{"value": {"n": 1}, "partition": 0}])

    def as_user(self, method, path, body=None, content_type=None, accept=None):
        return self.http(method, path, body, content_type=content_type, accept=accept,
                         session=self.s)

    def test_without_acls_everything_is_refused_or_hidden(self):
        t = self.topic
        self.assertNotIn(t, self.as_user("GET", "/topics").json(), "Metadata shows the topic")
        v3_topics = self.as_user("GET", self.v3("/topics")).json()["data"]
        self.assertNotIn(t, [x["topic_name"] for x in v3_topics])
        refused = [
            ("GET", f"/topics/{t}", None, None, None),
            ("GET", f"/topics/{t}/partitions", None, None, None),
            ("GET", f"/topics/{t}/partitions/0/offsets", None, None, None),
            ("GET", f"/topics/{t}/partitions/0/records?offset=0", None, None, V2_BINARY),
            ("POST", f"/topics/{t}", {"records": [{"value": 1}]}, V2_JSON, None),
            ("POST", f"/topics/{t}/partitions/0", {"records": [{"value": 1}]}, V2_JSON, None),
            ("GET", self.v3(f"/topics/{t}"), None, None, None),
            ("GET", self.v3(f"/topics/{t}/configs"), None, None, None),
            ("GET", self.v3(f"/topics/{t}/configs/retention.ms"), None, None, None),
            ("PUT", self.v3(f"/topics/{t}/configs/retention.ms"), {"value": "1000"}, JSON, None),
            ("POST", self.v3(f"/topics/{t}/configs:alter"),
             {"data": [{"name": "retention.ms", "value": "1000"}]}, JSON, None),
            ("GET", self.v3(f"/topics/{t}/partitions"), None, None, None),
            ("DELETE", self.v3(f"/topics/{t}"), None, None, None),
            ("POST", self.v3("/topics"), {"topic_name": unique("new")}, JSON, None),
        ]
        for method, path, body, ctype, accept in refused:
            r = self.as_user(method, path, body, ctype, accept)
            msg = self.assert_error(r, 403, FORBIDDEN, f"{method} {path}")["message"]
            self.assertTrue(msg.startswith("Not authorized to access topics: ["), msg)
        # Nothing changed: the topic is there with its one record and its retention.
        self.assertEqual(self.offsets(t, 0), (0, 1))
        configs = self.ok("GET", self.v3(f"/topics/{t}/configs/retention.ms"))
        self.assertNotEqual(configs["value"], "1000")
        # v3 produce answers each record with the refusal.
        r = self.as_user("POST", self.v3(f"/topics/{t}/records"),
                         {"value": {"type": "JSON", "data": 1}}, JSON)
        self.assertEqual(r.status_code, 403, r.text)
        self.assertEqual(r.json()["error_code"], FORBIDDEN)

    def test_each_operation_allows_what_kafka_allows(self):
        t, u = self.topic, f"User:{self.user}"
        # DESCRIBE: metadata and offsets, not records.
        self.grant("--allow", u, "--operation", "DESCRIBE", "--topic", t)
        self.assertIn(t, self.as_user("GET", "/topics").json())
        self.assertEqual(self.as_user("GET", f"/topics/{t}/partitions/0/offsets").status_code, 200)
        r = self.as_user("GET", f"/topics/{t}/partitions/0/records?offset=0", accept=V2_BINARY)
        self.assert_error(r, 403, FORBIDDEN, "records with DESCRIBE only")
        # WRITE: produce (v2 and v3).
        self.grant("--allow", u, "--operation", "WRITE", "--topic", t)
        out = self.as_user("POST", f"/topics/{t}/partitions/0", {"records": [{"value": 2}]},
                           V2_JSON)
        self.assertEqual(out.status_code, 200, out.text)
        self.assertEqual(out.json()["offsets"][0]["offset"], 1)
        r = self.as_user("POST", self.v3(f"/topics/{t}/records"),
                         {"partition_id": 0, "value": {"type": "JSON", "data": 3}}, JSON)
        self.assertEqual(r.status_code, 200, r.text)
        # READ: records.
        self.grant("--allow", u, "--operation", "READ", "--topic", t)
        r = self.as_user("GET", f"/topics/{t}/partitions/0/records?offset=0", accept=V2_JSON)
        self.assertEqual([x["value"] for x in r.json()], [{"n": 1}, 2, 3])
        # DESCRIBE_CONFIGS and ALTER_CONFIGS.
        self.assert_error(self.as_user("GET", self.v3(f"/topics/{t}/configs")), 403, FORBIDDEN,
                          "configs")
        self.grant("--allow", u, "--operation", "DESCRIBE_CONFIGS", "--topic", t)
        self.assertEqual(self.as_user("GET", self.v3(f"/topics/{t}/configs")).status_code, 200)
        self.grant("--allow", u, "--operation", "ALTER_CONFIGS", "--topic", t)
        r = self.as_user("PUT", self.v3(f"/topics/{t}/configs/retention.ms"), {"value": "86400000"},
                         JSON)
        self.assertEqual(r.status_code, 204, r.text)
        # DELETE.
        self.grant("--allow", u, "--operation", "DELETE", "--topic", t)
        self.assertEqual(self.as_user("DELETE", self.v3(f"/topics/{t}")).status_code, 204)
        self.assertNotIn(t, self.ok("GET", "/topics"))

    def test_creating_topics_needs_create_and_produce_without_it_creates_nothing(self):
        u = f"User:{self.user}"
        prefix = unique("team") + "."
        self.grant("--allow", u, "--operation", "WRITE", "--topic", prefix, "--prefixed")
        # WRITE without CREATE: producing to a missing topic does not create it.
        r = self.as_user("POST", f"/topics/{prefix}auto", {"records": [{"value": 1}]}, V2_JSON)
        self.assert_error(r, 404, 40401, "produce to a missing topic without CREATE")
        self.assertNotIn(prefix + "auto", self.ok("GET", "/topics"))
        self.grant("--allow", u, "--operation", "CREATE", "--topic", prefix, "--prefixed")
        created = self.as_user("POST", self.v3("/topics"),
                               {"topic_name": prefix + "made", "partitions_count": 1}, JSON)
        self.assertEqual(created.status_code, 201, created.text)
        out = self.as_user("POST", f"/topics/{prefix}auto", {"records": [{"value": 1}]}, V2_JSON)
        self.assertEqual(out.status_code, 200, out.text)
        self.assertIn(prefix + "auto", self.ok("GET", "/topics"))
        # Outside the prefix: refused.
        r = self.as_user("POST", self.v3("/topics"), {"topic_name": unique("elsewhere")}, JSON)
        self.assert_error(r, 403, FORBIDDEN, "create outside the prefix")

    def test_deny_wins_over_allow(self):
        t, u = self.topic, f"User:{self.user}"
        self.grant("--allow", u, "--operation", "ALL", "--topic", "*")
        self.assertEqual(self.as_user("GET", f"/topics/{t}").status_code, 200)
        self.grant("--deny", u, "--operation", "READ", "--topic", t)
        r = self.as_user("GET", f"/topics/{t}/partitions/0/records?offset=0", accept=V2_BINARY)
        self.assert_error(r, 403, FORBIDDEN, "denied READ")
        out = self.as_user("POST", f"/topics/{t}/partitions/0", {"records": [{"value": 9}]},
                           V2_JSON)
        self.assertEqual(out.status_code, 200, out.text)


class ConsumerInstanceTest(HttpSecurityTestCase):
    def test_an_instance_reads_as_its_creator_and_only_for_it(self):
        bob, bob_pw = self.add_user("bob")
        eve, eve_pw = self.add_user("eve")
        topic, group = unique("inst"), unique("grp")
        self.create_topic(topic)
        self.produce_v2(topic, [{"value": {"n": i}, "partition": 0} for i in range(3)])
        as_bob, as_eve = self.session_of(bob, bob_pw), self.session_of(eve, eve_pw)
        # An instance takes a place under http.max_consumer_instances: READ on the group.
        instance = {"name": "one", "format": "json", "auto.offset.reset": "earliest"}
        r = self.http("POST", f"/consumers/{group}", instance, content_type=V2, session=as_bob)
        body = self.assert_error(r, 403, FORBIDDEN, "an instance without READ on the group")
        self.assertEqual(body["message"], f"Not authorized to access group: {group}")
        self.grant("--allow", f"User:{bob}", "--operation", "READ", "--group", group)
        created = self.http("POST", f"/consumers/{group}", instance, content_type=V2,
                            session=as_bob)
        self.assertEqual(created.status_code, 200, created.text)
        base = created.json()["base_uri"]
        self.addCleanup(self.http, "DELETE", base, session=as_bob)
        sub = {"topics": [topic]}
        self.assert_error(r, 403, FORBIDDEN, "subscribe to a topic bob cannot describe")
        self.grant("--allow", f"User:{bob}", "--operation", "READ", "--topic", topic)
        r = self.http("POST", base + "/subscription", sub, content_type=V2, session=as_bob)
        self.assertEqual(r.status_code, 204, r.text)
        got = []

        def three():
            r = self.http("GET", base + "/records?timeout=500", accept=V2_JSON, session=as_bob)
            self.assertEqual(r.status_code, 200, r.text)
            got.extend(x["value"]["n"] for x in r.json())
            return len(got) >= 3

        wait_until(three, lambda: f"3 records (have {got})")
        self.assertEqual(got, [0, 1, 2])
        r = self.http("POST", base + "/offsets", content_type=V2, session=as_bob)
        self.assertIn(r.status_code, (200, 204), r.text)
        # Eve, and even the admin, cannot use bob's instance: it is not found for them.
        for who, s in (("eve", as_eve), ("admin", self.session)):
            for method, path, body in (("GET", base + "/records", None),
                                       ("GET", base + "/subscription", None),
                                       ("POST", base + "/offsets", None),
                                       ("DELETE", base, None)):
                r = self.http(method, path, body, content_type=V2 if method == "POST" else None,
                              accept=V2_JSON if path.endswith("records") else None, session=s)
                self.assert_error(r, 404, 40403, f"{who}: {method} {path}")
        # Bob's instance is still there and still his.
        r = self.http("GET", base + "/subscription", session=as_bob)
        self.assertEqual(r.json()["topics"], [topic])

    def test_a_pattern_never_hands_out_records_of_a_topic_it_may_not_read(self):
        bob, pw = self.add_user("bob")
        prefix, group = unique("pat"), unique("grp")
        readable, hidden = prefix + "-a", prefix + "-b"
        for t in (readable, hidden):
            self.create_topic(t)
            self.produce_v2(t, [{"value": {"t": t}, "partition": 0}])
        self.grant("--allow", f"User:{bob}", "--operation", "READ", "--group", group)
        self.grant("--allow", f"User:{bob}", "--operation", "READ", "--topic", readable)
        as_bob = self.session_of(bob, pw)
        created = self.http("POST", f"/consumers/{group}",
                            {"name": "p", "format": "json", "auto.offset.reset": "earliest"},
                            content_type=V2, session=as_bob)
        base = created.json()["base_uri"]
        self.addCleanup(self.http, "DELETE", base, session=as_bob)
        r = self.http("POST", base + "/subscription", {"topic_pattern": prefix + "-.*"},
                      content_type=V2, session=as_bob)
        self.assertEqual(r.status_code, 204, r.text)
        # The first poll starts before the group assigns anything and waits through the join:
        # what it returns is checked when it returns.
        seen, refused = set(), []

        def refused_once_assigned():
            r = self.http("GET", base + "/records?timeout=1000", accept=V2_JSON, session=as_bob)
            if r.status_code == 200:
                seen.update(x["topic"] for x in r.json())
            else:
                refused.append(self.assert_error(r, 403, FORBIDDEN, "poll")["message"])
            return bool(refused)

        wait_until(refused_once_assigned, lambda: f"a refused poll (seen {seen})")
        self.assertNotIn(hidden, seen, "records of a topic bob may not read")
        self.assertEqual(refused[0], f"Not authorized to access topics: [{hidden}]")

    def test_polling_a_topic_the_acls_no_longer_allow_is_refused(self):
        bob, pw = self.add_user("bob")
        topic, group = unique("revoked"), unique("grp")
        self.create_topic(topic)
        as_bob = self.session_of(bob, pw)
        self.grant("--allow", f"User:{bob}", "--operation", "READ", "--group", group)
        self.grant("--allow", f"User:{bob}", "--operation", "READ", "--topic", topic)
        created = self.http("POST", f"/consumers/{group}", {"name": "c", "format": "binary"},
                            content_type=V2, session=as_bob)
        base = created.json()["base_uri"]
        self.addCleanup(self.http, "DELETE", base, session=as_bob)
        r = self.http("POST", base + "/assignments",
                      {"partitions": [{"topic": topic, "partition": 0}]}, content_type=V2,
                      session=as_bob)
        self.assertEqual(r.status_code, 204, r.text)
        r = self.http("GET", base + "/records", accept=V2_BINARY, session=as_bob)
        self.assertEqual(r.status_code, 200, r.text)
        rc, out = self.brook_as_admin("acl", "delete", "--allow", f"User:{bob}", "--operation",
                                      "READ", "--topic", topic)
        self.assertEqual(rc, 0, out)
        r = self.http("GET", base + "/records", accept=V2_BINARY, session=as_bob)
        self.assert_error(r, 403, FORBIDDEN, "poll after the READ binding went")


class RestartTest(HttpSecurityTestCase):
    def test_users_and_acls_survive_a_sigkill(self):
        name, password = self.add_user("kept")
        topic = unique("kept")
        self.create_topic(topic)
        self.grant("--allow", f"User:{name}", "--operation", "WRITE", "--topic", topic)
        self.brook.restart(kill=True)
        type(self)._cluster_id = None
        s = self.session_of(name, password)
        out = self.produce_v2(topic, [{"value": 1, "partition": 0}], session=s)
        self.assertEqual(out[0]["offset"], 0)
        r = self.http("GET", f"/topics/{topic}/partitions/0/records?offset=0", accept=V2_BINARY,
                      session=s)
        self.assert_error(r, 403, FORBIDDEN, "READ was never granted")


class ConnectorPrincipalTest(HttpSecurityTestCase):
    """A connector acts as a principal of its own (User:connector-<name>, or its
    `principal`) under the ACLs, as a Kafka Connect worker with its own credentials does:
    refused until granted, then it writes; managing connectors needs ALTER on the cluster."""

    def status(self, name):
        return self.ok("GET", f"/connectors/{name}/status")

    def test_a_sink_reads_only_what_its_principal_is_granted(self):
        topic, name = unique("acts"), unique("acting")
        self.create_topic(topic)
        self.produce_v2(topic, [{"value": {"n": i}} for i in range(3)])
        out = os.path.join(self.brook.data_dir, f"{name}.jsonl")
        self.ok("POST", "/connectors", {"name": name, "config": {
            "connector.class": "FileStreamSink", "topics": topic, "file": out,
            "format": "json", "offset.flush.interval.ms": "50"}}, status=201)
        who = f"User:connector-{name}"
        # No ACL for it yet: the worker is refused (and retries), the records stay unread.
        wait_until(lambda: "authoriz" in self.status(name).get("last_error", "").lower(),
                   "the connector's refusal")
        st = self.status(name)
        self.assertEqual(st["principal"], who)
        self.assertEqual(st["records_written"], 0)
        self.assertFalse(os.path.exists(out) and os.path.getsize(out) > 0)
        self.grant("--allow", who, "--operation", "READ", "--topic", topic)
        self.grant("--allow", who, "--operation", "READ", "--group", f"connect-{name}")

        def written():
            try:
                with open(out) as f:
                    return f.read()
            except FileNotFoundError:
                return ""
        wait_until(lambda: written() == '{"n":0}\n{"n":1}\n{"n":2}\n', "the granted sink's file")
        wait_until(lambda: "last_error" not in self.status(name), "the error cleared")
        self.ok("DELETE", f"/connectors/{name}", status=204)

    def test_a_chosen_principal_and_a_bad_one(self):
        topic, name = unique("chosen"), unique("chosen")
        self.create_topic(topic)
        user, _ = self.add_user("etl")
        self.grant("--allow", f"User:{user}", "--operation", "WRITE", "--topic", topic)
        self.ok("POST", "/connectors", {"name": name, "config": {
            "connector.class": "DatagenConnector", "kafka.topic": topic,
            "template": '{"n": "{{seq}}"}', "max.interval": "1", "iterations": "5",
            "principal": f"User:{user}"}}, status=201)
        wait_until(lambda: self.offsets(topic, 0)[1] == 5, "the source's records")
        self.assertEqual(self.status(name)["principal"], f"User:{user}")
        self.ok("DELETE", f"/connectors/{name}", status=204)
        r = self.http("POST", "/connectors", {"name": unique("bad"), "config": {
            "connector.class": "DatagenConnector", "kafka.topic": topic,
            "template": "{}", "principal": "nocolon"}})
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("principal must be TYPE:NAME", r.json()["message"])

    def test_managing_connectors_needs_alter_on_the_cluster(self):
        user, password = self.add_user("nosy")
        s = self.session_of(user, password)
        r = self.http("POST", "/connectors", {"name": unique("x"), "config": {
            "connector.class": "DatagenConnector", "kafka.topic": "t", "template": "{}",
            "principal": "User:admin"}}, session=s)
        self.assertEqual(r.status_code, 403, r.text)
        self.assertIn("ALTER on the cluster", r.text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
