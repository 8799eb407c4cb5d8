#!/usr/bin/python3
"""Agent registrations per second over HTTP (POST /v1/agents, HTTP Basic, keep-alive), and
the time from a registration's answer to the agent's first record acknowledged (a new
confluent-kafka producer with the answer's credentials: connect, SCRAM-SHA-512 login,
metadata, produce acks=all). Prints one JSON object:

  {"sequential": {"count", "seconds", "per_s"},
   "concurrent": {"clients", "count", "seconds", "per_s"},
   "registration_ms": {"p50", "p95", "max"},            (sequential answers' latency)
   "first_record_ms": {"count", "p50", "p95", "max"}, "agents_registered": N}

  bench/registry_bench.py --url URL --bootstrap HOST:PORT --user admin --password-env PW
      [--sequential 500] [--concurrent 2000] [--clients 16] [--first-records 50]"""

import argparse
import json
import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from confluent_kafka import Producer


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password-env", default="BROOK_SECURITY_ADMIN_PASSWORD")
    ap.add_argument("--sequential", type=int, default=500)
    ap.add_argument("--concurrent", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--first-records", type=int, default=50)
    a = ap.parse_args()
    auth = (a.user, os.environ[a.password_env])
    local = threading.local()

    def register(name):
        if not hasattr(local, "s"):
            local.s = requests.Session()
            local.s.auth = auth
        t = time.perf_counter()
        r = local.s.post(a.url + "/v1/agents", json={"name": name}, timeout=60)
        took = time.perf_counter() - t
        if r.status_code != 201:
            raise SystemExit(f"registration refused: {r.status_code} {r.text}")
        return r.json(), took

    out = {}
    # Warm-up: connections, the first topic files.
    for i in range(20):
        register(f"warm-up {i}")

    t0 = time.perf_counter()
    latencies = [register(f"sequential {i}")[1] for i in range(a.sequential)]
    seconds = time.perf_counter() - t0
    out["sequential"] = {"count": a.sequential, "seconds": round(seconds, 3),
                         "per_s": round(a.sequential / seconds, 1)}
    out["registration_ms"] = {"p50": round(percentile(latencies, 50) * 1000, 2),
                              "p95": round(percentile(latencies, 95) * 1000, 2),
                              "max": round(max(latencies) * 1000, 2)}

    t0 = time.perf_counter()
    with ThreadPoolExecutor(a.clients) as pool:
        list(pool.map(register, (f"concurrent {i}" for i in range(a.concurrent))))
    seconds = time.perf_counter() - t0
    out["concurrent"] = {"clients": a.clients, "count": a.concurrent,
                         "seconds": round(seconds, 3), "per_s": round(a.concurrent / seconds, 1)}

    firsts = []
    for i in range(a.first_records):
        agent, _ = register(f"first record {i}")
        t = time.perf_counter()
        done = []
        p = Producer({"bootstrap.servers": a.bootstrap, "security.protocol": "SASL_PLAINTEXT",
                      "sasl.mechanisms": agent["sasl_mechanism"],
                      "sasl.username": agent["username"], "sasl.password": agent["password"],
                      "acks": "all", "linger.ms": 0})
        p.produce(agent["topic"], b"first", on_delivery=lambda err, msg: done.append(err))
        p.flush(30)
        if done != [None]:
            raise SystemExit(f"first record not acknowledged: {done}")
        firsts.append(time.perf_counter() - t)
    out["first_record_ms"] = {"count": len(firsts),
                              "p50": round(statistics.median(firsts) * 1000, 2),
                              "p95": round(percentile(firsts, 95) * 1000, 2),
                              "max": round(max(firsts) * 1000, 2)}
    out["agents_registered"] = 20 + a.sequential + a.concurrent + a.first_records
    print(json.dumps(out))


if __name__ == "__main__":
    main()
