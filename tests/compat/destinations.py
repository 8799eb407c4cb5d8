"""The real destination servers the sink tests (and bench/run-connect-bench.sh) start on
127.0.0.1 in a temp directory, each removed by stop():

    S3Server(*buckets)  s3rver (npm, tests/compat/s3/server.js; its node_modules come from
                        the compat_s3_npm_ci fixture), checking AWS Signature V4 with the
                        keys S3RVER/S3RVER; .url, .client (boto3), .objects(bucket)
    Postgres()          PostgreSQL 15 (Debian's initdb and pg_ctl, as the unprivileged user
                        postgres when run as root), user brook with a SCRAM password;
                        .url, .password, .connect() (psycopg2), .query(sql)

boto3 and psycopg2 are Debian's (python3-boto3, python3-psycopg2): run with /usr/bin/python3."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PG_BIN = "/usr/lib/postgresql/15/bin"
S3_KEYS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    """s3rver in a temp directory, with the buckets given."""

    def __init__(self, *buckets):
        import boto3  # here: a module that only needs Postgres does not need boto3
        from botocore.config import Config

        self.dir = tempfile.mkdtemp(prefix="brook-s3rver-")
        self.proc = subprocess.Popen(
            ["setpriv", "--pdeathsig", "KILL", "--", "node", os.path.join(HERE, "s3", "server.js"),
             self.dir, *buckets], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening "):
            raise RuntimeError("s3rver did not start: " + line + self.proc.stdout.read())
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.client = boto3.client(
            "s3", endpoint_url=self.url, aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}))

    def objects(self, bucket):
        """{key: bytes} of every object in the bucket."""
        out = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for o in page.get("Contents", []):
                out[o["Key"]] = self.client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


class Postgres:
    """A PostgreSQL server of its own: initdb, pg_ctl start on 127.0.0.1, user brook."""

    def __init__(self, fsync=True):
        self.password = "pg-" + os.urandom(6).hex()
        self.dir = tempfile.mkdtemp(prefix="brook-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.as_user = []
        if os.geteuid() == 0:  # initdb refuses root
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        pwfile = os.path.join(self.dir, "pw")
        with open(pwfile, "w") as f:
            f.write(self.password + "\n")
        if self.as_user:
            os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
        self.run("initdb", "-D", self.data, "-U", "brook", "--auth=scram-sha-256",
                 f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8")
        self.port = free_port()
        self.run("pg_ctl", "-D", self.data, "-w", "-l", os.path.join(self.dir, "log"), "-o",
                 f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
                 f"-c fsync={'on' if fsync else 'off'}", "start")
        self.url = f"postgresql://127.0.0.1:{self.port}/postgres"

    def run(self, tool, *args):
        subprocess.run(self.as_user + [os.path.join(PG_BIN, tool), *args], check=True,
                       capture_output=True, timeout=120)

    def connect(self):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user="brook",
                                password=self.password, dbname="postgres")

    def query(self, sql, args=()):
        with self.connect() as c, c.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else None

    def stop(self):
        try:
            self.run("pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
