#!/usr/bin/env bash
# Measures `brook serve` with a real Kafka client (`brook bench`, librdkafka) and prints one
# Markdown table, each figure next to the physical baseline measured in the same run.
#   bench/run-broker-bench.sh [--quick] [--no-build]
# --quick: 3 s runs instead of 10 s, 3 start-ups instead of 5, 256 MiB instead of 1 GiB to
# consume. --no-build: use build/release (or $BROOK_BENCH_BUILD) as it is.
#
# It builds the release preset, then, in a scratch directory under build/ (removed
# afterwards; the data directories and the disk baseline share its filesystem):
#   1. baselines: disk write+fdatasync (1 MiB blocks) and loopback TCP (1 MiB writes);
#   2. start-up, exec to the first answered Metadata request, with an empty data directory;
#   3. on one server (default durability: sync): idle RSS; produce 1 KiB records to 6
#      partitions with acks=all, then acks=1; consume 1 GiB from the beginning; e2e latency
#      at 10,000 records/s with acks=1; RSS sampled every 100 ms throughout;
#   4. the same acks=1 produce and e2e on a server with --durability interval, to show what
#      the fdatasync before each answer costs;
#   5. start-up with 1,000 partitions (created, then the server restarted).
# Results: bench/results/broker-<time>.md (the table) and .jsonl (every raw figure)
# ($BROOK_BENCH_RESULTS: another folder; $BROOK_BENCH_SCRATCH: another scratch folder).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source bench/lib.sh

quick=0
build=1
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    *) echo "usage: bench/run-broker-bench.sh [--quick] [--no-build]" >&2; exit 2 ;;
  esac
done
duration=10
startups=5
consume_records=1048576   # 1 GiB of 1 KiB records
if [[ $quick == 1 ]]; then
  duration=3
  startups=3
  consume_records=262144
fi

release_binaries "$build"
[[ -x $python ]] || { echo "$python is needed" >&2; exit 1; }

bench_setup broker

# Starts `brook serve` and times it from exec to the first answered Metadata request (v1,
# all topics). Prints "PID MILLISECONDS". The server keeps running.
cat >"$work/start.py" <<'EOF'
import socket, struct, subprocess, sys, time
port, log = int(sys.argv[1]), sys.argv[2]
request = struct.pack(">hhih", 3, 1, 1, 5) + b"bench" + struct.pack(">i", -1)
request = struct.pack(">i", len(request)) + request
def answered():
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(request)
            head = b""
            while len(head) < 4:
                chunk = s.recv(4 - len(head))
                if not chunk:
                    return False
                head += chunk
            left = struct.unpack(">i", head)[0]
            while left > 0:
                chunk = s.recv(min(left, 1 << 20))
                if not chunk:
                    return False
                left -= len(chunk)
            return True
    except OSError:
        return False
t = time.monotonic()
p = subprocess.Popen(sys.argv[3:], stdout=open(log, "ab"), stderr=subprocess.STDOUT)
while not answered():
    if p.poll() is not None:
        sys.exit(f"brook serve exited with status {p.returncode}: see {log}")
    if time.monotonic() - t > 60:
        sys.exit("brook serve did not answer Metadata within 60 s")
    time.sleep(0.0005)
print(p.pid, f"{(time.monotonic() - t) * 1000:.1f}")
EOF

free_port() {
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_timed_server DATA_DIR [serve flags...]: sets $server, $kafka_port, $startup_ms,
# and $ready_ms (the server's own "brook ready in" figure, from main() to listening).
start_timed_server() {
  local dir=$1
  shift
  kafka_port=$(free_port)
  local out log=$work/serve-$kafka_port-$RANDOM.log
  out=$("$python" "$work/start.py" "$kafka_port" "$log" "$brook" serve \
    --data-dir "$dir" --kafka-port "$kafka_port" --http-port 0 --log-level info "$@")
  server=${out% *}
  startup_ms=${out#* }
  ready_ms=$(grep -o 'brook ready in [0-9.]*' "$log" | tail -1 | awk '{print $4}')
  ready_ms=${ready_ms:-null}
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# Samples VmRSS of $1 every 100 ms into $2 (the sampler is $background) until stopped.
start_sampler() {
  (while [[ -r /proc/$1/status ]]; do rss_kb "$1" >>"$2" 2>/dev/null || true; sleep 0.1; done) &
  background=$!
}
stop_sampler() {
  kill "$background" 2>/dev/null || true
  wait "$background" 2>/dev/null || true
  background=
}

record_run_facts
measure_baselines

say "start-up with an empty data directory, $startups times"
for i in $(seq "$startups"); do
  rm -rf "$work/empty"
  start_timed_server "$work/empty"
  record startup_empty_ms "$startup_ms"
  record ready_empty_ms "$ready_ms"
  stop_server
done

say "server with the default durability (sync)"
rm -rf "$work/sync"
start_timed_server "$work/sync"
sleep 2
record rss_idle_kb "$(rss_kb "$server")"
start_sampler "$server" "$work/rss-sync"
bench produce_acks_all produce --topic produce-all --partitions 6 --acks all --duration "$duration"
bench produce_acks_1 produce --topic produce-one --partitions 6 --acks 1 --duration "$duration"
bench consume_fill produce --topic consume --partitions 6 --acks 1 --count "$consume_records"
bench consume consume --topic consume
bench e2e_acks_1 e2e --topic e2e --partitions 6 --acks 1 --rate 10000 --duration "$duration"
stop_sampler
record rss_load_max_kb "$(sort -n "$work/rss-sync" | tail -1)"
sleep 2
record rss_after_load_kb "$(rss_kb "$server")"
stop_server
rm -rf "$work/sync"

say "server with --durability interval"
rm -rf "$work/interval"
start_timed_server "$work/interval" --durability interval
bench interval_produce_acks_1 produce --topic produce-one --partitions 6 --acks 1 --duration "$duration"
bench interval_e2e_acks_1 e2e --topic e2e --partitions 6 --acks 1 --rate 10000 --duration "$duration"
stop_server
rm -rf "$work/interval"

say "start-up with 1,000 partitions"
rm -rf "$work/wide"
start_timed_server "$work/wide"
bench wide_fill produce --topic wide --partitions 1000 --acks 1 --count 10000 --linger-ms 50
stop_server
for i in $(seq "$startups"); do
  start_timed_server "$work/wide"
  record startup_1000_ms "$startup_ms"
  record ready_1000_ms "$ready_ms"
  if [[ $i == 1 ]]; then
    sleep 2
    record rss_idle_1000_kb "$(rss_kb "$server")"
  fi
  stop_server
done
finish_run

render_table "$duration" "$stamp" <<'EOF'
import statistics, sys
from table import Facts, Table, yes
facts = Facts(sys.argv[1])
one = facts.one
duration = sys.argv[2]
disk, loop = one("disk_mb_s"), one("loopback_mb_s")
print(f"Run of {sys.argv[3]}, commit {one('commit')}, {one('machine')}")
print(f"load average before: {one('load_before')}; after: {one('load_after')}\n")
table = Table("measurement", "figure", "baseline (same run)", "ratio", "target", "met")
row = table.row
table.baselines(facts)
def lat(l):
    return f"p50 {l['p50']:.2f} / p99 {l['p99']:.2f} / p99.9 {l['p99_9']:.2f} / max {l['max']:.2f} ms"
def produce(name, label, target=None):
    r = one(name)
    if r is None:
        row(label, "failed (see the script's output)")
        return
    err = f", {r['errors']} errors" if r["errors"] else ""
    fig = f"{r['mb_per_s']:.1f} MB/s, {r['records_per_s']:.0f} records/s; {lat(r['latency_ms'])}{err}"
    ratio = r["mb_per_s"] / disk
    row(label, fig, f"{disk:.1f} MB/s disk", f"{ratio:.2f}",
        "≥ 0.5 × disk" if target else "", yes(ratio >= 0.5) if target else "")
produce("produce_acks_all", f"produce 1 KiB records, 6 partitions, acks=all, sync durability, {duration} s", True)
produce("produce_acks_1", f"produce 1 KiB records, 6 partitions, acks=1, sync durability, {duration} s")
produce("interval_produce_acks_1", f"produce 1 KiB records, 6 partitions, acks=1, interval durability, {duration} s")
c = one("consume")
if c is None:
    row("consume", "failed")
else:
    ratio = c["mb_per_s"] / loop
    err = f", {c['errors']} errors" if c["errors"] else ""
    row(f"consume {c['bytes'] / 2**30:.2f} GiB from the beginning, 6 partitions",
        f"{c['mb_per_s']:.1f} MB/s, {c['records_per_s']:.0f} records/s{err}",
        f"{loop:.1f} MB/s loopback", f"{ratio:.2f}", "≥ 0.5 × loopback", yes(ratio >= 0.5))
def e2e(name, label, target):
    r = one(name)
    if r is None:
        row(label, "failed")
        return
    l = r["latency_ms"]
    extra = f"; {r['records_per_s']:.0f} records/s achieved"
    if r["pacer_skipped"]:
        extra += f" ({r['pacer_skipped']} sends skipped: sender late)"
    if r["errors"]:
        extra += f", {r['errors']} errors"
    row(label, lat(l) + extra, "", "", "p99 < 2 ms" if target else "",
        yes(l["p99"] < 2) if target else "")
e2e("e2e_acks_1", f"e2e latency at 10,000 records/s, acks=1, sync durability, {duration} s", True)
e2e("interval_e2e_acks_1", f"e2e latency at 10,000 records/s, acks=1, interval durability, {duration} s", False)
def startup(name, ready, label, limit):
    v = facts.all(name)
    if not v:
        row(label, "failed")
        return
    med = statistics.median(v)
    inside = facts.every(ready)
    own = f"; the server's own \"ready in\": median {statistics.median(inside):.1f} ms" if inside else ""
    row(label, f"median {med:.1f} ms (min {min(v):.1f}, max {max(v):.1f}; {len(v)} starts{own})",
        "", "", f"< {limit} ms", yes(med < limit))
startup("startup_empty_ms", "ready_empty_ms", "start-up, exec to first Metadata answer, empty data directory", 50)
startup("startup_1000_ms", "ready_1000_ms", "start-up, exec to first Metadata answer, 1,000 partitions", 500)
mb = lambda kb: f"{kb / 1024:.1f} MiB"
row("RSS idle, empty data directory", mb(one("rss_idle_kb")), "", "", "< 20 MB",
    yes(one("rss_idle_kb") * 1024 < 20e6))
row("RSS peak under load (sampled every 100 ms through the sync runs)", mb(one("rss_load_max_kb")))
row("RSS idle after that load", mb(one("rss_after_load_kb")))
row("RSS idle, 1,000 partitions", mb(one("rss_idle_1000_kb")))
EOF
cat "$table"
echo
echo "(table: $table; raw figures: $jsonl)"
