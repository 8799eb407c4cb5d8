#!/usr/bin/env bash
# The connectors' sinks, records/s and MB/s of 1 KiB JSON records into each, beside the
# same-run `brook bench consume` of the same topic, and for S3 and PostgreSQL beside a
# plain client doing the same writes to the same server, as one Markdown table.
#   bench/run-connect-bench.sh [--quick] [--no-build] [--no-perf]
# --quick: 200,000 records for the file sinks instead of 1,000,000, and 40,000 for S3 and
# PostgreSQL instead of 200,000. --no-build: use build/release (or
# $BROOK_BENCH_BUILD). --no-perf: no profile of brook serve during the sinks' runs.
#
# In a scratch directory under build/ (removed afterwards):
#   1. baselines: disk write+fdatasync (1 MiB blocks) and loopback TCP (1 MiB writes);
#   2. one `brook serve` (durability sync, the default); `brook generate` fills two
#      one-partition topics with the analytics seed's events padded to about 1 KiB: `events`
#      (for the file sinks) and the smaller `events-dest` (for S3 and PostgreSQL);
#   3. `brook bench consume` reads `events` whole (librdkafka), three times;
#   4. bench/connect_sinks.py times a connector of each kind from its creation to all the
#      records committed, and checks what it wrote: the file sink as JSON lines and as CSV
#      (after a plain write of as many bytes into a new file),
#      the S3 sink into s3rver (then a boto3 PUT loop of the same objects), the JDBC sink
#      into PostgreSQL 15 (then a psycopg2 INSERT loop of the same rows); brook serve's and
#      the destination's CPU seconds beside each, and perf's profile of brook serve.
# Results: bench/results/connect-<time>.md (the table) and .jsonl (every raw figure, the
# profiles too).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source bench/lib.sh

records=1000000
dest_records=200000
build=1
perf=1
for arg in "$@"; do
  case "$arg" in
    --quick) records=200000 dest_records=40000 ;;
    --no-build) build=0 ;;
    --no-perf) perf=0 ;;
    *) echo "usage: bench/run-connect-bench.sh [--quick] [--no-build] [--no-perf]" >&2; exit 2 ;;
  esac
done
if [[ $perf == 1 ]] && ! command -v perf >/dev/null; then
  say "no perf on PATH: no profiles"
  perf=0
fi

release_binaries "$build"
[[ -d tests/compat/s3/node_modules ]] || (cd tests/compat/s3 && npm ci --no-audit --no-fund >/dev/null)

bench_setup connect
record_run_facts
measure_baselines $((256 << 20))

start_server --durability sync
# The analytics seed's event, its payload 120 random words: about 1 KiB of JSON.
words=$(printf '{{word}} %.0s' $(seq 120))
cat >"$work/template.json" <<JSON
{"event_id": "{{seq}}", "event_type": "{{choice:page_view,click,signup,purchase}}",
 "user_id": "{{user:5000}}", "session_id": "{{session:800}}", "page": "/{{word}}/{{word}}",
 "amount": "{{float:1:250}}", "ts": "{{now_iso}}", "payload": "${words% }"}
JSON
# fill TOPIC COUNT: the topic, one partition, with COUNT events; records the generator's
# summary under generate and the values' bytes (read back whole) under value_bytes.
fill() {
  "$brook" topic create "$1" --bootstrap "127.0.0.1:$kafka_port" --partitions 1 >/dev/null
  say "brook generate: $2 events into $1"
  record generate "$("$brook" generate "$1" --bootstrap "127.0.0.1:$kafka_port" \
    --template "$work/template.json" --count "$2" --seed 7 --json)"
  record value_bytes "$("$brook" bench consume --bootstrap "127.0.0.1:$kafka_port" --topic "$1" \
    --json | "$python" -c 'import json,sys; print(json.load(sys.stdin)["bytes"])')"
}
fill events "$records"
fill events-dest "$dest_records"
for _ in 1 2 3; do
  bench consume consume --topic events
done

mkdir -p "$work/perf"
facts=$("$python" -c 'import json,sys; print(" ".join(str(json.loads(l)["value"]) for l in open(sys.argv[1]) if json.loads(l)["name"] == "value_bytes"))' "$jsonl")
read -r bytes dest_bytes <<<"$facts"
for kind in file-json file-csv s3 postgres; do
  say "sink: $kind"
  topic=events n=$records b=$bytes
  [[ $kind == s3 || $kind == postgres ]] && topic=events-dest n=$dest_records b=$dest_bytes
  profile=()
  [[ $perf == 1 ]] && profile=(--perf "$work/perf")
  "$python" bench/connect_sinks.py "$kind" --url "$url" --bootstrap "127.0.0.1:$kafka_port" \
    --topic "$topic" --records "$n" --bytes "$b" --server-pid "$server" \
    --jsonl "$jsonl" --work "$work" "${profile[@]}"
done
finish_run

render_table "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(debug_build_note "$brook")" <<'PY'
import sys
from table import Facts, Table
facts = Facts(sys.argv[1])
when, note = sys.argv[2], sys.argv[3]
one = facts.one
print(f"Run of {when}, commit {one('commit')}, {one('machine')}; load before {one('load_before')}, after {one('load_after')}")
if note:
    print(f"\n**{note}**")
consumes = facts.every("consume")
best = max(consumes, key=lambda r: r["mb_per_s"])
n, size = best["records"], one("value_bytes") / best["records"]
dest_n = one("s3")["records"] if one("s3") else 0
print(f"\nRecords of {size:.0f} bytes of JSON on average in one partition: {n:,} for the consumer "
      f"and the file sinks, {dest_n:,} for S3 and PostgreSQL. A sink's rate "
      "is its steady run: from the first poll (every 20 ms) that saw records written to all "
      "records committed (offset.flush.interval.ms=200); before it, the start-up (the group's "
      "first join, group.initial.rebalance.delay.ms 3 s, as in Kafka). What each sink wrote is "
      "read back and checked. CPU seconds are of the whole run, start-up included.\n")
t = Table("measurement", "figure", "baseline (same run)", "ratio", "CPU s: brook / destination / client")
t.baselines(facts)
t.row("`brook bench consume` of the topic (best of 3)",
      f"{best['mb_per_s']:.1f} MB/s, {best['records_per_s']:,.0f} records/s",
      ", ".join(f"{r['mb_per_s']:.0f}" for r in consumes) + " MB/s (all 3)")
def sink_row(name, what, base=None, base_what=None, target=None):
    r = one(name)
    if r is None:
        t.row(what, "**failed**")
        return
    fig = f"{r['mb_per_s']:.1f} MB/s, {r['records_per_s']:,.0f} records/s"
    cpu = (f"{r['brook_cpu_s']:.2f} / {r['destination_cpu_s']:.2f} in {r['seconds']:.2f} s "
           f"({r['startup_s']:.2f} s start-up)")
    if base is None:
        ratio = r["mb_per_s"] / best["mb_per_s"]
        verdict = "" if target is None else (" (target 0.5: met)" if ratio >= target else " (target 0.5: **missed**)")
        t.row(what, fig, f"{best['mb_per_s']:.1f} MB/s consume", f"{ratio:.2f} of consume{verdict}", cpu)
        w = one(name + "_plain_write")
        if w:
            t.row(f"plain write of {w['bytes'] / 1e6:.0f} MB into a new file (4 MiB writes, fdatasync every 200 ms), just before",
                  f"{w['mb_per_s']:.1f} MB/s", "", f"the sink: {r['mb_per_s'] / w['mb_per_s']:.2f} of it")
        return
    b = one(base)
    t.row(what, fig, f"{base_what}: {b['mb_per_s']:.1f} MB/s" if b else "**failed**",
          f"{r['mb_per_s'] / b['mb_per_s']:.2f} of the plain client; {r['mb_per_s'] / best['mb_per_s']:.3f} of consume" if b else "",
          cpu)
    if b:
        t.row(f"{base_what} (the plain client alone)", f"{b['mb_per_s']:.1f} MB/s", "", "",
              f"- / {b['destination_cpu_s']:.2f} / {b['client_cpu_s']:.2f} in {b['seconds']:.2f} s")
sink_row("file_json", "file sink, JSON lines", target=0.5)
sink_row("file_csv", "file sink, CSV (8 columns)", target=0.5)
sink_row("s3", "S3 sink into s3rver, JsonFormat, flush.size=1000",
         "s3_put_loop", "boto3 PUT loop of the same objects")
sink_row("postgres", "JDBC sink into PostgreSQL 15, insert, auto.create, batch.size=3000",
         "postgres_insert_loop", "psycopg2 INSERT per row, commit per 3000")
for name in ("file_json", "file_csv", "s3", "postgres"):
    r = one(name)
    if r and r.get("profile"):
        print(f"\nbrook serve during the {name} run, perf (flat, self time, top entries):\n")
        p = Table("%", "thread", "object", "symbol")
        for e in r["profile"]:
            p.row(f"{e['pct']:.1f}", e["thread"], e["dso"], f"`{e['symbol']}`")
PY
cat "$table"
