#!/usr/bin/env bash
# What /metrics costs, with a real client, beside the loopback TCP baseline of the same run,
# as one Markdown table.
#   bench/run-metrics-bench.sh [--quick] [--no-build]
# --quick: 3 s produce runs instead of 10 s. --no-build: use build/release (or
# $BROOK_BENCH_BUILD).
#
# In a scratch directory under build/ (removed afterwards):
#   1. baselines: disk write+fdatasync (1 MiB blocks) and loopback TCP (1 MiB writes);
#   2. one `brook serve` (durability interval: the produce path, not the disk, is what a
#      scrape could slow): `brook bench` (librdkafka) produces 1 KiB records to 6 partitions
#      with acks=1: an untimed warm-up run, then three runs with no scrapes and three with a
#      scrape of /metrics every second (bench/metrics_scrape.py loop, Prometheus's load at a
#      1 s interval), in the order plain, scraped, scraped, plain, plain, scraped, each into
#      its own topic, deleted after it; medians compared, the plain runs' spread the noise;
#   3. 100 topics of 10 partitions (1,000 partitions, a record in each) and 100 consumer
#      groups each with offsets committed in 10 partitions: 50 scrapes one after the other,
#      timed (median, p90, max), with the page's size and samples.
# Results: bench/results/metrics-<time>.md (the table) and .jsonl (every raw figure).
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
    *) echo "usage: bench/run-metrics-bench.sh [--quick] [--no-build]" >&2; exit 2 ;;
  esac
done
duration=10
[[ $quick == 1 ]] && duration=3

release_binaries "$build"

bench_setup metrics
record_run_facts
record duration_s "$duration"
measure_baselines $((256 << 20))

start_server --durability interval
# produce NAME N: one timed run into its own topic, recorded under NAME, and the topic
# deleted afterwards (its gigabytes of dirty pages would slow the runs after it).
produce() {
  bench "$1" produce --topic "bench-$1-$2" --partitions 6 --record-size 1024 --acks 1 \
    --duration "$duration"
  "$brook" topic delete "bench-$1-$2" --bootstrap "127.0.0.1:$kafka_port" >/dev/null
}
scraped() {
  "$python" "$root/bench/metrics_scrape.py" loop --url "$url/metrics" --interval 1 &
  background=$!
  produce produce_scraped "$1"
  kill "$background"
  wait "$background" 2>/dev/null || true
  background=
}
# An untimed run first (the first run into a fresh server is the fastest by far on this
# VM), then three of each in the order plain, scraped, scraped, plain, plain, scraped:
# a drift over the runs weighs the same on both.
say "warm-up run"
produce warm_up 0
say "plain and scraped runs (scraped: /metrics every second)"
produce produce_plain 1
scraped 1
scraped 2
produce produce_plain 2
produce produce_plain 3
scraped 3

say "1,000 partitions and 100 groups"
"$python" "$root/bench/metrics_scrape.py" populate --bootstrap "127.0.0.1:$kafka_port" \
  --topics 100 --partitions 10 --groups 100
record scrape_1000_partitions_100_groups \
  "$("$python" "$root/bench/metrics_scrape.py" time --url "$url/metrics" --count 50)"
finish_run

render_table "$duration" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(debug_build_note "$brook")" <<'PY'
import sys
from table import Facts, Table
facts = Facts(sys.argv[1])
duration, when, note = sys.argv[2], sys.argv[3], sys.argv[4]
one = facts.one
loop = one("loopback_mb_s")
print(f"Run of {when}, commit {one('commit')}, {one('machine')}; load before {one('load_before')}, after {one('load_after')}")
if note:
    print(f"\n**{note}**")
print()
t = Table("measurement", "figure", "baseline (same run)", "ratio")
t.baselines(facts)
def median(values):
    values = sorted(values)
    n = len(values)
    return (values[n // 2] + values[(n - 1) // 2]) / 2 if values else None
runs = {name: facts.every(name) for name in ("produce_plain", "produce_scraped")}
for name, what in (("produce_plain", "no scrapes"), ("produce_scraped", "/metrics scraped every 1 s")):
    rs = runs[name]
    if len(rs) < 3:
        t.row(f"produce 1 KiB records, acks=1, 6 partitions, {duration} s, {what}", "**failed**")
        continue
    m = median([r["mb_per_s"] for r in rs])
    each = ", ".join(f"{r['mb_per_s']:.0f}" for r in rs)
    t.row(f"produce 1 KiB records, acks=1, 6 partitions, {duration} s, {what} (median of 3)",
          f"{m:.1f} MB/s ({each} in run order)",
          f"{loop:.1f} MB/s loopback", f"{m / loop:.3f}")
if len(runs["produce_plain"]) == 3 and len(runs["produce_scraped"]) == 3:
    plain = [r["mb_per_s"] for r in runs["produce_plain"]]
    scraped = [r["mb_per_s"] for r in runs["produce_scraped"]]
    t.row("scraped median / plain median", f"{median(scraped) / median(plain):.3f}")
    t.row("spread of the plain runs (noise): (max - min) / max", f"{(max(plain) - min(plain)) / max(plain) * 100:.1f} %")
s = one("scrape_1000_partitions_100_groups")
if s is None:
    t.row("scrape with 1,000 partitions and 100 groups", "**failed**")
else:
    t.row("GET /metrics with 1,000 partitions and 100 groups (10 committed partitions each), "
          f"{s['count']} scrapes in turn",
          f"median {s['median_ms']:.2f} ms, p90 {s['p90_ms']:.2f} ms, max {s['max_ms']:.2f} ms; "
          f"{s['bytes'] / 1024:.0f} KiB, {s['samples']} samples", "target: under 10 ms",
          "met" if s["median_ms"] < 10 else "**missed**")
PY
cat "$table"
