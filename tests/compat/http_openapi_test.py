#!/usr/bin/python3
"""doc/openapi.json against the server that serves it. The document itself: it parses, is
pretty-printed JSON, is OpenAPI 3.0, lists exactly the endpoints `brook serve` answers,
each with an operationId and its responses, every $ref resolves and every example fits
its schema. Then a real `brook serve`: GET /openapi.json is the file byte for byte, and
the answers of a set of calls (v2 and v3, successes and errors) fit the documented
schemas: types, required properties, and no property the document does not list.

The schema checker below covers the part of OpenAPI 3.0's schema language the document
uses ($ref, type, format, nullable, enum, required, properties, additionalProperties,
items, oneOf); anything else in a schema fails the test, so the checker and the document
stay in step."""

import base64
import binascii
import json
import os
import re
import sys
import unittest
import uuid

import requests

sys.dont_write_bytecode = True  # the import below leaves no __pycache__ in the source tree
from fixtures import ServerTestCase  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DOC_PATH = os.path.join(HERE, "..", "..", "doc", "openapi.json")
TIMEOUT_S = 30

V2 = "application/vnd.kafka.v2+json"
V2_JSON = "application/vnd.kafka.json.v2+json"
V2_BINARY = "application/vnd.kafka.binary.v2+json"

# Every operation Brook serves over HTTP, and nothing else.
CONSUMER = "/consumers/{group}/instances/{instance}"
V3_TOPIC = "/v3/clusters/{cluster_id}/topics/{topic_name}"
SERVED_OPERATIONS = {
    ("get", "/healthz"), ("get", "/readyz"), ("get", "/openapi.json"),
    ("get", "/topics"), ("get", "/topics/{topic}"), ("post", "/topics/{topic}"),
    ("get", "/topics/{topic}/partitions"), ("get", "/topics/{topic}/partitions/{partition}"),
    ("post", "/topics/{topic}/partitions/{partition}"),
    ("get", "/topics/{topic}/partitions/{partition}/offsets"),
    ("get", "/topics/{topic}/partitions/{partition}/records"),
    ("get", "/brokers"),
    ("post", "/consumers/{group}"), ("delete", CONSUMER),
    ("post", CONSUMER + "/subscription"), ("get", CONSUMER + "/subscription"),
    ("delete", CONSUMER + "/subscription"),
    ("post", CONSUMER + "/assignments"), ("get", CONSUMER + "/assignments"),
    ("post", CONSUMER + "/positions"), ("post", CONSUMER + "/positions/beginning"),
    ("post", CONSUMER + "/positions/end"),
    ("get", CONSUMER + "/records"),
    ("post", CONSUMER + "/offsets"), ("get", CONSUMER + "/offsets"),
    ("get", "/v3/clusters"), ("get", "/v3/clusters/{cluster_id}"),
    ("get", "/v3/clusters/{cluster_id}/brokers"),
    ("get", "/v3/clusters/{cluster_id}/topics"), ("post", "/v3/clusters/{cluster_id}/topics"),
    ("get", V3_TOPIC), ("delete", V3_TOPIC),
    ("get", V3_TOPIC + "/configs"),
    ("get", V3_TOPIC + "/configs/{name}"), ("put", V3_TOPIC + "/configs/{name}"),
    ("delete", V3_TOPIC + "/configs/{name}"),
    ("post", V3_TOPIC + "/configs:alter"),
    ("get", V3_TOPIC + "/partitions"), ("get", V3_TOPIC + "/partitions/{partition_id}"),
    ("post", V3_TOPIC + "/records"),
    ("get", "/v1/groups/{group}/lag"), ("get", "/metrics"), ("get", "/v1/topics/{topic}/records"),
    ("get", "/connector-plugins"), ("get", "/connectors"), ("post", "/connectors"),
    ("get", "/connectors/{name}"), ("delete", "/connectors/{name}"),
    ("get", "/connectors/{name}/config"), ("put", "/connectors/{name}/config"),
    ("get", "/connectors/{name}/status"), ("get", "/connectors/{name}/tasks"),
    ("put", "/connectors/{name}/pause"), ("put", "/connectors/{name}/resume"),
    ("post", "/connectors/{name}/restart"), ("post", "/connectors/{name}/tasks/{task}/restart"),
    ("post", "/v1/agents"), ("get", "/v1/agents"), ("get", "/v1/agents/{id}"),
    ("patch", "/v1/agents/{id}"), ("delete", "/v1/agents/{id}"),
    ("post", "/v1/agents/{id}/credentials:rotate"), ("post", "/v1/agents/{id}:disable"),
    ("post", "/v1/agents/{id}:enable"), ("get", "/v1/agents/{id}/logins"),
    ("post", "/v1/agents/{id}/challenge"), ("post", "/v1/agents/{id}/token"),
    ("get", "/v1/session"), ("post", "/v1/session"), ("delete", "/v1/session"),
    ("post", "/v1/authorize"), ("get", "/v1/groups"), ("get", "/v1/groups/{group}"),
    ("delete", "/v1/groups/{group}"), ("get", "/ui"), ("get", "/ui/{file}"), ("get", "/"),
    ("get", "/v1/overview"), ("get", "/v1/topics"), ("get", "/v1/topics/{topic}/live"),
    ("get", "/v1/topics/{topic}/chart"), ("get", "/v1/session/oidc"),
    ("get", "/v1/session/oidc/callback"), ("post", "/v1/groups/{group}/offsets:reset"),
}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
SCHEMA_KEYS = {"$ref", "type", "format", "nullable", "enum", "required", "properties",
               "additionalProperties", "items", "oneOf", "description", "minimum"}


def load_document():
    with open(DOC_PATH, "rb") as f:
        raw = f.read()
    return raw, json.loads(raw.decode("utf-8"))


class SchemaChecker:
    """Checks a JSON value against a schema of the document; returns the problems found,
    each as 'where: what'."""

    def __init__(self, doc):
        self.doc = doc

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"external $ref {ref}")
            target = self.doc
            for part in ref[2:].split("/"):
                target = target[part]
            node = target
        return node

    def check(self, value, schema, where="$"):
        schema = self.resolve(schema)
        unknown = set(schema) - SCHEMA_KEYS
        if unknown:
            return [f"{where}: the checker does not know schema keys {sorted(unknown)}"]
        if value is None:
            return [] if schema.get("nullable") else [f"{where}: null is not allowed"]
        if "oneOf" in schema:
            passing = [s for s in schema["oneOf"] if not self.check(value, s, where)]
            if len(passing) != 1:
                return [f"{where}: matches {len(passing)} of the oneOf schemas, not 1"]
            return []
        problems = []
        if "enum" in schema and value not in schema["enum"]:
            problems.append(f"{where}: {value!r} is not one of {schema['enum']}")
        kind = schema.get("type")
        if kind is None:
            return problems  # any JSON value
        checker = getattr(self, "_check_" + kind)
        return problems + checker(value, schema, where)

    def _check_string(self, value, schema, where):
        if not isinstance(value, str):
            return [f"{where}: {value!r} is not a string"]
        fmt = schema.get("format")
        if fmt == "byte":
            try:
                base64.b64decode(value, validate=True)
            except binascii.Error:
                return [f"{where}: {value!r} is not base64"]
        elif fmt == "date-time" and not DATE_TIME.match(value):
            return [f"{where}: {value!r} is not an RFC 3339 date-time"]
        return []

    def _check_integer(self, value, schema, where):
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{where}: {value!r} is not an integer"]
        bits = {"int32": 31, "int64": 63}.get(schema.get("format"))
        if bits and not -(1 << bits) <= value < (1 << bits):
            return [f"{where}: {value} is out of the {schema['format']} range"]
        if "minimum" in schema and value < schema["minimum"]:
            return [f"{where}: {value} is below {schema['minimum']}"]
        return []

    def _check_number(self, value, schema, where):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return [f"{where}: {value!r} is not a number"]
        return []

    def _check_boolean(self, value, schema, where):
        return [] if isinstance(value, bool) else [f"{where}: {value!r} is not a boolean"]

    def _check_array(self, value, schema, where):
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__} is not an array"]
        problems = []
        for i, item in enumerate(value):
            problems += self.check(item, schema.get("items", {}), f"{where}[{i}]")
        return problems

    def _check_object(self, value, schema, where):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} is not an object"]
        problems = []
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where}: required property {name!r} is missing")
        extra = schema.get("additionalProperties", False)
        for name, item in value.items():
            if name in properties:
                problems += self.check(item, properties[name], f"{where}.{name}")
            elif isinstance(extra, dict):
                problems += self.check(item, extra, f"{where}.{name}")
            elif extra is not True:
                problems.append(f"{where}: property {name!r} is not documented")
        return problems


def walk(node, path=()):
    """Yields (path, dict) for every object in the document."""
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def operations(doc):
    for template, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, template, operation


class DocumentTest(unittest.TestCase):
    """doc/openapi.json on its own; needs no server."""

    @classmethod
    def setUpClass(cls):
        cls.raw, cls.doc = load_document()
        cls.checker = SchemaChecker(cls.doc)

    def test_is_pretty_printed_json_with_two_space_indent(self):
        text = self.raw.decode("utf-8")
        self.assertEqual(text, json.dumps(self.doc, indent=2, ensure_ascii=False) + "\n")

    def test_is_openapi_3_0(self):
        self.assertRegex(self.doc["openapi"], r"^3\.0\.\d+$")
        self.assertIn("title", self.doc["info"])
        self.assertIn("version", self.doc["info"])

    def test_lists_exactly_the_served_operations(self):
        listed = {(method, template) for method, template, _ in operations(self.doc)}
        self.assertEqual(sorted(listed - SERVED_OPERATIONS), [], "documented, not served")
        self.assertEqual(sorted(SERVED_OPERATIONS - listed), [], "served, not documented")

    def test_every_operation_has_a_unique_id_and_responses(self):
        ids = []
        for method, template, operation in operations(self.doc):
            where = f"{method.upper()} {template}"
            self.assertIn("operationId", operation, where)
            ids.append(operation["operationId"])
            self.assertTrue(operation.get("responses"), where)
            for status, response in operation["responses"].items():
                self.assertRegex(status, r"^[1-5]\d\d$", where)
                self.assertIn("description", self.checker.resolve(response), where)
        self.assertEqual(len(ids), len(set(ids)), "duplicate operationIds")

    def test_every_error_response_has_the_error_shape(self):
        error = {"$ref": "#/components/schemas/Error"}
        for method, template, operation in operations(self.doc):
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                for media, body in self.checker.resolve(response)["content"].items():
                    self.assertEqual(body["schema"], error, f"{method} {template} {status}")

    def test_every_ref_resolves(self):
        for path, node in walk(self.doc):
            if "$ref" in node:
                try:
                    self.checker.resolve(node)
                except (KeyError, ValueError) as e:
                    self.fail(f"{'/'.join(map(str, path))}: $ref {node['$ref']}: {e!r}")

    def test_path_parameters_are_declared(self):
        for template, item in self.doc["paths"].items():
            names = set(re.findall(r"\{([^}]+)\}", template))
            for method, operation in item.items():
                if method not in METHODS:
                    continue
                declared = {self.checker.resolve(p)["name"]
                            for p in item.get("parameters", []) + operation.get("parameters", [])
                            if self.checker.resolve(p)["in"] == "path"}
                self.assertEqual(declared, names, f"{method.upper()} {template}")

    def test_examples_fit_their_schemas(self):
        count = 0
        for path, node in walk(self.doc):
            if "schema" in node and "example" in node:
                count += 1
                problems = self.checker.check(node["example"], node["schema"])
                self.assertEqual(problems, [], "/".join(map(str, path)))
        self.assertGreater(count, 10)

    def test_every_schema_uses_only_what_the_checker_knows(self):
        for name, schema in self.doc["components"]["schemas"].items():
            for path, node in walk(schema):
                if path and path[-1] == "properties":
                    continue  # property names, not schema keys
                unknown = set(node) - SCHEMA_KEYS
                self.assertEqual(unknown, set(), f"components/schemas/{name}/{path}")


class ServedApiTest(ServerTestCase):
    """A real server: the document it serves, and its answers against the document."""

    @classmethod
    def setUpClass(cls):
        cls.raw, cls.doc = load_document()
        cls.checker = SchemaChecker(cls.doc)
        super().setUpClass()
        cls.url = cls.brook.http_url
        cls.http = requests.Session()
        cls.cluster_id = cls.http.get(cls.url + "/v3/clusters",
                                      timeout=TIMEOUT_S).json()["data"][0]["cluster_id"]

    @classmethod
    def tearDownClass(cls):
        cls.http.close()
        super().tearDownClass()

    # -- helpers -----------------------------------------------------------------------

    def call(self, method, template, status, fill=None, **kwargs):
        """Sends METHOD to the template filled in from `fill`, checks the status and that
        the answer fits the documented response; returns the parsed body (None if empty).
        kwargs go to requests (params, json, headers...)."""
        path = template.format(**(fill or {}))
        r = self.http.request(method, self.url + path, timeout=TIMEOUT_S, **kwargs)
        where = f"{method} {path} -> {r.status_code} {r.text[:500]}"
        self.assertEqual(r.status_code, status, where)
        operation = self.doc["paths"][template][method.lower()]
        self.assertIn(str(status), operation["responses"], f"{where}: status not documented")
        response = self.checker.resolve(operation["responses"][str(status)])
        if "content" not in response:
            self.assertEqual(r.content, b"", where)
            return None
        media = r.headers.get("Content-Type", "").split(";")[0].strip()
        self.assertIn(media, response["content"], f"{where}: Content-Type not documented")
        body = r.json()
        problems = self.checker.check(body, response["content"][media]["schema"])
        self.assertEqual(problems, [], where)
        return body

    def error(self, method, template, status, code, fill=None, **kwargs):
        body = self.call(method, template, status, fill, **kwargs)
        self.assertEqual(body["error_code"], code, body)
        return body

    def new_topic(self, partitions=1):
        name = "http-" + uuid.uuid4().hex[:12]
        topic = self.call("POST", "/v3/clusters/{cluster_id}/topics", 201,
                          {"cluster_id": self.cluster_id},
                          json={"topic_name": name, "partitions_count": partitions})
        self.assertEqual(topic["topic_name"], name)
        self.assertEqual(topic["partitions_count"], partitions)
        return name

    # -- the document ------------------------------------------------------------------

    def test_serves_the_document_byte_for_byte(self):
        r = self.http.get(self.url + "/openapi.json", timeout=TIMEOUT_S)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers["Content-Type"].split(";")[0], "application/json")
        self.assertEqual(r.content, self.raw)

    def test_health(self):
        self.assertEqual(self.call("GET", "/healthz", 200), {"status": "ok"})
        self.assertEqual(self.call("GET", "/readyz", 200), {"status": "ready"})

    # -- v2 ----------------------------------------------------------------------------

    def test_v2_topics_partitions_brokers(self):
        topic = self.new_topic(partitions=2)
        names = self.call("GET", "/topics", 200)
        self.assertIn(topic, names)
        p = {"topic": topic, "partition": 1}
        described = self.call("GET", "/topics/{topic}", 200, p)
        self.assertEqual(described["name"], topic)
        self.assertEqual([x["partition"] for x in described["partitions"]], [0, 1])
        self.assertEqual(len(self.call("GET", "/topics/{topic}/partitions", 200, p)), 2)
        self.assertEqual(self.call("GET", "/topics/{topic}/partitions/{partition}", 200,
                                   p)["partition"], 1)
        self.assertEqual(self.call("GET", "/topics/{topic}/partitions/{partition}/offsets",
                                   200, p), {"beginning_offset": 0, "end_offset": 0})
        self.assertEqual(self.call("GET", "/brokers", 200), {"brokers": [0]})

    def test_v2_produce_json_and_read_it_back(self):
        topic = self.new_topic()
        records = [{"key": "user-1", "value": {"event": "signup", "n": [1, 2.5, None]}},
                   {"value": "plain", "partition": 0}]
        answer = self.call("POST", "/topics/{topic}", 200, {"topic": topic},
                           headers={"Content-Type": V2_JSON}, json={"records": records})
        self.assertEqual([(o["partition"], o["offset"], o["error_code"])
                          for o in answer["offsets"]], [(0, 0, None), (0, 1, None)])
        got = self.call("GET", "/topics/{topic}/partitions/{partition}/records", 200,
                        {"topic": topic, "partition": 0},
                        params={"offset": 0, "count": 2}, headers={"Accept": V2_JSON})
        self.assertEqual([(r["offset"], r["key"], r["value"]) for r in got],
                         [(0, "user-1", records[0]["value"]), (1, None, "plain")])

    def test_v2_produce_binary_and_read_it_back(self):
        topic = self.new_topic()
        key, value = b"\x00key\xff", bytes(range(256))
        answer = self.call(
            "POST", "/topics/{topic}/partitions/{partition}", 200,
            {"topic": topic, "partition": 0}, headers={"Content-Type": V2_BINARY},
            json={"records": [{"key": base64.b64encode(key).decode(),
                               "value": base64.b64encode(value).decode()}]})
        self.assertEqual(answer["offsets"][0]["offset"], 0)
        got = self.call("GET", "/topics/{topic}/partitions/{partition}/records", 200,
                        {"topic": topic, "partition": 0},
                        params={"offset": 0}, headers={"Accept": V2_BINARY})
        self.assertEqual(len(got), 1)
        self.assertEqual(base64.b64decode(got[0]["key"]), key)
        self.assertEqual(base64.b64decode(got[0]["value"]), value)

    def test_v2_consumer_instance(self):
        group = "http-group-" + uuid.uuid4().hex[:8]
        created = self.call("POST", "/consumers/{group}", 200, {"group": group},
                            headers={"Content-Type": V2},
                            json={"name": "one", "format": "json",
                                  "auto.offset.reset": "earliest"})
        self.assertEqual(created["instance_id"], "one")
        self.assertTrue(created["base_uri"].endswith(f"/consumers/{group}/instances/one"))
        p = {"group": group, "instance": "one"}
        self.call("DELETE", CONSUMER, 204, p)
        self.error("DELETE", CONSUMER, 404, 40403, p)

    def test_v2_errors(self):
        self.error("GET", "/topics/{topic}", 404, 40401, {"topic": "no-such-topic"})
        topic = self.new_topic()
        self.error("GET", "/topics/{topic}/partitions/{partition}", 404, 40402,
                   {"topic": topic, "partition": 7})
        self.error("POST", "/topics/{topic}", 415, 415, {"topic": topic},
                   headers={"Content-Type": "text/plain"}, data="hello")

    # -- v3 ----------------------------------------------------------------------------

    def test_v3_cluster_and_brokers(self):
        clusters = self.call("GET", "/v3/clusters", 200)
        self.assertEqual(len(clusters["data"]), 1)
        c = {"cluster_id": self.cluster_id}
        self.assertEqual(self.call("GET", "/v3/clusters/{cluster_id}", 200, c)["cluster_id"],
                         self.cluster_id)
        brokers = self.call("GET", "/v3/clusters/{cluster_id}/brokers", 200, c)
        self.assertEqual([b["broker_id"] for b in brokers["data"]], [0])

    def test_v3_topics_configs_partitions(self):
        topic = self.new_topic(partitions=3)
        p = {"cluster_id": self.cluster_id, "topic_name": topic}
        listed = self.call("GET", "/v3/clusters/{cluster_id}/topics", 200, p)
        self.assertIn(topic, [t["topic_name"] for t in listed["data"]])
        described = self.call("GET", V3_TOPIC, 200, p)
        self.assertEqual((described["partitions_count"], described["replication_factor"]),
                         (3, 1))
        configs = self.call("GET", V3_TOPIC + "/configs", 200, p)
        self.assertIn("retention.ms", [x["name"] for x in configs["data"]])
        one = self.call("GET", V3_TOPIC + "/configs/{name}", 200,
                        dict(p, name="retention.ms"))
        self.assertEqual(one["name"], "retention.ms")
        partitions = self.call("GET", V3_TOPIC + "/partitions", 200, p)
        self.assertEqual([x["partition_id"] for x in partitions["data"]], [0, 1, 2])
        self.call("GET", V3_TOPIC + "/partitions/{partition_id}", 200, dict(p, partition_id=2))

    def test_v3_produce(self):
        topic = self.new_topic()
        report = self.call("POST", V3_TOPIC + "/records", 200,
                           {"cluster_id": self.cluster_id, "topic_name": topic},
                           json={"key": {"type": "STRING", "data": "user-1"},
                                 "value": {"type": "JSON", "data": {"event": "signup"}},
                                 "headers": [{"name": "source", "value": "d2Vi"}]})
        self.assertEqual((report["error_code"], report["partition_id"], report["offset"]),
                         (200, 0, 0))

    def test_v3_errors(self):
        p = {"cluster_id": self.cluster_id, "topic_name": "no-such-topic"}
        self.error("GET", V3_TOPIC, 404, 40401, p)
        self.error("GET", "/v3/clusters/{cluster_id}", 404, 404, {"cluster_id": "no-such-id"})
        topic = self.new_topic()
        self.error("POST", "/v3/clusters/{cluster_id}/topics", 400, 40002, p,
                   json={"topic_name": topic})

    # -- operations --------------------------------------------------------------------

    def test_group_lag_and_metrics(self):
        from confluent_kafka import Consumer, TopicPartition
        topic = self.new_topic()
        fill = {"cluster_id": self.cluster_id, "topic_name": topic}
        for i in range(3):
            self.call("POST", V3_TOPIC + "/records", 200, fill,
                      json={"value": {"type": "JSON", "data": i}})
        group = "lag-" + uuid.uuid4().hex[:12]
        c = Consumer({"bootstrap.servers": self.brook.bootstrap, "group.id": group,
                      "enable.auto.commit": False})
        try:
            c.commit(offsets=[TopicPartition(topic, 0, 1)], asynchronous=False)
        finally:
            c.close()
        lag = self.call("GET", "/v1/groups/{group}/lag", 200, {"group": group})
        self.assertEqual(lag["total_lag"], 2)
        self.assertEqual(lag["partitions"][0]["log_end_offset"], 3)
        self.error("GET", "/v1/groups/{group}/lag", 404, 404, {"group": "no-such-group"})
        r = self.http.get(self.url + "/metrics", timeout=TIMEOUT_S)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers["Content-Type"].split(";")[0], "text/plain")
        self.assertIn(f'brook_partition_records_in_total{{topic="{topic}",partition="0"}} 3',
                      r.text)

    def test_connect_api(self):
        name = "doc-" + uuid.uuid4().hex[:8]
        fill = {"name": name, "task": 0}
        plugins = self.call("GET", "/connector-plugins", 200)
        self.assertTrue(plugins)
        config = {"connector.class": plugins[0]["class"], "topics": "doc-topic",
                  "file": f"/tmp/brook-openapi-{name}.txt", "db.password": "x"}
        self.addCleanup(lambda: os.path.exists(config["file"]) and os.unlink(config["file"]))
        info = self.call("POST", "/connectors", 201, json={"name": name, "config": config})
        self.assertEqual(info["config"]["db.password"], "[hidden]")
        self.error("POST", "/connectors", 409, 409, json={"name": name, "config": config})
        self.error("POST", "/connectors", 400, 400, json={"name": "x", "config": {}})
        self.assertIn(name, self.call("GET", "/connectors", 200))
        expanded = self.call("GET", "/connectors", 200, params={"expand": "status"})
        self.assertIn("status", expanded[name])
        self.call("GET", "/connectors/{name}", 200, fill)
        self.call("GET", "/connectors/{name}/config", 200, fill)
        self.call("PUT", "/connectors/{name}/config", 200, fill, json=config)
        self.error("PUT", "/connectors/{name}/config", 400, 400, fill, json={"topics": "t"})
        self.call("GET", "/connectors/{name}/status", 200, fill)
        self.call("GET", "/connectors/{name}/tasks", 200, fill)
        self.call("PUT", "/connectors/{name}/pause", 202, fill)
        self.call("PUT", "/connectors/{name}/resume", 202, fill)
        self.call("POST", "/connectors/{name}/restart", 204, fill)
        self.call("POST", "/connectors/{name}/tasks/{task}/restart", 204, fill)
        self.call("DELETE", "/connectors/{name}", 204, fill)
        for method, template in (("GET", "/connectors/{name}"), ("GET", "/connectors/{name}/config"),
                                 ("GET", "/connectors/{name}/status"),
                                 ("GET", "/connectors/{name}/tasks"),
                                 ("PUT", "/connectors/{name}/pause"),
                                 ("PUT", "/connectors/{name}/resume"),
                                 ("POST", "/connectors/{name}/restart"),
                                 ("DELETE", "/connectors/{name}")):
            self.error(method, template, 404, 404, fill)
        created = self.call("PUT", "/connectors/{name}/config", 201, fill, json=config)
        self.assertEqual(created["name"], name)
        self.call("DELETE", "/connectors/{name}", 204, fill)

    def test_agent_api(self):
        key = {"Idempotency-Key": "doc-" + uuid.uuid4().hex[:8]}
        agent = self.call("POST", "/v1/agents", 201, headers=key,
                          json={"name": "doc agent", "metadata": {"k": [1]}, "retention_ms": -1})
        fill = {"id": agent["id"]}
        self.assertEqual(self.call("POST", "/v1/agents", 200, headers=key,
                                   json={"name": "doc agent"})["id"], agent["id"])
        self.error("POST", "/v1/agents", 400, 400, json={"name": "x", "size": 1})
        listed = self.call("GET", "/v1/agents", 200, params={"limit": 1000})
        self.assertIn(agent["id"], [a["id"] for a in listed["agents"]])
        self.error("GET", "/v1/agents", 400, 400, params={"limit": 0})
        self.call("GET", "/v1/agents/{id}", 200, fill)
        self.assertEqual(self.call("PATCH", "/v1/agents/{id}", 200, fill,
                                   json={"retention_ms": None})["retention_ms"], None)
        self.error("PATCH", "/v1/agents/{id}", 400, 400, fill, json={"topic": "x"})
        self.call("POST", "/v1/agents/{id}/credentials:rotate", 200, fill)
        self.assertEqual(self.call("POST", "/v1/agents/{id}:disable", 200, fill)["state"],
                         "disabled")
        self.error("POST", "/v1/agents/{id}/credentials:rotate", 409, 409, fill)
        self.assertEqual(self.call("POST", "/v1/agents/{id}:enable", 200, fill)["state"],
                         "active")
        # This server keeps no audit log (no logins): registry_test reads real ones.
        self.error("GET", "/v1/agents/{id}/logins", 503, 503, fill, params={"since": 0})
        self.error("GET", "/v1/agents/{id}/logins", 400, 400, fill, params={"since": "soon"})
        self.error("DELETE", "/v1/agents/{id}", 400, 400, fill, params={"delete_topic": "yes"})
        self.call("DELETE", "/v1/agents/{id}", 204, fill, params={"delete_topic": "true"})
        for method, template in (("GET", "/v1/agents/{id}"), ("PATCH", "/v1/agents/{id}"),
                                 ("DELETE", "/v1/agents/{id}"),
                                 ("POST", "/v1/agents/{id}/credentials:rotate"),
                                 ("POST", "/v1/agents/{id}:disable"),
                                 ("POST", "/v1/agents/{id}:enable"),
                                 ("GET", "/v1/agents/{id}/logins")):
            self.error(method, template, 404, 404, fill, json={})

    def test_unknown_endpoint(self):
        r = self.http.get(self.url + "/no/such/endpoint", timeout=TIMEOUT_S)
        self.assertEqual(r.status_code, 404)
        body = r.json()
        self.assertEqual(self.checker.check(body, {"$ref": "#/components/schemas/Error"}), [])
        self.assertEqual(body["error_code"], 404)


if __name__ == "__main__":
    unittest.main()
