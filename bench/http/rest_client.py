#!/usr/bin/python3
"""The HTTP client side of bench/run-http-bench.sh that is not wrk: topic set-up through
REST Proxy v3, counting stored records through v2, consumer instances for wrk, and a
simple reader through a v2 consumer instance (Python http.client, one request at a time).
Prints one JSON value on stdout.

  rest_client.py cluster-id URL
  rest_client.py create-topic URL CLUSTER TOPIC PARTITIONS [NAME=VALUE ...]
  rest_client.py delete-topic URL CLUSTER TOPIC
  rest_client.py count URL TOPIC
  rest_client.py open-instance URL TOPIC
      (prints {"path", "first_record_ms", "dropped", "bytes_per_record"})
  rest_client.py close-instance URL PATH
  rest_client.py consume URL TOPIC RECORDS MAX_BYTES
"""
import base64
import http.client
import json
import sys
import time

import requests

V2 = "application/vnd.kafka.v2+json"
BINARY = "application/vnd.kafka.binary.v2+json"


def fail(what, r):
    sys.exit(f"{what}: HTTP {r.status_code}: {r.text[:500]}")


def cluster_id(url):
    r = requests.get(f"{url}/v3/clusters", timeout=30)
    if r.status_code != 200:
        fail("GET /v3/clusters", r)
    return r.json()["data"][0]["cluster_id"]


def create_topic(url, cluster, topic, partitions, configs):
    body = {"topic_name": topic, "partitions_count": partitions,
            "configs": [{"name": k, "value": v} for k, v in configs]}
    r = requests.post(f"{url}/v3/clusters/{cluster}/topics", json=body, timeout=60)
    if r.status_code != 201:
        fail(f"creating topic {topic}", r)
    return r.json()["partitions_count"]


def delete_topic(url, cluster, topic):
    r = requests.delete(f"{url}/v3/clusters/{cluster}/topics/{topic}", timeout=120)
    if r.status_code != 204:
        fail(f"deleting topic {topic}", r)
    return True


def end_offsets(session, url, topic):
    r = session.get(f"{url}/topics/{topic}", timeout=30)
    if r.status_code != 200:
        fail(f"GET /topics/{topic}", r)
    total = 0
    for p in r.json()["partitions"]:
        o = session.get(f"{url}/topics/{topic}/partitions/{p['partition']}/offsets", timeout=30)
        if o.status_code != 200:
            fail(f"offsets of {topic}/{p['partition']}", o)
        total += o.json()["end_offset"] - o.json()["beginning_offset"]
    return total


def count(url, topic):
    """Records stored in the topic, once two readings 50 ms apart agree (requests wrk had
    in flight when it stopped may still be completing)."""
    session = requests.Session()
    last = end_offsets(session, url, topic)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = end_offsets(session, url, topic)
        if now == last:
            return now
        last = now
    return last


def open_instance(url, topic):
    """A fresh consumer instance (binary format, earliest, no auto commit) of a fresh group,
    subscribed to `topic`, read until its first records arrive (it has joined the group and
    has its partitions), then once more as a sample. Returns its path, the time to the first
    records, the records read on the way (dropped) and the answer bytes per record."""
    session = requests.Session()
    group = f"bench-http-{int(time.time() * 1000)}"
    start = time.monotonic()
    r = session.post(f"{url}/consumers/{group}", headers={"Content-Type": V2},
                     data=json.dumps({"name": "reader", "format": "binary",
                                      "auto.offset.reset": "earliest",
                                      "auto.commit.enable": "false"}), timeout=30)
    if r.status_code != 200:
        fail("creating the consumer instance", r)
    path = f"/consumers/{group}/instances/reader"
    r = session.post(f"{url}{path}/subscription", headers={"Content-Type": V2},
                     data=json.dumps({"topics": [topic]}), timeout=30)
    if r.status_code != 204:
        fail("subscribing", r)
    dropped = 0
    while dropped == 0:
        r = session.get(f"{url}{path}/records", params={"timeout": 1000, "max_bytes": 1024},
                        headers={"Accept": BINARY}, timeout=60)
        if r.status_code != 200:
            fail("reading records", r)
        dropped = len(r.json())
        if time.monotonic() - start > 60:
            sys.exit("the consumer instance got no records within 60 s")
    joined_ms = (time.monotonic() - start) * 1000
    # A sample answer: the bytes one record takes in an answer ("[", "]" and the commas
    # spread over the records), to count records from the bytes wrk receives.
    r = session.get(f"{url}{path}/records", params={"timeout": 1000, "max_bytes": 262144},
                    headers={"Accept": BINARY}, timeout=60)
    if r.status_code != 200:
        fail("reading records", r)
    sample = len(r.json())
    dropped += sample
    return {"path": path, "first_record_ms": joined_ms, "dropped": dropped,
            "bytes_per_record": len(r.content) / max(1, sample)}


def close_instance(url, path):
    r = requests.delete(f"{url}{path}", headers={"Content-Type": V2}, timeout=30)
    if r.status_code != 204:
        fail("deleting the consumer instance", r)
    return True


def consume(url, topic, records, max_bytes):
    """Reads `records` records of `topic` through a fresh consumer instance, one read at a
    time with http.client (keep-alive), decoding the JSON and every value's base64, and
    counts from the first records on (joining the group is reported apart)."""
    instance = open_instance(url, topic)
    host, port = url.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    target = f"{instance['path']}/records?timeout=1000&max_bytes={max_bytes}"
    n = size = reads = empty = 0
    http_s = parse_s = 0.0
    start = time.monotonic()
    while n < records:
        t0 = time.monotonic()
        conn.request("GET", target, headers={"Accept": BINARY})
        r = conn.getresponse()
        body = r.read()
        t1 = time.monotonic()
        if r.status != 200:
            sys.exit(f"reading records: HTTP {r.status}: {body[:500]!r}")
        batch = json.loads(body)
        for rec in batch:
            if rec["value"] is not None:
                size += len(base64.b64decode(rec["value"]))
        t2 = time.monotonic()
        http_s += t1 - t0
        parse_s += t2 - t1
        reads += 1
        n += len(batch)
        if not batch:
            empty += 1
            if empty > 5:
                sys.exit(f"consume: {empty} empty answers after {n} of {records} records")
    seconds = time.monotonic() - start
    conn.close()
    close_instance(url, instance["path"])
    return {
        "records": n, "bytes": size, "reads": reads, "empty_reads": empty,
        "max_bytes": max_bytes, "first_record_ms": instance["first_record_ms"],
        "seconds": seconds, "records_per_s": n / seconds, "mb_per_s": size / seconds / 1e6,
        "http_share": http_s / seconds, "parse_share": parse_s / seconds,
        "records_per_read": n / reads,
    }


def main():
    mode, url = sys.argv[1], sys.argv[2].rstrip("/")
    if mode == "cluster-id":
        out = cluster_id(url)
    elif mode == "create-topic":
        configs = [a.split("=", 1) for a in sys.argv[6:]]
        out = create_topic(url, sys.argv[3], sys.argv[4], int(sys.argv[5]), configs)
    elif mode == "delete-topic":
        out = delete_topic(url, sys.argv[3], sys.argv[4])
    elif mode == "count":
        out = count(url, sys.argv[3])
    elif mode == "open-instance":
        out = open_instance(url, sys.argv[3])
    elif mode == "close-instance":
        out = close_instance(url, sys.argv[3])
    elif mode == "consume":
        out = consume(url, sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(__doc__)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
