#!/usr/bin/python3
"""End-to-end tests of the `brook` command line: commands, version, usage errors, the
wildcard listener check, and the settings table as --help, --print-config and
doc/configuration.md show it (one table: src/app/server_settings.cc)."""

import os
import re
import unittest

from serve_test import BrookTestCase

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COMMANDS = "serve, topic, produce, consume, group, user, acl, connector, agent, generate, bench, debug, version"


def project_version():
    with open(os.path.join(SOURCE_DIR, "CMakeLists.txt")) as f:
        m = re.search(r"project\(brook VERSION ([0-9.]+)", f.read())
    return m.group(1)


def read_doc(name):
    with open(os.path.join(SOURCE_DIR, name)) as f:
        return f.read()


class CommandLineTest(BrookTestCase):

    def test_version(self):
        for args in (["--version"], ["version"]):
            rc, out, err = self.run_brook(*args)
            self.assertEqual(rc, 0, out + err)
            self.assertEqual(out, "brook {}\n".format(project_version()))

    def test_unknown_command(self):
        for word in ("topics", "prodcue", "sevre"):
            rc, out, err = self.run_brook(word, "--help")
            self.assertEqual(rc, 2, out + err)
            self.assertIn("brook: unknown command '{}'. Commands: {}".format(word, COMMANDS), err)
            self.assertNotIn("A subcommand is required", err)

    def test_no_command(self):
        rc, out, err = self.run_brook()
        self.assertEqual(rc, 2, out + err)
        self.assertIn("brook: a command is required. Commands: " + COMMANDS, err)

    def test_unknown_flags_in_the_order_given(self):
        data = self.path("data")
        rc, out, err = self.run_brook("serve", "--data-dir", data, "--bogus", "--other", "word")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("The following arguments were not expected: --bogus --other word", err)
        self.assertFalse(os.path.exists(data))
        rc, out, err = self.run_brook("group", "list", "--nope", "--never")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("not expected: --nope --never", err)

    def test_help_names_value_types(self):
        for args in (["--help"], ["bench", "--help"], ["group", "list", "--help"],
                     ["group", "describe", "--help"], ["group", "delete", "--help"],
                     ["group", "reset-offsets", "--help"], ["debug", "dump-log", "--help"],
                     ["user", "add", "--help"], ["user", "passwd", "--help"],
                     ["user", "list", "--help"], ["user", "delete", "--help"],
                     ["acl", "--help"], ["acl", "add", "--help"], ["acl", "list", "--help"],
                     ["acl", "delete", "--help"], ["connector", "--help"],
                     ["connector", "create", "--help"], ["connector", "list", "--help"],
                     ["generate", "--help"]):
            rc, out, err = self.run_brook(*args)
            self.assertEqual(rc, 0, out + err)
            self.assertNotRegex(out, r"\bTEXT\b", " ".join(args))
        rc, out, err = self.run_brook("bench", "--help")
        self.assertIn("--bootstrap HOST:PORT", out)
        self.assertIn("-X,--property NAME=VALUE", out)

    def test_bench_properties_are_checked_before_connecting(self):
        rc, out, err = self.run_brook("bench", "produce", "--count", "1", "-X", "no-equals")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("-X: 'no-equals' is not NAME=VALUE", err)
        rc, out, err = self.run_brook("bench", "produce", "--count", "1", "--bootstrap",
                                      "127.0.0.1:1", "-X", "no.such.property=1")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("no.such.property=1", err)


class WildcardHostTest(BrookTestCase):
    """Clients cannot connect to 0.0.0.0 or ::, so Brook, like Kafka, will not tell them
    to: a wildcard listener needs an advertised host."""

    def check_refused(self, args, env=None):
        data = self.path("data")
        rc, out, err = self.run_brook("serve", "--data-dir", data, "--kafka-port", "0",
                                      "--http-port", "0", *args, env=env)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("brook: configuration: ", err)
        self.assertIn("set --advertised-host", err)
        self.assertNotIn("brook ready", err)
        self.assertFalse(os.path.exists(data))
        return err

    def test_wildcard_listener_without_advertised_host(self):
        err = self.check_refused(["--kafka-host", "0.0.0.0"])
        self.assertIn("kafka.host 0.0.0.0 listens on every interface", err)
        err = self.check_refused(["--kafka-host", "::"])
        self.assertIn("kafka.host :: listens on every interface", err)
        self.check_refused([], env={"BROOK_KAFKA_HOST": "0.0.0.0"})

    def test_wildcard_advertised_host(self):
        err = self.check_refused(["--kafka-host", "0.0.0.0", "--advertised-host", "0.0.0.0"])
        self.assertIn("kafka.advertised_host 0.0.0.0 is not an address clients can connect to",
                      err)
        self.check_refused(["--advertised-host", "[::]"])

    def test_wildcard_listener_with_advertised_host_starts(self):
        c = self.start_serve(self.path("data"), "--kafka-host", "0.0.0.0",
                             "--advertised-host", "127.0.0.1", "--allow-unauthenticated-remote")
        self.assertRegex(c.text(), r"kafka listener on 0\.0\.0\.0:(\d+) \(advertised 127\.0\.0\.1:\1\)")
        self.stop_serve(c)


class SettingsTableTest(BrookTestCase):
    """--print-config, --help and doc/configuration.md come from one table."""

    def print_config(self, *args, env=None):
        rc, out, err = self.run_brook("serve", "--print-config", *args, env=env)
        self.assertEqual(rc, 0, out + err)
        return out

    def settings(self):
        """{key: (value as written in TOML, flag, environment variable)} of the defaults."""
        out = {}
        for line in self.print_config().splitlines():
            if not line or line.startswith("#"):
                continue
            m = re.fullmatch(r"([a-z_.]+) = (.*?)  # (--[a-z-]+), (BROOK_[A-Z_]+)", line)
            self.assertTrue(m, line)
            out[m.group(1)] = (m.group(2), m.group(3), m.group(4))
        self.assertGreater(len(out), 30)
        return out

    def test_doc_lists_every_setting_with_its_default(self):
        doc = read_doc("doc/configuration.md")
        rows = {}
        for line in doc.splitlines():
            m = re.match(r"\| `([a-z_.]+)` \| [^|]+ \| ([^|]+) \| [^|]+ \| `(BROOK_[A-Z_]+)` \| `(--[a-z-]+)` \|$", line)
            if m:
                rows[m.group(1)] = (m.group(2).strip(), m.group(3), m.group(4))
        settings = self.settings()
        self.assertEqual(sorted(rows), sorted(settings),
                         "doc/configuration.md's table and the settings table differ")
        for key, (value, flag, env) in settings.items():
            default, doc_env, doc_flag = rows[key]
            shown = value[1:-1] if value[:1] in ("'", '"') else value
            self.assertTrue(default.startswith("`{}`".format(shown if shown else '""')),
                            "{}: the doc says {}, the binary {}".format(key, default, value))
            self.assertEqual(doc_env, env, key)
            self.assertEqual(doc_flag, flag, key)

    def test_help_shows_every_flag_with_a_type(self):
        rc, out, err = self.run_brook("serve", "--help")
        self.assertEqual(rc, 0, out + err)
        for key, (_, flag, _) in self.settings().items():
            m = re.search(r"^\s+{} (\S+)".format(re.escape(flag)), out, re.M)
            self.assertTrue(m, "{} ({}) is not in --help:\n{}".format(flag, key, out))
            self.assertNotEqual(m.group(1), "TEXT", flag)
        self.assertNotRegex(out, r"\bTEXT\b")  # CLI11's default type name ("PLAINTEXT" is fine)
        self.assertIn("--segment-bytes BYTES", out)
        self.assertIn("--durability sync|interval", out)
        self.assertIn("--auto-create-topics true|false", out)
        self.assertIn("--kafka-port PORT", out)

    def test_readme_synopsis_flags_exist(self):
        readme = read_doc("README.md")
        synopsis = re.search(r"```\n(build/release/src/app/brook serve .*?)\n\S", readme, re.S)
        self.assertTrue(synopsis)
        rc, out, err = self.run_brook("serve", "--help")
        for flag in re.findall(r"--[a-z-]+", synopsis.group(1)):
            self.assertRegex(out, r"(^|[\s,]){}[\s=]".format(re.escape(flag)))

    def test_print_config_reads_every_source_and_round_trips(self):
        conf = self.path("brook.toml")
        with open(conf, "w") as f:
            f.write('[storage]\nsegment_bytes = 8192\n[http]\nenabled = false\n')
        out = self.print_config("--config", conf, "--segment-ms", "60000",
                                "--offsets-retention-minutes", "5",
                                env={"BROOK_KAFKA_ADVERTISED_HOST": "brook.internal"})
        self.assertIn("storage.segment_bytes = 8192  #", out)
        self.assertIn("storage.segment_ms = 60000  #", out)
        self.assertIn("http.enabled = false  #", out)
        self.assertIn("kafka.advertised_host = 'brook.internal'  #", out)
        self.assertIn("groups.offsets_retention_minutes = 5  #", out)
        again = self.path("again.toml")
        with open(again, "w") as f:
            f.write(out)
        self.assertEqual(self.print_config("--config", again), out)
        self.assertFalse(os.path.exists(self.path("data")), "--print-config opens nothing")


if __name__ == "__main__":
    unittest.main(verbosity=2)
