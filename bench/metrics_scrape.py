#!/usr/bin/python3
"""Helpers of bench/run-metrics-bench.sh.

  metrics_scrape.py populate --bootstrap HOST:PORT --topics 100 --partitions 10 --groups 100
      Creates TOPICS topics of PARTITIONS partitions (bench-scrape-N), writes one record to
      every partition, and has each of GROUPS groups commit offset 0 in 10 partitions (so
      every group has lag 1 in records and a lag in seconds to compute).
  metrics_scrape.py time --url http://127.0.0.1:8082/metrics --count 50
      GETs the URL COUNT times, one after the other, and prints JSON: the median, p90 and
      max time of a scrape in ms, the page's size in bytes and its number of samples.
  metrics_scrape.py loop --url URL --interval 1
      Scrapes every INTERVAL seconds until killed (Prometheus's load during a produce run)."""

import argparse
import json
import statistics
import sys
import time
import urllib.request

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def populate(a):
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    names = [f"bench-scrape-{i}" for i in range(a.topics)]
    for name, f in admin.create_topics([NewTopic(n, a.partitions, 1) for n in names]).items():
        f.result(60)
    p = Producer({"bootstrap.servers": a.bootstrap, "linger.ms": 5})
    for n in names:
        for part in range(a.partitions):
            p.produce(n, b"x", partition=part)
    assert p.flush(60) == 0
    every = [(n, part) for n in names for part in range(a.partitions)]
    for g in range(a.groups):
        c = Consumer({"bootstrap.servers": a.bootstrap, "group.id": f"bench-scrape-group-{g}",
                      "enable.auto.commit": False})
        chosen = [every[(g * 10 + k) % len(every)] for k in range(10)]
        c.commit(offsets=[TopicPartition(n, part, 0) for n, part in chosen], asynchronous=False)
        c.close()


def scrape(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def timed(a):
    times, body = [], b""
    scrape(a.url)  # warm
    for _ in range(a.count):
        start = time.perf_counter()
        body = scrape(a.url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    samples = sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))
    print(json.dumps({"median_ms": statistics.median(times),
                      "p90_ms": times[int(len(times) * 0.9) - 1], "max_ms": times[-1],
                      "bytes": len(body), "samples": samples, "count": a.count}))


def loop(a):
    while True:
        scrape(a.url)
        time.sleep(a.interval)  # the scrape interval itself, not a synchronisation


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("populate")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topics", type=int, default=100)
    p.add_argument("--partitions", type=int, default=10)
    p.add_argument("--groups", type=int, default=100)
    t = sub.add_parser("time")
    t.add_argument("--url", required=True)
    t.add_argument("--count", type=int, default=50)
    lp = sub.add_parser("loop")
    lp.add_argument("--url", required=True)
    lp.add_argument("--interval", type=float, default=1.0)
    a = ap.parse_args()
    {"populate": populate, "time": timed, "loop": loop}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
