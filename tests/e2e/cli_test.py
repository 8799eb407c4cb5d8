#!/usr/bin/python3
"""End-to-end tests of the `brook` command line: commands, version, usage errors and the
wildcard listener check."""

import os
import re
import unittest

from serve_test import BrookTestCase

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COMMANDS = "serve, group, bench, debug, version"


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
        for word in ("topic", "produce", "sevre"):
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
                             "--advertised-host", "127.0.0.1")
        self.assertRegex(c.text(), r"kafka listener on 0\.0\.0\.0:(\d+) \(advertised 127\.0\.0\.1:\1\)")
        self.stop_serve(c)


if __name__ == "__main__":
    unittest.main(verbosity=2)
