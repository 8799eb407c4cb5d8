#!/usr/bin/python3
"""One sink of `brook serve` timed end to end, for bench/run-connect-bench.sh; its figures
are JSON lines appended to --jsonl ({"name": ..., "value": {...}}).

    connect_sinks.py KIND --url HTTP --bootstrap HOST:PORT --topic T --records N
                     --server-pid PID --jsonl FILE --work DIR [--perf DIR]

KIND: file-json, file-csv, s3 or postgres. The topic already holds N JSON records. A
connector of that kind is created through the Connect REST API; its status and its group's
committed offsets (connect-<name>) are polled every 20 ms. The rate is of the steady run:
the records written after the first poll that saw some, over the time from that poll to
all N committed (so it includes the last offset.flush.interval.ms, 200 ms here); the time
before it (the group's first join: group.initial.rebalance.delay.ms) is the start-up. Then
what it wrote is read back and checked (lines, objects, rows). Beside it: the CPU seconds brook serve and the
destination's processes used in that time, and with --perf a flat profile of brook serve
(perf record) for the run.

file-json and file-csv first time a plain write of the records' bytes (and a newline
each) into a new file (4 MiB writes, fdatasync every 200 ms and at the end), after an
untimed one of the same size: the file system's own speed in that run, on page cache as
warm as the sink's.

s3 and postgres start their destination server (tests/compat/destinations.py: s3rver,
PostgreSQL 15 with fsync on) and, on the same server in the same run, time a plain client
doing the same writes: boto3 PUTs of objects the size the sink wrote, one after the other;
psycopg2 inserting the same rows into a table of the same columns, one INSERT per row (as
the sink does) and a commit per batch.size rows."""

import argparse
import json
import os
import subprocess
import sys
import time

import requests

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "compat"))
from destinations import S3_KEYS, Postgres, S3Server  # noqa: E402

FLUSH_MS = "200"
S3_FLUSH_SIZE = 1000
PG_BATCH = 3000
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """utime + stime of the processes (those gone count 0)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / TICKS


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return out


class Perf:
    """perf record -p PID while it lives; report() is the top symbols by self time."""

    def __init__(self, pid, path):
        self.path = path
        self.proc = subprocess.Popen(["perf", "record", "-F", "999", "-p", str(pid), "-o", path],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def report(self, top=12):
        self.proc.send_signal(2)
        self.proc.wait(timeout=60)
        out = subprocess.run(["perf", "report", "-i", self.path, "--stdio", "--no-children",
                              "--sort", "comm,dso,sym", "--percent-limit", "0.8"],
                             capture_output=True, text=True, timeout=300).stdout
        rows = []
        for line in out.splitlines():
            if line.strip() and not line.startswith("#") and "%" in line:
                parts = line.split(None, 4)
                if len(parts) == 5:
                    pct, comm, dso, _kind, sym = parts
                    rows.append({"pct": float(pct.rstrip("%")), "thread": comm, "dso": dso,
                                 "symbol": sym.strip()[:90]})
        return rows[:top]


class Run:
    def __init__(self, args):
        self.a = args
        self.http = requests.Session()

    def committed(self, name):
        r = self.http.get(f"{self.a.url}/v1/groups/connect-{name}/lag", timeout=30)
        if r.status_code != 200:
            return 0
        return sum(p["committed_offset"] or 0 for p in r.json()["partitions"])

    def sink(self, name, config, dest_pids):
        """Creates the connector, waits for all records committed; the timings."""
        config = dict(config, topics=self.a.topic, **{"offset.flush.interval.ms": FLUSH_MS})
        perf = Perf(self.a.server_pid, os.path.join(self.a.perf, f"{name}.perf.data")) \
            if self.a.perf else None
        pids = dest_pids()
        brook0, dest0 = cpu_seconds([self.a.server_pid]), cpu_seconds(pids)
        start = time.monotonic()
        r = self.http.post(f"{self.a.url}/connectors", json={"name": name, "config": config},
                           timeout=30)
        r.raise_for_status()
        first = None  # (seconds, records written) when the task had written some
        deadline = start + 600
        while True:
            status = self.http.get(f"{self.a.url}/connectors/{name}/status", timeout=30).json()
            done = self.committed(name)
            now = time.monotonic()
            written = status.get("records_written") or 0
            if written > 0 and first is None:
                first = (now - start, written)
            if done >= self.a.records:
                break
            if status["tasks"] and status["tasks"][0]["state"] == "FAILED":
                raise SystemExit(f"{name} FAILED: {status['tasks'][0].get('trace')}")
            if now > deadline:
                raise SystemExit(f"{name}: {done} of {self.a.records} committed after 600 s")
            time.sleep(0.02)
        seconds = time.monotonic() - start
        pids = set(pids) | set(dest_pids())
        # The steady rate: the records written after the first sight of some, over the
        # time from then to all committed (the group's first join is the start-up).
        steady_records = self.a.records - first[1]
        steady_s = seconds - first[0]
        if steady_records < self.a.records // 4:
            raise SystemExit(f"{name}: {first[1]} of {self.a.records} records were written before "
                             "the first look: too few records to time (--records)")
        result = {
            "records": self.a.records, "bytes": self.a.bytes, "seconds": seconds,
            "startup_s": first[0], "steady_records": steady_records, "steady_s": steady_s,
            "records_per_s": steady_records / steady_s,
            "mb_per_s": self.a.bytes * steady_records / self.a.records / steady_s / 1e6,
            "brook_cpu_s": cpu_seconds([self.a.server_pid]) - brook0,
            "destination_cpu_s": cpu_seconds(pids) - dest0,
        }
        if perf:
            result["profile"] = perf.report()
        self.http.delete(f"{self.a.url}/connectors/{name}", timeout=60).raise_for_status()
        return result

    def record(self, name, value):
        with open(self.a.jsonl, "a") as f:
            f.write(json.dumps({"name": name, "value": value}) + "\n")

    def values(self):
        """The topic's values, read back with confluent-kafka (the plain clients' input)."""
        from confluent_kafka import Consumer, TopicPartition

        c = Consumer({"bootstrap.servers": self.a.bootstrap, "group.id": "bench-read",
                      "enable.auto.commit": False, "enable.partition.eof": True})
        meta = c.list_topics(self.a.topic, timeout=30).topics[self.a.topic]
        c.assign([TopicPartition(self.a.topic, p, 0) for p in meta.partitions])
        out, eof = [], 0
        while eof < len(meta.partitions):
            m = c.poll(5)
            if m is None:
                raise SystemExit("the topic stopped short of its end")
            if m.error():
                eof += 1
            else:
                out.append(m.value())
        c.close()
        return out

    # --- the kinds

    def write_file(self, path, size):
        """`size` bytes into a new file at `path`, 4 MiB a write, fdatasync every FLUSH_MS
        and at the end (as the sink flushes), then removed; the seconds it took."""
        block = os.urandom(4 << 20)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        start = last_sync = time.monotonic()
        written = 0
        while written < size:
            written += os.write(fd, block[:min(len(block), size - written)])
            if time.monotonic() - last_sync >= int(FLUSH_MS) / 1000:
                os.fdatasync(fd)
                last_sync = time.monotonic()
        os.fdatasync(fd)
        seconds = time.monotonic() - start
        os.close(fd)
        os.unlink(path)
        return seconds

    def plain_write(self, fmt, size):
        """The file system's own speed in this run. Page cache the VM has not handed out
        yet costs several times what freed pages do: a first, untimed write of the same size
        leaves freed pages for the timed one, whose file in turn leaves them for the sink."""
        self.write_file(os.path.join(self.a.work, "warm-up.out"), size)
        seconds = self.write_file(os.path.join(self.a.work, f"plain-{fmt}.out"), size)
        self.record(f"file_{fmt}_plain_write", {"bytes": size, "seconds": seconds,
                                                 "mb_per_s": size / seconds / 1e6})

    def file(self, fmt):
        # The plain write first, of the records' bytes and a newline each.
        self.plain_write(fmt, self.a.bytes + self.a.records)
        path = os.path.join(self.a.work, f"sink-{fmt}.out")
        config = {"connector.class": "FileStreamSink", "file": path, "format": fmt}
        if fmt == "csv":
            config["csv.columns"] = "event_id,event_type,user_id,session_id,page,amount,ts,payload"
        result = self.sink(f"file-{fmt}", config, lambda: [])
        with open(path, "rb") as f:
            lines = sum(1 for _ in f)
        expected = self.a.records + (1 if fmt == "csv" else 0)
        if lines != expected:
            raise SystemExit(f"file-{fmt}: {lines} lines, expected {expected}")
        result["output_bytes"] = os.path.getsize(path)
        os.unlink(path)
        self.record(f"file_{fmt}", result)

    def s3(self):
        server = S3Server("bench", "baseline")
        try:
            config = {"connector.class": "io.confluent.connect.s3.S3SinkConnector",
                      "s3.bucket.name": "bench", "store.url": server.url,
                      "flush.size": str(S3_FLUSH_SIZE),
                      "aws.access.key.id": S3_KEYS["AWS_ACCESS_KEY_ID"],
                      "aws.secret.access.key": S3_KEYS["AWS_SECRET_ACCESS_KEY"]}
            result = self.sink("s3", config, lambda: [server.proc.pid])
            sizes = [o["Size"] for page in server.client.get_paginator("list_objects_v2")
                     .paginate(Bucket="bench") for o in page.get("Contents", [])]
            if len(sizes) != self.a.records // S3_FLUSH_SIZE:
                raise SystemExit(f"s3: {len(sizes)} objects, expected "
                                 f"{self.a.records // S3_FLUSH_SIZE}")
            result["objects"] = len(sizes)
            result["output_bytes"] = sum(sizes)
            self.record("s3", result)
            # The plain PUT loop: as many objects of the same sizes, one after the other.
            body = os.urandom(max(sizes))
            dest0, own0 = cpu_seconds([server.proc.pid]), time.process_time()
            start = time.monotonic()
            for i, size in enumerate(sizes):
                server.client.put_object(Bucket="baseline", Key=f"object-{i}", Body=body[:size])
            seconds = time.monotonic() - start
            self.record("s3_put_loop", {
                "objects": len(sizes), "bytes": sum(sizes), "seconds": seconds,
                "mb_per_s": sum(sizes) / seconds / 1e6, "objects_per_s": len(sizes) / seconds,
                "client_cpu_s": time.process_time() - own0,
                "destination_cpu_s": cpu_seconds([server.proc.pid]) - dest0})
        finally:
            server.stop()

    def postgres(self):
        pg = Postgres(fsync=True)
        try:
            with open(os.path.join(pg.data, "postmaster.pid")) as f:
                postmaster = int(f.readline())
            dest = lambda: [postmaster, *children(postmaster)]  # noqa: E731
            config = {"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector",
                      "connection.url": "jdbc:" + pg.url, "connection.user": "brook",
                      "connection.password": pg.password, "table.name.format": "events",
                      "auto.create": "true", "batch.size": str(PG_BATCH)}
            result = self.sink("postgres", config, dest)
            rows = pg.query("SELECT count(*) FROM events")[0][0]
            if rows != self.a.records:
                raise SystemExit(f"postgres: {rows} rows, expected {self.a.records}")
            self.record("postgres", result)
            # The plain client: the same rows, one INSERT each, a commit per batch.
            pg.query("CREATE TABLE baseline (LIKE events)")
            columns = [r[0] for r in pg.query(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'events' "
                "ORDER BY ordinal_position")]
            values = self.values()
            sql = "INSERT INTO baseline ({}) VALUES ({})".format(
                ", ".join(f'"{c}"' for c in columns), ", ".join(["%s"] * len(columns)))
            dest0, own0 = cpu_seconds(dest()), time.process_time()
            start = time.monotonic()
            with pg.connect() as conn, conn.cursor() as cur:
                for i in range(0, len(values), PG_BATCH):
                    rows = []
                    for v in values[i:i + PG_BATCH]:
                        doc = json.loads(v)
                        rows.append([doc.get(c) for c in columns])
                    cur.executemany(sql, rows)
                    conn.commit()
                seconds = time.monotonic() - start
                cur.execute("SELECT count(*) FROM baseline")
                if cur.fetchone()[0] != len(values):
                    raise SystemExit("baseline: rows missing")
            self.record("postgres_insert_loop", {
                "records": len(values), "seconds": seconds, "records_per_s": len(values) / seconds,
                "mb_per_s": self.a.bytes / seconds / 1e6,
                "client_cpu_s": time.process_time() - own0,
                "destination_cpu_s": cpu_seconds(dest()) - dest0})
        finally:
            pg.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["file-json", "file-csv", "s3", "postgres"])
    p.add_argument("--url", required=True)
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--records", type=int, required=True)
    p.add_argument("--bytes", type=int, required=True, help="the records' value bytes in all")
    p.add_argument("--server-pid", type=int, required=True)
    p.add_argument("--jsonl", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--perf", help="a directory: profile brook serve during the sink's run")
    args = p.parse_args()
    run = Run(args)
    if args.kind.startswith("file-"):
        run.file(args.kind[5:])
    elif args.kind == "s3":
        run.s3()
    else:
        run.postgres()


if __name__ == "__main__":
    main()
