#!/usr/bin/env bash
# Measures consumer groups on `brook serve` with a real Kafka client (confluent-kafka-python,
# i.e. librdkafka, from /usr/bin/python3) and prints one Markdown table, each figure next to
# the physical baseline measured in the same run.
#   bench/run-group-bench.sh [--quick]
# --quick: 3 repetitions instead of 7, 3 s commit runs instead of 10 s, one consume run of
# each kind instead of three, 64 MiB to consume instead of 256 MiB.
#
# The binary: $BROOK_BIN if set, else build/release/src/app/brook (the release preset, built
# beforehand: this script builds nothing); when that is missing or has no consumer groups,
# /tmp/brook-groups/brook, and the table says so. A binary linked with AddressSanitizer is
# named a debug build in the table: its figures say nothing about speed.
# baseline_bench comes from $BROOK_BENCH_BUILD (default build/release)/bench.
#
# In a scratch directory under build/ (removed afterwards; the server's data directory and
# the disk baselines share its filesystem), on one server started with
# --group-initial-rebalance-delay-ms 0 (a delay Kafka also applies only to empty groups):
#   1. baselines: disk write+fdatasync with 1 MiB blocks (MB/s) and with 4 KiB blocks
#      (fdatasyncs/s, what one durable commit at a time can reach), loopback TCP (MB/s);
#   2. consume: `brook bench produce` writes 1 KiB records to 6 partitions, then the same
#      client reads them all from the beginning, alternately as the one member of a fresh
#      group (subscribe, auto commit on) and as a plain consumer (assign, no group);
#      `brook bench consume` (librdkafka from C++, assign) once, for reference;
#   3. rebalance latency: 10 members in one group over a 60-partition topic (eager range
#      assignment, heartbeat.interval.ms 100); an 11th subscribes, and the time from its
#      subscribe() to the last member's on_assign for the new generation is measured; then
#      it leaves (close(), LeaveGroup) and the same is measured for the 10; repeated;
#   4. offset commits: members of their own groups commit 100 partitions per synchronous
#      commit() in a loop, one committer, then 4 at once.
# Results: bench/results/group-<time>.md and .jsonl ($BROOK_BENCH_RESULTS: another folder).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source bench/lib.sh

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) echo "usage: bench/run-group-bench.sh [--quick]" >&2; exit 2 ;;
  esac
done
reps=7
commit_seconds=10
consume_runs=3
consume_records=262144 # 256 MiB of 1 KiB records
if [[ $quick == 1 ]]; then
  reps=3
  commit_seconds=3
  consume_runs=1
  consume_records=65536
fi

"$python" -c 'import confluent_kafka' 2>/dev/null ||
  { echo "$python with confluent_kafka is needed (Debian: python3-confluent-kafka)" >&2; exit 1; }

# (grep without -q: an early exit would kill the writer with SIGPIPE, a failure to pipefail.)
has_groups() { [[ -x $1 ]] && "$1" serve --help 2>/dev/null | grep -- --group-initial-rebalance-delay-ms >/dev/null; }
binary_note=
if [[ -n ${BROOK_BIN:-} ]]; then
  brook=$BROOK_BIN
else
  brook=$root/build/release/src/app/brook
  if ! has_groups "$brook"; then
    binary_note="build/release/src/app/brook is missing or has no consumer groups: measured /tmp/brook-groups/brook instead"
    echo "$binary_note" >&2
    brook=/tmp/brook-groups/brook
  fi
fi
has_groups "$brook" || { echo "$brook: missing, or its serve has no --group-initial-rebalance-delay-ms" >&2; exit 1; }
debug_note=$(debug_build_note "$brook")
[[ -n $debug_note ]] && binary_note="${binary_note:+$binary_note; }$debug_note"
baseline=${BROOK_BENCH_BUILD:-$root/build/release}/bench/baseline_bench
[[ -x $baseline ]] || { echo "missing $baseline: build the release preset's baseline_bench" >&2; exit 1; }

bench_setup group

# The client side of every measurement; one JSON object per run on stdout.
#   group_bench.py consume BOOTSTRAP TOPIC RECORDS PARTITIONS group|assign GROUP_ID
#   group_bench.py rebalance BOOTSTRAP REPETITIONS
#   group_bench.py commit BOOTSTRAP COMMITTERS SECONDS
cat >"$work/group_bench.py" <<'EOF'
import json, statistics, sys, threading, time
from confluent_kafka import Consumer, KafkaException, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, NewTopic

mode, bootstrap = sys.argv[1], sys.argv[2]
HEARTBEAT_MS = 100


def create_topic(name, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})  # alive until the answers come
    futures = admin.create_topics([NewTopic(name, partitions, 1)])
    for f in futures.values():
        try:
            f.result(timeout=30)
        except KafkaException as e:
            if e.args[0].name() != "TOPIC_ALREADY_EXISTS":
                raise


def wait_until(what, check, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            sys.exit(f"not done within {timeout} s: {what}")
        time.sleep(0.002)


def quantiles(values):
    s = sorted(values)
    pick = lambda q: s[min(len(s) - 1, int(q * len(s)))]
    return {"p50": pick(0.5), "p99": pick(0.99), "max": s[-1]}


def consume(topic, records, partitions, how, group_id):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group_id,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": how == "group",
    })
    start = time.monotonic()
    if how == "group":
        c.subscribe([topic])
    else:
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    n = size = errors = 0
    first = first_n = first_size = None
    progress = time.monotonic()
    while n < records:
        # A short timeout: consume() waits for the whole count until it expires, which
        # with 1 s made the client, not the broker, the limit.
        msgs = c.consume(10000, 0.01)
        now = time.monotonic()
        for m in msgs:
            if m.error():
                errors += 1
            else:
                n += 1
                size += len(m.value())
        if msgs:
            progress = now
            if first is None:
                # The rate is measured from the first batch on: joining (or not) is
                # reported apart, as the time to the first record.
                first, first_n, first_size = now, n, size
        elif now - progress > 30:
            sys.exit(f"consume stalled at {n} of {records} records")
    end = time.monotonic()
    c.close()
    steady = end - first
    return {
        "how": how, "records": n, "bytes": size, "errors": errors,
        "first_record_ms": (first - start) * 1000,
        "seconds": end - start,
        "mb_per_s": (size - first_size) / steady / 1e6,
        "records_per_s": (n - first_n) / steady,
    }


class Member:
    """A group member polled by its own thread; on_assign times its assignments."""

    def __init__(self, group, topic):
        self.topic = topic
        self.lock = threading.Lock()
        self.assigned = []
        self.assigned_at = 0.0
        self.running = True
        self.c = Consumer({
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "session.timeout.ms": 6000,
            "heartbeat.interval.ms": HEARTBEAT_MS,
            "partition.assignment.strategy": "range",
            "enable.auto.commit": False,
        })
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _on_assign(self, consumer, partitions):
        with self.lock:
            self.assigned = sorted(p.partition for p in partitions)
            self.assigned_at = time.monotonic()

    def _on_revoke(self, consumer, partitions):
        with self.lock:
            self.assigned = []

    def _poll(self):
        while self.running:
            self.c.poll(0.05)

    def start(self):
        self.c.subscribe([self.topic], on_assign=self._on_assign, on_revoke=self._on_revoke)
        self.thread.start()

    def stop_polling(self):
        self.running = False
        self.thread.join()


def settled(members, partitions, since):
    """Seconds from `since` to the last member's assignment once every member has one
    newer than `since` and together they hold each partition once; None before."""
    owned, last = [], since
    for m in members:
        with m.lock:
            if m.assigned_at <= since or not m.assigned:
                return None
            owned += m.assigned
            last = max(last, m.assigned_at)
    return last - since if sorted(owned) == list(range(partitions)) else None


def rebalance(repetitions):
    topic, group, partitions = "rebalance", "bench-rebalance", 60
    create_topic(topic, partitions)
    members = [Member(group, topic) for _ in range(10)]
    for m in members:
        m.start()
    wait_until("10 members settle", lambda: settled(members, partitions, 0.0))
    joins, leaves = [], []
    for _ in range(repetitions):
        extra = Member(group, topic)
        t = time.monotonic()
        extra.start()
        joins.append(wait_until("11 members settle", lambda: settled(members + [extra], partitions, t)) * 1000)
        extra.stop_polling()
        t = time.monotonic()
        extra.c.close()
        leaves.append(wait_until("10 members settle", lambda: settled(members, partitions, t)) * 1000)
    for m in members:
        m.stop_polling()
        m.c.close()
    return {"members": 10, "partitions": partitions, "heartbeat_interval_ms": HEARTBEAT_MS,
            "join_ms": joins, "leave_ms": leaves}


def commit(committers, seconds):
    topic, partitions = "commits", 100
    create_topic(topic, partitions)
    consumers = []
    for i in range(committers):
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-commit-{committers}-{i}",
                      "enable.auto.commit": False, "heartbeat.interval.ms": 1000})
        assigned = []
        c.subscribe([topic], on_assign=lambda consumer, ps, a=assigned: a.extend(ps))
        deadline = time.monotonic() + 60
        while len(assigned) < partitions:
            c.poll(0.05)
            if time.monotonic() > deadline:
                sys.exit("a committer was not assigned the topic within 60 s")
        consumers.append(c)
    results = [None] * committers
    start = threading.Barrier(committers + 1)

    def run(i, c):
        latencies, errors, k = [], 0, 0
        start.wait()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            k += 1
            offsets = [TopicPartition(topic, p, k) for p in range(partitions)]
            t = time.perf_counter()
            try:
                answer = c.commit(offsets=offsets, asynchronous=False)
                errors += sum(1 for tp in answer if tp.error is not None)
            except KafkaException:
                errors += partitions
            latencies.append((time.perf_counter() - t) * 1000)
        results[i] = (latencies, errors)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(consumers)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.monotonic()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    for c in consumers:
        c.close()
    latencies = [x for lat, _ in results for x in lat]
    return {"committers": committers, "partitions_per_commit": partitions, "commits": len(latencies),
            "seconds": elapsed, "commits_per_s": len(latencies) / elapsed,
            "partition_errors": sum(e for _, e in results), "latency_ms": quantiles(latencies)}


if mode == "consume":
    out = consume(sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7])
elif mode == "rebalance":
    out = rebalance(int(sys.argv[3]))
elif mode == "commit":
    out = commit(int(sys.argv[3]), float(sys.argv[4]))
else:
    sys.exit(f"unknown mode {mode}")
print(json.dumps(out))
EOF

# client NAME ARGS...: one group_bench.py run, its JSON recorded under NAME.
client() {
  local name=$1
  shift
  say "group_bench.py $*"
  local out rc=0
  out=$("$python" "$work/group_bench.py" "$1" "127.0.0.1:$kafka_port" "${@:2}" 2>>"$work/client.log") || rc=$?
  if [[ $rc != 0 || -z $out ]]; then
    echo "group_bench.py $* failed (status $rc):" >&2
    tail -5 "$work/client.log" >&2
    out='null'
  fi
  record "$name" "$out"
}

record_run_facts
record binary "$(json_string "$brook")"
record binary_note "$(json_string "$binary_note")"
record client "$(json_string "confluent-kafka-python $("$python" -c 'import confluent_kafka as c; print(c.version()[0], "/ librdkafka", c.libversion()[0])')")"

measure_baselines
record disk_4k_mb_s "$("$baseline" disk "$work" 4096 $((8 << 20)) | awk '{print $2}')"

start_server --group-initial-rebalance-delay-ms 0
say "consume: $consume_records records of 1 KiB in 6 partitions"
bench consume_fill produce --topic consume --partitions 6 --acks 1 --count "$consume_records"
for i in $(seq "$consume_runs"); do
  client consume_group consume consume "$consume_records" 6 group "bench-consume-$i"
  client consume_assign consume consume "$consume_records" 6 assign "bench-assign-$i"
done
bench consume_cpp consume --topic consume --count "$consume_records"

say "rebalance latency, $reps repetitions"
client rebalance rebalance "$reps"

say "offset commits, $commit_seconds s each"
client commit_1 commit 1 "$commit_seconds"
client commit_4 commit 4 "$commit_seconds"
finish_run

render_table "$stamp" <<'EOF'
import statistics, sys
from table import Facts, Table
facts = Facts(sys.argv[1])
one = facts.one
every = facts.every
disk, disk4k, loop = one("disk_mb_s"), one("disk_4k_mb_s"), one("loopback_mb_s")
syncs = disk4k * 1e6 / 4096
print(f"Run of {sys.argv[2]}, commit {one('commit')}, {one('machine')}")
print(f"binary: {one('binary')}; client: {one('client')}")
if one("binary_note"):
    print(f"\n**{one('binary_note')}.**")
print(f"load average before: {one('load_before')}; after: {one('load_after')}\n")
row = Table("measurement", "figure", "baseline (same run)", "ratio").row
row("disk: write+fdatasync, 1 MiB blocks", f"{disk:.1f} MB/s")
row("disk: write+fdatasync, 4 KiB blocks", f"{syncs:.0f} fdatasyncs/s ({disk4k:.1f} MB/s)")
row("loopback TCP, 1 MiB writes, 2 threads", f"{loop:.1f} MB/s")

def spread(v, unit):
    return f"median {statistics.median(v):.1f} {unit} (min {min(v):.1f}, max {max(v):.1f}; {len(v)} runs)"

r = one("rebalance")
if r is None:
    row("rebalance latency", "failed (see the script's output)")
else:
    what = (f"{r['members']} members, {r['partitions']} partitions, eager range assignment, "
            f"heartbeat.interval.ms {r['heartbeat_interval_ms']}")
    hb = f"{r['heartbeat_interval_ms']} ms heartbeat interval"
    row(f"rebalance: an 11th member subscribes, until all 11 hold their new assignment ({what})",
        spread(r["join_ms"], "ms"), hb, f"{statistics.median(r['join_ms']) / r['heartbeat_interval_ms']:.1f}")
    row(f"rebalance: the 11th leaves (close), until the 10 hold their new assignment",
        spread(r["leave_ms"], "ms"), hb, f"{statistics.median(r['leave_ms']) / r['heartbeat_interval_ms']:.1f}")

for name in ("commit_1", "commit_4"):
    c = one(name)
    if c is None:
        row(f"offset commits ({name})", "failed (see the script's output)")
        continue
    who = "one committer" if c["committers"] == 1 else f"{c['committers']} concurrent committers (own groups)"
    l = c["latency_ms"]
    err = f", **{c['partition_errors']} partition errors**" if c["partition_errors"] else ""
    row(f"offset commit, {c['partitions_per_commit']} partitions per synchronous commit, {who}, {c['seconds']:.0f} s",
        f"{c['commits_per_s']:.0f} commits/s ({c['commits_per_s'] * c['partitions_per_commit']:.0f} offsets/s); "
        f"latency p50 {l['p50']:.2f} / p99 {l['p99']:.2f} / max {l['max']:.2f} ms{err}",
        f"{syncs:.0f} fdatasyncs/s", f"{c['commits_per_s'] / syncs:.2f}")

group, assign = every("consume_group"), every("consume_assign")
cpp = one("consume_cpp")
if not group or not assign:
    row("consume through a group", "failed (see the script's output)")
else:
    def consumed(runs):
        mb = statistics.median(r["mb_per_s"] for r in runs)
        first = statistics.median(r["first_record_ms"] for r in runs)
        errors = sum(r["errors"] for r in runs)
        return mb, (f"median {mb:.1f} MB/s ({min(r['mb_per_s'] for r in runs):.1f}–"
                    f"{max(r['mb_per_s'] for r in runs):.1f}, {len(runs)} runs); first record after "
                    f"{first:.0f} ms" + (f", **{errors} errors**" if errors else ""))
    size = group[0]["bytes"] / 2**20
    gmb, gfig = consumed(group)
    amb, afig = consumed(assign)
    row(f"consume {size:.0f} MiB of 1 KiB records, 6 partitions, as the one member of a group "
        "(subscribe, auto commit)", gfig, f"{amb:.1f} MB/s plain assigned consumer", f"{gmb / amb:.2f}")
    row(f"consume the same as a plain assigned consumer (assign, no group)", afig,
        f"{loop:.1f} MB/s loopback", f"{amb / loop:.2f}")
    if cpp is not None:
        row("for reference: `brook bench consume` (librdkafka from C++, assign), the same data",
            f"{cpp['mb_per_s']:.1f} MB/s", f"{loop:.1f} MB/s loopback", f"{cpp['mb_per_s'] / loop:.2f}")
print("\nRates of the Python client are counted from its first batch on; the time to the first "
      "record (joining the group, or not) is given apart.")
EOF
cat "$table"
echo
echo "(table: $table; raw figures: $jsonl)"
